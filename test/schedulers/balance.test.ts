/**
 * balance beyond the hand-worked cases: with one VM it is global; its targets always respect
 * reserves and limits and add up to the host's frames (or to the limits).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { POLICY_NAMES } from '../../src/policies/index.js';
import { runAccesses, type Access } from './harness.js';

const accessesArb = (vms: number) =>
  fc.array(fc.record({ vm: fc.integer({ min: 0, max: vms - 1 }), page: fc.integer({ min: 0, max: 9 }), write: fc.boolean() }), { minLength: 1, maxLength: 150 });

describe('balance', () => {
  it('with one VM, evicts exactly as global (every policy, swap full or not)', () => {
    fc.assert(
      fc.property(
        accessesArb(1),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom(...POLICY_NAMES),
        fc.constantFrom(Infinity, 0, 2),
        (raw, frames, rebalance, policy, swapSlots) => {
          const accesses: Access[] = raw.map((a) => ({ vm: 'a', page: a.page, write: a.write }));
          const g = runAccesses(accesses, { frames, scheduler: 'global', policy, swapSlots });
          const b = runAccesses(accesses, { frames, scheduler: 'balance', policy, swapSlots, rebalance });
          expect(b.log).toEqual(g.log);
          expect(b.engine.vms[0]!.faults).toBe(g.engine.vms[0]!.faults);
          expect(b.engine.vms[0]!.oomKills).toBe(g.engine.vms[0]!.oomKills);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('targets lie within [reserve, limit] and add up to F (or to the limits) after a rebalance', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 3 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            frames: fc.integer({ min: 3, max: 12 }),
            accesses: accessesArb(n),
            rebalance: fc.integer({ min: 2, max: 25 }),
            reserve: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
            limit: fc.array(fc.option(fc.integer({ min: 2, max: 8 }), { nil: undefined }), { minLength: n, maxLength: n }),
            weight: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: n, maxLength: n }),
          }),
        ),
        (s) => {
          const names = ['a', 'b', 'c'].slice(0, s.n);
          const accesses: Access[] = s.accesses.map((a) => ({ vm: names[a.vm]!, page: a.page, write: a.write }));
          // every VM appears, in name order
          names.forEach((name, i) => accesses.splice(i, 0, { vm: name, page: 0 }));
          const vms = names.map((name, i) => ({ name, weight: s.weight[i]!, reserve: s.reserve[i]!, limit: Math.max(s.reserve[i]!, s.limit[i] ?? Infinity) }));
          // the reserves fit in memory
          const frames = Math.max(s.frames, vms.reduce((a, v) => a + v.reserve, 0));
          const h = runAccesses(accesses, { frames, scheduler: 'balance', rebalance: s.rebalance, vms });
          expect(h.violations).toEqual([]);
          if (accesses.length <= s.rebalance) return; // the first rebalance comes before access N
          const targets = h.engine.scheduler.targets!();
          const sumLimits = vms.reduce((a, v) => a + Math.min(v.limit, frames), 0);
          expect(targets.reduce((a, b) => a + b, 0)).toBe(Math.min(frames, sumLimits));
          targets.forEach((t, i) => {
            expect(Number.isInteger(t)).toBe(true);
            expect(t).toBeGreaterThanOrEqual(vms[i]!.reserve);
            expect(t).toBeLessThanOrEqual(vms[i]!.limit);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('balance victim choice', () => {
  it('the segment tree names the VM a naive scan names: the largest resident - target, ties the VM listed first', () => {
    let watched = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            frames: fc.integer({ min: 2, max: 12 }),
            accesses: accessesArb(n),
            rebalance: fc.integer({ min: 1, max: 20 }),
            reserve: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
            weight: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: n, maxLength: n }),
          }),
        ),
        (s) => {
          const names = ['a', 'b', 'c', 'd', 'e'].slice(0, s.n);
          const accesses: Access[] = s.accesses.map((a) => ({ vm: names[a.vm]!, page: a.page }));
          names.forEach((name, i) => accesses.splice(i, 0, { vm: name, page: 0 }));
          const vms = names.map((name, i) => ({ name, weight: s.weight[i]!, reserve: s.reserve[i]! }));
          const frames = Math.max(s.frames, vms.reduce((a, v) => a + v.reserve, 0));
          const mismatches: string[] = [];
          // Watch every choice: after victim() returns, nothing has moved yet (the engine evicts next).
          const h = runAccesses(accesses, {
            frames,
            scheduler: 'balance',
            rebalance: s.rebalance,
            vms,
            watch: (engine, v, page) => {
              watched++;
              const targets = engine.scheduler.targets!();
              let best = -1;
              let bestKey = -Infinity;
              engine.vms.forEach((c, u) => {
                const eligible = u === v ? c.resident > 0 : c.resident > vms[u]!.reserve;
                const key = c.resident - targets[u]!;
                if (eligible && (best < 0 || key > bestKey)) {
                  best = u;
                  bestKey = key;
                }
              });
              const got = page < 0 ? -1 : engine.ids.vmOf[page]!;
              if (got !== best) mismatches.push(`access ${engine.position - 1}: got ${got}, naive ${best}`);
            },
          });
          expect(h.violations).toEqual([]);
          expect(mismatches).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
    expect(watched).toBeGreaterThan(500);
  });
});
