/**
 * mrc's write-back counters (major faults, swap-ins, swap-outs, evictions at every size, one
 * pass) against the engine replayed at every size, and by hand.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lruCounters, optFaults, stackDistancePass, type StackPolicy } from '../../src/run/curves.js';
import type { SizeCounters } from '../../src/analysis/mrc.js';
import { loadPageTrace, nextUseOf } from '../../src/run/page-trace.js';
import { runCell, sweepTrace } from '../../src/run/sweep.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { config, textSource } from '../helpers.js';

interface Op {
  vm: number;
  op: 'R' | 'W' | 'F' | 'RESET';
  page: number;
}

function csvTrace(ops: readonly Op[]): string {
  return `vm,op,addr\n${ops.map((o) => `vm${o.vm},${o.op},${o.op === 'RESET' ? 0 : o.page}`).join('\n')}\n`;
}

/** The engine's counters at sizes 1..max (index = frames). */
async function replayed(text: string, format: 'csv' | 'plain', policy: StackPolicy, max: number): Promise<SizeCounters[]> {
  const trace = await loadPageTrace([textSource(text, format)], DEFAULT_READ_OPTIONS, 1);
  const sweep = sweepTrace(trace, policy === 'opt' ? nextUseOf(trace, trace.ids.count) : null);
  const out: SizeCounters[] = [];
  for (let frames = 1; frames <= max; frames++) {
    const r = runCell(sweep, config({ policy, frames }));
    if (!r.ok) throw new Error(r.message);
    out.push({ faults: r.faults, majorFaults: r.majorFaults, swapIns: r.swapIns, swapOuts: r.swapOuts, evictions: r.evictions });
  }
  return out;
}

/** The one-pass counters at sizes 1..max; OPT through its stack (budget Infinity) or replayed (0). */
async function onePass(text: string, format: 'csv' | 'plain', policy: StackPolicy, max: number, budgetPerSize = Infinity): Promise<SizeCounters[]> {
  const pass = await stackDistancePass({
    sources: [textSource(text, format)],
    read: DEFAULT_READ_OPTIONS,
    pageSize: 1,
    lruSamples: policy === 'lru' ? [null] : [],
    keepTrace: policy === 'opt',
  });
  const sizes = Array.from({ length: max }, (_, i) => i + 1);
  if (policy === 'lru') return lruCounters(pass, null, sizes);
  const opt = await optFaults(pass, null, sizes, { jobs: 1, budgetPerSize });
  if (budgetPerSize === Infinity) expect(opt.method).toBe('stack');
  return opt.counters;
}

describe('write-back counters by hand', () => {
  it('LRU, W1 R2 R3 R1 R2 W3 R1: swap-outs, majors and evictions at 1, 2 and 3 frames', async () => {
    const text = 'W 1\nR 2\nR 3\nR 1\nR 2\nW 3\nR 1\n';
    // 1 frame: every access faults (7). Evictions 6. 1 is evicted dirty by R2 (swap-out);
    //   R1 (4th) is major, then clean with a slot; W3 dirties 3, R1 evicts it (swap-out 2);
    //   R1 (7th) is major. Majors: R1, R1 and 3? 3 was never written before W3: minor. = 2.
    // 2 frames: W1 R2 | R3 evicts 1 (dirty: swap-out) | R1 major, evicts 2 | R2 evicts 3 |
    //   W3 evicts 1 (clean, slot kept) | R1 major, evicts 2. Faults 7, majors 2, swap-outs 1, evictions 5.
    // 3 frames: 3 cold misses, then all hits: no evictions.
    const c = await onePass(text, 'plain', 'lru', 3);
    expect(c[0]).toEqual({ faults: 7, majorFaults: 2, swapIns: 2, swapOuts: 2, evictions: 6 });
    expect(c[1]).toEqual({ faults: 7, majorFaults: 2, swapIns: 2, swapOuts: 1, evictions: 5 });
    expect(c[2]).toEqual({ faults: 3, majorFaults: 0, swapIns: 0, swapOuts: 0, evictions: 0 });
  });

  it('F clears the write: W1 R2 F1 R1 at 1 frame is minor, and freeing an evicted page counts no eviction twice', async () => {
    // 1 frame: W1 | R2 evicts 1 dirty (swap-out 1) | F1 frees its slot | R1 minor, evicts 2.
    const c = await onePass('W 1\nR 2\nF 1\nR 1\n', 'plain', 'lru', 2);
    expect(c[0]).toEqual({ faults: 3, majorFaults: 0, swapIns: 0, swapOuts: 1, evictions: 2 });
    // 2 frames: W1 R2 | F1 frees a frame | R1 takes it: no eviction at all.
    expect(c[1]).toEqual({ faults: 3, majorFaults: 0, swapIns: 0, swapOuts: 0, evictions: 0 });
  });

  it('OPT evicts the dead pages least recently used first, and that decides the swap-outs', async () => {
    // 2 frames: W1 R2 are never used again; R3 evicts 1 (the least recently used of the dead
    // pages): a swap-out. Had it evicted 2, there would be none.
    const c = await onePass('W 1\nR 2\nR 3\n', 'plain', 'opt', 2);
    expect(c[1]).toEqual({ faults: 3, majorFaults: 0, swapIns: 0, swapOuts: 1, evictions: 1 });
  });
});

