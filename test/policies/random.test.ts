import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rowsArb, runEngine, settingsArb } from '../engine/drive.js';
import type { RefRow } from '../engine/reference-model.js';

/** reads of pages 0..n-1 in a loop: every access after the first `frames` evicts */
const loop = (n: number, length: number): RefRow[] => Array.from({ length }, (_, i) => ({ vm: 0, page: i % n, op: 'R' }));

describe('RANDOM (SPEC 2.1)', () => {
  it('the same seed gives the same victims', () => {
    const rows = loop(9, 400);
    const a = runEngine(rows, { frames: 4, swapSlots: Infinity, policy: 'random', seed: 7 });
    const b = runEngine(rows, { frames: 4, swapSlots: Infinity, policy: 'random', seed: 7 });
    expect(a.victims.length).toBeGreaterThan(100);
    expect(b.victims).toEqual(a.victims);
    expect(b.engine.vms[0]).toEqual(a.engine.vms[0]);
  });

  it('different seeds can give different victims', () => {
    const rows = loop(9, 400);
    const runs = [1, 2, 3, 4, 5].map((seed) => JSON.stringify(runEngine(rows, { frames: 4, swapSlots: Infinity, policy: 'random', seed }).victims));
    expect(new Set(runs).size).toBe(5);
  });

  it('only ever names a page that is in a frame', () => {
    // (test/policies/reference.test.ts also replays these victims through the reference model,
    // which checks that none is dirty when swap is full.)
    fc.assert(
      fc.property(rowsArb({ maxVms: 3, maxPages: 7, maxLength: 60 }), settingsArb, fc.nat(1000), (rows, s, seed) => {
        const run = runEngine(rows, { ...s, policy: 'random', seed });
        expect(run.error).toBeUndefined();
        expect(run.victimsResident.every(Boolean)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('chooses uniformly among the resident pages', () => {
    // 4 frames, a loop over 5 pages: each fault evicts one of 4 pages. Rank each victim by load
    // order (0 = loaded earliest); a uniform choice hits each rank about a quarter of the time
    // (4 standard deviations of slack at about 3000 evictions).
    const rows = loop(5, 8000);
    const loaded: number[] = [];
    const counts = [0, 0, 0, 0];
    const run = runEngine(rows, { frames: 4, swapSlots: Infinity, policy: 'random', seed: 3 }, () => ({
      access: (p, _v, _f, kind) => {
        if (kind !== 0) loaded.push(p);
      },
      unmapped: (p) => {
        const rank = loaded.indexOf(p);
        counts[rank]!++;
        loaded.splice(rank, 1);
      },
      reset: () => {},
    }));
    const evictions = run.engine.vms[0]!.evictions;
    expect(evictions).toBeGreaterThan(3000);
    for (const c of counts) expect(Math.abs(c / evictions - 0.25)).toBeLessThan(0.03);
  });
});
