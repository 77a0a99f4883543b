/**
 * The --interval series with the memory model: sharing figures (dedup) and huge-page figures
 * (a huge --host-page) per sample, worked out by hand; the last sample agrees with the run's end.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EngineConfig } from '../../src/engine/config.js';
import { simulate, type SimulationOutcome } from '../../src/run/simulate.js';
import type { MemoryConfig } from '../../src/memory/config.js';
import { seriesResult } from '../../src/report/series.js';
import { toCsv } from '../../src/report/csv.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { config, textSource } from '../helpers.js';
import { csv, memory } from './harness.js';

async function series(text: string, engine: Partial<EngineConfig>, mem: MemoryConfig | undefined, interval: number): Promise<SimulationOutcome> {
  return simulate({
    sources: [textSource(text, 'csv', 'vm')],
    read: { ...DEFAULT_READ_OPTIONS, hex: true },
    config: config({ pageSize: 4096, frames: 64, ...engine, ...(mem ? { memory: mem } : {}) }),
    interval,
  });
}

/** The series section as csv lines. */
function lines(out: SimulationOutcome): string[] {
  return toCsv(seriesResult(out.series!)).trim().split('\n');
}

describe('--interval with --dedup', () => {
  it('pages_shared and pages_sharing at each sample, COW faults during each interval (by hand)', async () => {
    const trace = csv([
      ['a', 'W', 0, 'x'],
      ['b', 'W', 0, 'x'], // a's frame of x is shared: a holds it, b's mapping is saved
      ['a', 'W', 1, 'y'],
      ['b', 'W', 1, 'y'],
      // t = 4: a shares 2 frames, b saves 2
      ['b', 'W', 0, 'z'], // COW: b's page 0 gets a frame of its own
      ['a', 'R', 0],
      ['a', 'R', 1],
      ['b', 'R', 1],
      // t = 8: only y is shared
      ['a', 'W', 1, 'w'], // COW: a leaves y to b
      // t = 9, the end
    ]);
    const out = await series(trace, {}, memory(), 4);
    expect(lines(out)).toEqual([
      't,vm,faults,swap_ins,swap_outs,resident,pages_shared,pages_sharing,cow_faults',
      '4,a,2,0,0,2,2,0,0',
      '4,b,2,0,0,2,0,2,0',
      '8,a,0,0,0,2,1,0,0',
      '8,b,0,0,0,2,0,1,1',
      '9,a,0,0,0,2,0,0,1',
      '9,b,0,0,0,2,0,0,0',
    ]);
    expect(out.host.framesInUseEnd).toBe(4);
  });

  it('without --dedup and --host-page the series has its core columns only', async () => {
    const out = await series(csv([['a', 'W', 0, 'x'], ['b', 'W', 0, 'x']]), {}, undefined, 1);
    expect(lines(out)[0]).toBe('t,vm,faults,swap_ins,swap_outs,resident');
    const compactionOnly = await series(csv([['a', 'W', 0, 'x'], ['b', 'W', 0, 'x']]), {}, memory({ dedup: 'off', compaction: true }), 1);
    expect(lines(compactionOnly)[0]).toBe('t,vm,faults,swap_ins,swap_outs,resident');
  });

  it('the last sample holds the end-of-run sharing figures; COW faults over the intervals add up (random traces, ideal and ksm)', async () => {
    const row = fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('R', 'W', 'W'), fc.nat(11), fc.constantFrom(undefined, 't0', 't1', 't2', 't3'));
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 80 }), fc.constantFrom('ideal', 'ksm'), fc.integer({ min: 4, max: 24 }), fc.integer({ min: 1, max: 13 }), async (rows, dedup, frames, every) => {
        const text = csv(rows.map(([vm, op, page, token]) => [vm, op, page, op === 'W' ? token : undefined]));
        const out = await series(text, { frames }, memory({ dedup: dedup as 'ideal' | 'ksm', ksmPages: 5, ksmInterval: 3 }), every);
        const s = out.series!;
        const m = s.memory!;
        const last = s.t.length - 1;
        expect(s.t[last]).toBe(out.total.counters.accesses);
        out.memory!.vms.forEach((v, j) => {
          expect(s.names[j]).toBe(v.name);
          expect(m.pagesShared[j]![last]).toBe(v.pagesShared);
          expect(m.pagesSharing[j]![last]).toBe(v.pagesSharing);
          expect(m.cowFaults[j]!.reduce((x, y) => x + y, 0)).toBe(v.counters.cowFaults);
          expect(s.faults[j]!.reduce((x, y) => x + y, 0)).toBe(out.vms[j]!.counters.faults);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('the adaptive series of a plot merges pairs of samples: counts add, levels keep the later sample', async () => {
    // 3 VMs over 16 pages each with 4 tokens, 40000 accesses: over 512 samples of 64, so halved.
    const rows: [string, string, number, string?][] = [];
    let x = 7;
    for (let i = 0; i < 40000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const write = x % 3 === 0;
      rows.push([['a', 'b', 'c'][i % 3]!, write ? 'W' : 'R', (x >> 8) % 16, write ? `t${(x >> 12) % 4}` : undefined]);
    }
    const out = await simulate({
      sources: [textSource(csv(rows), 'csv', 'vm')],
      read: { ...DEFAULT_READ_OPTIONS, hex: true },
      config: config({ pageSize: 4096, frames: 40, memory: memory() }),
      series: true,
    });
    const s = out.series!;
    expect(s.every).toBeGreaterThan(64);
    out.memory!.vms.forEach((v, j) => {
      expect(s.memory!.cowFaults[j]!.reduce((a, b) => a + b, 0)).toBe(v.counters.cowFaults);
      expect(s.memory!.pagesSharing[j]![s.t.length - 1]).toBe(v.pagesSharing);
    });
    expect(out.memory!.total.counters.cowFaults).toBeGreaterThan(0);
  });
});

describe('--interval with a huge --host-page', () => {
  it('huge pages at each sample, fallbacks during each interval, the unusable free space index for 2 MiB (by hand)', async () => {
    // 512 KiB pages: a 2 MiB region is 4 pages, backed by an aligned block of 4 of the 8 frames.
    const page = 512 * 1024;
    const rows = [0, 8, 16, 1].map((p) => `R,0x${(p * page).toString(16)}`);
    const out = await simulate({
      sources: [textSource(`op,addr\n${rows.join('\n')}\n`, 'csv', 'vm')],
      read: { ...DEFAULT_READ_OPTIONS, hex: true },
      config: config({ pageSize: page, frames: 8, memory: memory({ dedup: 'off', hugeOrder: 2, hostPageSize: 2 * 1024 * 1024 }) }),
      interval: 2,
    });
    // t = 2: pages 0 and 8 each in a block of their own: both blocks taken, nothing free (index 0).
    // Page 16's region finds no block (fallback), evicts page 0 (LRU), whose block is freed and
    // split for page 16's single frame; page 1's region then finds 3 free frames in blocks of 1
    // and 2 (fallback): no 2 MiB block can be had (index 1). Page 8 alone is still huge.
    expect(lines(out)).toEqual([
      't,vm,faults,swap_ins,swap_outs,resident,huge_pages,huge_fallbacks,compaction_moves,unusable_index_2mib',
      '2,vm,2,0,0,2,2,0,0,0',
      '4,vm,2,0,0,3,1,2,0,1',
    ]);
  });
});