const opArb = (vms: number, pages: number) =>
  fc.record({
    vm: fc.integer({ min: 0, max: vms - 1 }),
    op: fc.constantFrom<Op['op']>('R', 'R', 'R', 'W', 'W', 'W', 'F', 'RESET'),
    page: fc.integer({ min: 0, max: pages - 1 }),
  });

const traceArb = fc
  .array(opArb(3, 12), { minLength: 1, maxLength: 200 })
  .filter((ops) => ops.some((o) => o.op === 'R' || o.op === 'W'));

describe('write-back counters equal the engine replayed at every size (property)', () => {
  for (const policy of ['lru', 'opt'] as const) {
    it(`${policy}: random traces with writes, F, RESET and three VMs`, async () => {
      await fc.assert(
        fc.asyncProperty(traceArb, async (ops) => {
          const text = csvTrace(ops);
          const max = 37; // beyond the footprint (at most 36 pages): the sizes where nothing is evicted too
          const reference = await replayed(text, 'csv', policy, max);
          expect(await onePass(text, 'csv', policy, max)).toEqual(reference);
          if (policy === 'opt') expect(await onePass(text, 'csv', policy, max, 0)).toEqual(reference);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('lru and opt on reads and writes only (no F: OPT must still order its dead pages)', async () => {
    const rw = fc.array(
      fc.record({ vm: fc.constant(0), op: fc.constantFrom<Op['op']>('R', 'W'), page: fc.integer({ min: 0, max: 9 }) }),
      { minLength: 1, maxLength: 150 },
    );
    await fc.assert(
      fc.asyncProperty(rw, async (ops) => {
        const text = csvTrace(ops);
        for (const policy of ['lru', 'opt'] as const) expect(await onePass(text, 'csv', policy, 11)).toEqual(await replayed(text, 'csv', policy, 11));
      }),
      { numRuns: 100 },
    );
  });
});

describe('write-back counters under SHARDS', () => {
  it('at rate 1 equal the exact ones (lru, and opt through its stack and replayed)', async () => {
    await fc.assert(
      fc.asyncProperty(traceArb, async (ops) => {
        const text = csvTrace(ops);
        const sizes = Array.from({ length: 30 }, (_, i) => i + 1);
        const lru = await stackDistancePass({ sources: [textSource(text, 'csv')], read: DEFAULT_READ_OPTIONS, pageSize: 1, lruSamples: [null, 1], keepTrace: true });
        expect(lruCounters(lru, 1, sizes)).toEqual(lruCounters(lru, null, sizes));
        for (const budgetPerSize of [Infinity, 0]) {
          const exact = await optFaults(lru, null, sizes, { jobs: 1, budgetPerSize });
          const sampled = await optFaults(lru, 1, sizes, { jobs: 1, budgetPerSize });
          expect(sampled.counters).toEqual(exact.counters);
        }
      }),
      { numRuns: 40 },
    );
  });
});
