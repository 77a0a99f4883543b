/**
 * Property tests over random VMs and configurations (fast-check, bounded runs): the scheduling
 * rules hold at every step, weight converges to the weights' proportions, global with declared
 * default VMs is plain simulate.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { POLICY_NAMES } from '../../src/policies/index.js';
import { SCHEDULER_NAMES } from '../../src/schedulers/index.js';
import { config, plainTrace, textSource } from '../helpers.js';
import { simulate } from '../../src/run/simulate.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { runAccesses, type Access } from './harness.js';

const NAMES = ['a', 'b', 'c', 'd'];

/** Random VMs whose reserves fit in `frames`, with limits >= max(1, reserve) (or none). */
function vmsArb(frames: number, count: number) {
  return fc
    .array(
      fc.record({
        weight: fc.integer({ min: 1, max: 4 }),
        priority: fc.integer({ min: 0, max: 2 }),
        reserve: fc.integer({ min: 0, max: frames }),
        limitExtra: fc.option(fc.integer({ min: 0, max: frames }), { nil: undefined }),
      }),
      { minLength: count, maxLength: count },
    )
    .map((drafts) => {
      let left = frames;
      return drafts.map((d, i) => {
        const reserve = Math.min(d.reserve, left);
        left -= reserve;
        const limit = d.limitExtra === undefined ? Infinity : Math.max(1, reserve) + d.limitExtra;
        return { name: NAMES[i]!, weight: d.weight, priority: d.priority, reserve, limit };
      });
    });
}

const scenarioArb = fc
  .record({ frames: fc.integer({ min: 1, max: 10 }), count: fc.integer({ min: 1, max: 4 }) })
  .chain(({ frames, count }) =>
    fc.record({
      frames: fc.constant(frames),
      vms: vmsArb(frames, count),
      accesses: fc.array(
        fc.record({ vm: fc.integer({ min: 0, max: count - 1 }), page: fc.integer({ min: 0, max: 7 }), write: fc.boolean() }),
        { minLength: 1, maxLength: 120 },
      ),
      scheduler: fc.constantFrom(...SCHEDULER_NAMES),
      policy: fc.constantFrom(...POLICY_NAMES),
      swapSlots: fc.constantFrom(Infinity, Infinity, 0, 1, 3),
      rebalance: fc.integer({ min: 1, max: 30 }),
      idleTax: fc.option(fc.record({ rate: fc.constantFrom(0, 0.5, 0.75), window: fc.integer({ min: 1, max: 20 }), samplePages: fc.constantFrom(0, 0, 2) }), {
        nil: null,
      }),
    }),
  );

