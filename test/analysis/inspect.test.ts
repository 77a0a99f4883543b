import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReuseTimeline, reuseBucket } from '../../src/analysis/reuse.js';
import { WorkingSetWindow } from '../../src/analysis/working-set.js';
import { cli, tempFile } from '../helpers.js';

/**
 * Worked out by hand (page size 4 KiB; pages named a0, a1, b0, b1):
 *   A a 0x0 8192      allocs a 1, allocated pages 2
 *   R a0              cold
 *   W a1              cold
 *   R a0              reuse distance 1 (a1 in between)
 *   R b0              cold
 *   W b 0xfff size 2  two accesses: b0 (distance 0), b1 (cold)
 *   F a 0x1000 4096   frees a 1, freed pages 1: a1 forgotten
 *   R a1              cold again
 *   RESET b           resets b 1
 *   R b0              cold again
 */
const HAND = [
  'op,addr,size,vm',
  'A,0x0,8192,a',
  'R,0x0,1,a',
  'W,0x1000,1,a',
  'R,0x0,1,a',
  'R,0x0,1,b',
  'W,0xfff,2,b',
  'F,0x1000,4096,a',
  'R,0x1000,1,a',
  'RESET,0x0,1,b',
  'R,0x0,1,b',
  '',
].join('\n');

