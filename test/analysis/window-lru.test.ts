/**
 * The window curves of `balance` (analysis/window-lru.ts) against a naive LRU stack: for every
 * VM and every run, the faults at every size are those of a list of the run's pages in recency
 * order (Mattson), whatever the interleaving of the VMs, the length of the runs, and whether a
 * VM's run stays in the move-to-front list, passes SCAN_PAGES or outgrows SMALL_PAGES.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SMALL_PAGES, WindowCurves } from '../../src/analysis/window-lru.js';
import { curveOf } from '../../src/analysis/plan.js';
import { LruStackDistances } from '../../src/analysis/mrc.js';

/** faults[x] for x = 0..the largest distance of the run ([0] without accesses), by a naive stack */
function naiveCurve(pages: readonly number[]): number[] {
  if (pages.length === 0) return [0];
  const stack: number[] = [];
  const counts: number[] = [];
  for (const p of pages) {
    const at = stack.indexOf(p);
    if (at >= 0) {
      counts[at + 1] = (counts[at + 1] ?? 0) + 1;
      stack.splice(at, 1);
    }
    stack.unshift(p);
  }
  const faults = [pages.length];
  let hits = 0;
  for (let d = 1; d < counts.length; d++) {
    hits += counts[d] ?? 0;
    faults.push(pages.length - hits);
  }
  return faults;
}

/** runs of accesses (vm, page) over `vms` VMs; each VM owns pages vm * 1000 + 0..pages-1 */
const runsArb = (vms: number, pages: number, length: number, size: 'small' | 'max' = 'small') =>
  fc.array(
    fc.array(
      fc.record({
        vm: fc.integer({ min: 0, max: vms - 1 }),
        // skewed: most accesses to a few pages, some anywhere
        page: fc.oneof(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: pages - 1 })),
      }),
      { maxLength: length, size },
    ),
    { minLength: 1, maxLength: 4 },
  );

function check(runs: { vm: number; page: number }[][], vms: number): void {
  const w = new WindowCurves(64);
  for (let v = 0; v < vms; v++) w.addVm();
  w.resize(vms * 1000);
  for (const run of runs) {
    for (const a of run) w.access(a.vm * 1000 + a.page, a.vm);
    for (let v = 0; v < vms; v++) {
      const mine = run.filter((a) => a.vm === v).map((a) => a.page);
      expect(Array.from(w.curve(v))).toEqual(naiveCurve(mine));
      // and as the old way made it: a fresh LruStackDistances per run
      if (mine.length > 0) {
        const s = new LruStackDistances(false, 64);
        s.resize(1000);
        for (const p of mine) s.access(p, false);
        expect(Array.from(w.curve(v))).toEqual(Array.from(curveOf(s.result)));
      }
      // as balance reads it: take() gives the curve and empties the VM's counts (odd VMs are left to clear())
      if (v % 2 === 0) expect(Array.from(w.take(v))).toEqual(naiveCurve(mine));
    }
    w.clear();
  }
}

describe('WindowCurves', () => {
  it('equals a naive LRU stack per VM per run (short lists)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }).chain((vms) => fc.tuple(fc.constant(vms), runsArb(vms, 40, 300))), ([vms, runs]) => check(runs, vms)),
      { numRuns: 200 },
    );
  });

  it('equals a naive LRU stack when runs outgrow the list (more than SMALL_PAGES distinct pages)', () => {
    expect(SMALL_PAGES).toBeLessThan(400);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 }).chain((vms) => fc.tuple(fc.constant(vms), runsArb(vms, 400, 1500, 'max'))), ([vms, runs]) => check(runs, vms)),
      { numRuns: 25 },
    );
  });

  it('covers the three states: scanned list, marked list, LruStackDistances', () => {
    // a loop over 10, then 60, then 300 pages in successive runs
    const runs = [10, 60, 300].map((n) => Array.from({ length: 3 * n }, (_, i) => ({ vm: 0, page: i % n })));
    check(runs, 1);
  });
});