describe('scheduling rules at every step', () => {
  it('reserve never violated, limit never exceeded, no frame lost to a weaker priority or across partitions', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const accesses: Access[] = s.accesses.map((a) => ({ vm: NAMES[a.vm]!, page: a.page, write: a.write }));
        const h = runAccesses(accesses, {
          frames: s.frames,
          scheduler: s.scheduler,
          policy: s.policy,
          vms: s.vms,
          swapSlots: s.swapSlots,
          idleTax: s.scheduler === 'weight' ? s.idleTax : null,
          rebalance: s.scheduler === 'balance' ? s.rebalance : undefined,
        });
        expect(h.violations).toEqual([]);
        // every access was served, or skipped because its VM had been OOM-killed
        const served = h.engine.vms.reduce((n, c) => n + c.accesses + c.oomSkipped, 0);
        expect(served).toBe(accesses.length);
      }),
      { numRuns: 400 },
    );
  });

  it('with unlimited swap and no reserves or limits, highest and lowest never kill a VM that holds frames', () => {
    // A VM holding a frame can always replace its own page; only a VM with nothing may starve.
    fc.assert(
      fc.property(scenarioArb, fc.constantFrom('highest' as const, 'lowest' as const), (s, scheduler) => {
        const accesses: Access[] = s.accesses.map((a) => ({ vm: NAMES[a.vm]!, page: a.page }));
        const vms = s.vms.map((v) => ({ name: v.name, priority: v.priority }));
        const h = runAccesses(accesses, { frames: s.frames, scheduler, vms });
        for (const e of h.engine.oomEvents) expect(e.framesFreed).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});

/** Pages drawn uniformly from 3F pages of each VM's own (the same demand), one access of each VM in turn. */
function busyVms(weights: number[], frames: number, seed: number): Access[] {
  let x = seed;
  const random = (): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
  const accesses: Access[] = [];
  for (let round = 0; round < 40 * frames; round++) {
    weights.forEach((_, i) => accesses.push({ vm: NAMES[i]!, page: Math.floor(random() * 3 * frames) }));
  }
  return accesses;
}

const busyArb = (weights: fc.Arbitrary<number[]>) =>
  weights.chain((w) =>
    fc.record({
      weights: fc.constant(w),
      frames: fc.integer({ min: 2 * w.length, max: 24 }),
      seed: fc.integer({ min: 1, max: 1e6 }),
      policy: fc.constantFrom('lru' as const, 'fifo' as const, 'clock' as const, 'random' as const),
    }),
  );

function settle({ weights, frames, seed, policy }: { weights: number[]; frames: number; seed: number; policy: 'lru' | 'fifo' | 'clock' | 'random' }) {
  const vms = weights.map((w, i) => ({ name: NAMES[i]!, weight: w }));
  const h = runAccesses(busyVms(weights, frames, seed), { frames, scheduler: 'weight', policy, vms });
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w, i) => ({ resident: h.resident(NAMES[i]!), entitled: (frames * w) / total, w, total }));
}

describe('weight', () => {
  it('with all VMs busy and the same demand, two VMs end within one frame of the weights', () => {
    fc.assert(
      fc.property(busyArb(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 2 })), (s) => {
        for (const v of settle(s)) expect(Math.abs(v.resident - v.entitled)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 60 },
    );
  });

  it('with all VMs busy, the same demand and equal weights, any number of VMs end within one frame', () => {
    fc.assert(
      fc.property(
        busyArb(fc.integer({ min: 2, max: 4 }).chain((n) => fc.integer({ min: 1, max: 3 }).map((w) => new Array<number>(n).fill(w)))),
        (s) => {
          for (const v of settle(s)) expect(Math.abs(v.resident - v.entitled)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('with unequal weights, three or more VMs settle where no transfer makes the ratio fairer', () => {
    // A ratio rule cannot promise one frame here (F = 18, weights 1 1 3: 3 3 12 is settled,
    // 12 is 1.2 over 10.8). What holds: the VMs settle (max r/e <= min (r+1)/e, the divisor
    // method's condition), so nobody is below its entitlement by a frame or more, and VM i is
    // over by at most (n - 1) w_i / W frames.
    fc.assert(
      fc.property(busyArb(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 4 })), (s) => {
        // An entitlement below one frame cannot settle: such a VM needs a frame to run at all,
        // and holding it puts it over (1 / e > 1) - so F >= W here, every e >= 1.
        const vms = settle({ ...s, frames: Math.max(s.frames, s.weights.reduce((a, b) => a + b, 0)) });
        const n = vms.length;
        const most = Math.max(...vms.map((v) => v.resident / v.entitled));
        for (const v of vms) {
          expect(most).toBeLessThanOrEqual((v.resident + 1) / v.entitled + 1e-9);
          expect(v.resident).toBeGreaterThan(v.entitled - 1);
          expect(v.resident - v.entitled).toBeLessThanOrEqual(((n - 1) * v.w) / v.total + 1e-9);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('global', () => {
  it('with one declared VM of default parameters gives the same result as simulate without --vm', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 150 }),
        fc.array(fc.boolean(), { minLength: 150, maxLength: 150 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(...POLICY_NAMES),
        fc.constantFrom(Infinity, 2),
        async (pages, writes, frames, policy, swapSlots) => {
          const text = plainTrace(pages, writes);
          const run = (declared: boolean) =>
            simulate({
              sources: [textSource(text, 'plain', 'vm')],
              read: DEFAULT_READ_OPTIONS,
              config: config({
                frames,
                policy,
                swapSlots,
                vms: declared ? [{ name: 'vm', origin: 'test', priority: 0, weight: 1, reserve: 0, limit: Infinity }] : undefined,
              }),
            });
          const [plain, declared] = [await run(false), await run(true)];
          expect(declared.total.counters).toEqual(plain.total.counters);
          expect(plain.scheduling).toBeNull();
          expect(declared.scheduling).not.toBeNull();
        },
      ),
      { numRuns: 100 },
    );
  });

  it('is unchanged by declared default parameters with several VMs', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const accesses: Access[] = s.accesses.map((a) => ({ vm: NAMES[a.vm]!, page: a.page, write: a.write }));
        const plain = runAccesses(accesses, { frames: s.frames, scheduler: 'global', policy: s.policy, swapSlots: s.swapSlots });
        const declared = runAccesses(accesses, {
          frames: s.frames,
          scheduler: 'global',
          policy: s.policy,
          swapSlots: s.swapSlots,
          vms: s.vms.map((v) => ({ name: v.name, weight: v.weight, priority: v.priority })),
        });
        expect(declared.log).toEqual(plain.log);
      }),
      { numRuns: 150 },
    );
  });
});

describe('highest with all priorities equal', () => {
  it('is global (the policy chooses among all pages)', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const accesses: Access[] = s.accesses.map((a) => ({ vm: NAMES[a.vm]!, page: a.page, write: a.write }));
        // random is left out: one instance per class draws from a different seed than global's
        if (s.policy === 'random') return;
        const global = runAccesses(accesses, { frames: s.frames, scheduler: 'global', policy: s.policy, swapSlots: s.swapSlots });
        const highest = runAccesses(accesses, { frames: s.frames, scheduler: 'highest', policy: s.policy, swapSlots: s.swapSlots });
        expect(highest.log).toEqual(global.log);
      }),
      { numRuns: 150 },
    );
  });
});