function inspectJson(file: string, ...args: string[]) {
  const r = cli(['inspect', file, '--format', 'json', ...args]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('inspect', () => {
  it('counts a hand-made trace: accesses, reads, writes, A/F/RESET, distinct pages, cold accesses', () => {
    const doc = inspectJson(tempFile('hand.csv', HAND), '--window', '3');
    expect(doc.schema).toBe('vmmem/1');
    expect(doc.command).toBe('inspect');
    const pick = (r: Record<string, unknown>) => [r.vm, r.accesses, r.reads, r.writes, r.allocs, r.frees, r.resets, r.distinct_pages, r.footprint_bytes, r.cold_accesses, r.allocated_pages, r.freed_pages];
    expect(doc.rows.map(pick)).toEqual([
      ['a', 4, 3, 1, 1, 1, 0, 2, 8192, 3, 2, 1],
      ['b', 4, 2, 2, 0, 0, 1, 2, 8192, 3, 0, 0],
      ['TOTAL', 8, 5, 3, 1, 1, 1, 4, 16384, 6, 2, 1],
    ]);
    expect(doc.reuse_distance.a).toEqual({ cold_accesses: 3, buckets: [{ min_distance: 0, max_distance: 0, accesses: 0 }, { min_distance: 1, max_distance: 1, accesses: 1 }] });
    expect(doc.reuse_distance.b).toEqual({ cold_accesses: 3, buckets: [{ min_distance: 0, max_distance: 0, accesses: 1 }] });
    expect(doc.reuse_distance.TOTAL).toEqual({ cold_accesses: 6, buckets: [{ min_distance: 0, max_distance: 0, accesses: 1 }, { min_distance: 1, max_distance: 1, accesses: 1 }] });
  });

  it('W(t, tau) of the hand-made trace: per VM on its own accesses, TOTAL on the interleaved stream', () => {
    // TOTAL: a0 a1 a0 b0 b0 b1 a1 b0, tau 3 -> W = 1 2 2 3 2 2 3 3 (mean 18/8, peak 3)
    // a: a0 a1 a0 a1 -> 1 2 2 2 (mean 7/4); b: b0 b0 b1 b0 -> 1 1 2 2 (mean 6/4)
    const doc = inspectJson(tempFile('hand.csv', HAND), '--window', '3', '--interval', '2', '--report', 'working-set');
    const means = Object.fromEntries(doc.vms.map((r: Record<string, number>) => [r.vm, [r.working_set_mean, r.working_set_peak]]));
    expect(means).toEqual({ a: [1.75, 2], b: [1.5, 2], TOTAL: [2.25, 3] });
    expect(doc.rows).toEqual([
      { t: 2, vm: 'a', working_set: 2 },
      { t: 2, vm: 'TOTAL', working_set: 2 },
      { t: 4, vm: 'a', working_set: 2 },
      { t: 4, vm: 'b', working_set: 1 },
      { t: 4, vm: 'TOTAL', working_set: 3 },
      { t: 6, vm: 'a', working_set: 2 },
      { t: 6, vm: 'b', working_set: 2 },
      { t: 6, vm: 'TOTAL', working_set: 2 },
      { t: 8, vm: 'a', working_set: 2 },
      { t: 8, vm: 'b', working_set: 2 },
      { t: 8, vm: 'TOTAL', working_set: 3 },
    ]);
    expect(doc.working_set.window).toBe(3);
    expect(doc.working_set.samples[1]).toEqual({ t: 4, total: 3, vms: { a: 2, b: 1 } });
  });

  it('the reuse csv report has fixed columns and cumulative shares', () => {
    const r = cli(['inspect', tempFile('hand.csv', HAND), '--report', 'reuse', '--format', 'csv']);
    expect(r.stdout).toBe(
      [
        'vm,bucket,min_distance,max_distance,accesses,share,cumulative_share',
        'a,0,0,0,0,0,0',
        'a,1,1,1,1,0.25,0.25',
        'a,cold,,,3,0.75,1',
        'b,0,0,0,1,0.25,0.25',
        'b,cold,,,3,0.75,1',
        'TOTAL,0,0,0,1,0.125,0.125',
        'TOTAL,1,1,1,1,0.125,0.25',
        'TOTAL,cold,,,6,0.75,1',
        '',
      ].join('\n'),
    );
  });

  it('reuse distances match a naive reference (distinct pages since the last access), through compactions', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 300 }), (pages) => {
        const timeline = new ReuseTimeline(4); // tiny: compacts and grows often
        const last = new Int32Array(13).fill(-1);
        pages.forEach((page, t) => {
          const previous = pages.lastIndexOf(page, t - 1);
          const expected = t === 0 || previous < 0 ? -1 : new Set(pages.slice(previous + 1, t)).size;
          expect(timeline.access(last, page)).toBe(expected);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('a freed page starts cold, and still counts between the accesses of others', () => {
    // a0 a1 (free a1) a1 a0: a1's second access is cold; a0's distance is 1 (a1, once).
    const doc = inspectJson(tempFile('free.plain', 'R 0x0\nR 0x1000\nF 0x1000 4096\nR 0x1000\nR 0x0\n'));
    expect(doc.reuse_distance.TOTAL).toEqual({ cold_accesses: 3, buckets: [{ min_distance: 0, max_distance: 0, accesses: 0 }, { min_distance: 1, max_distance: 1, accesses: 1 }] });
  });

  it('log2 buckets: 0 | 1 | 2-3 | 4-7 | ...', () => {
    expect([0, 1, 2, 3, 4, 7, 8, 1023, 1024].map(reuseBucket)).toEqual([0, 1, 2, 2, 3, 3, 4, 10, 11]);
  });

  it('W(t, tau) matches a naive reference (distinct pages among the last tau accesses)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 30 }), (pages, tau) => {
        const window = new WorkingSetWindow(tau);
        const last = new Float64Array(10).fill(-Infinity);
        let sum = 0;
        let peak = 0;
        pages.forEach((p, t) => {
          window.access(last, p);
          const expected = new Set(pages.slice(Math.max(0, t - tau + 1), t + 1)).size;
          expect(window.size).toBe(expected);
          sum += expected;
          peak = Math.max(peak, expected);
        });
        expect(window.peak).toBe(peak);
        expect(window.mean).toBeCloseTo(sum / pages.length, 12);
      }),
      { numRuns: 200 },
    );
  });

  it("Mattson: LRU with 2^k frames hits exactly the accesses whose reuse distance is below 2^k", () => {
    const dir = dirname(tempFile('x', ''));
    const trace = join(dir, 'phases.csv');
    expect(cli(['generate', '--pattern', 'mix', '--pages', '300', '--accesses', '20000', '--seed', '5', '-o', trace]).status).toBe(0);
    const reuse = cli(['inspect', trace, '--report', 'reuse', '--format', 'csv']).stdout.trim().split('\n').slice(1);
    const below = (frames: number): number =>
      reuse
        .map((l) => l.split(','))
        .filter((f) => f[0] === 'TOTAL' && f[1] !== 'cold' && Number(f[3]) < frames)
        .reduce((s, f) => s + Number(f[4]), 0);
    for (const frames of [2, 8, 32, 128, 256]) {
      const sim = cli(['simulate', trace, '--frames', String(frames), '--policy', 'lru', '--format', 'json']);
      const hits = JSON.parse(sim.stdout).rows.find((r: { vm: string }) => r.vm === 'TOTAL').hits;
      expect(hits).toBe(below(frames));
    }
  });

  it('the table shows the histogram and, with --plot, a chart of W(t, tau)', () => {
    const r = cli(['inspect', tempFile('hand.csv', HAND), '--window', '3', '--plot']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/distinct pages/);
    expect(r.stdout).toMatch(/reuse distance, all VMs together/);
    expect(r.stdout).toMatch(/working set W\(t, 3\) in pages/);
    expect(r.stdout).toMatch(/█/);
    const noPlot = cli(['inspect', tempFile('hand.csv', HAND)]);
    expect(noPlot.stdout).not.toMatch(/█/); // not a terminal, no --plot
  });

  it('rejects a bad --report or --window with exit 64', () => {
    const f = tempFile('hand.csv', HAND);
    expect(cli(['inspect', f, '--report', 'everything']).status).toBe(64);
    expect(cli(['inspect', f, '--window', '0']).status).toBe(64);
  });
});
