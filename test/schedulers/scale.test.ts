/**
 * Schedulers that scale with the number of VMs (SPEC 2.2: the victim VM in O(log n)). Each
 * scheduler is run beside its reference model (scan-reference.ts: the same rules by a scan of
 * every VM or class per eviction, and filtered walks of one policy order) on random multi-VM
 * traces - late-starting VMs, reserves, limits, priorities, weights, idle tax, full swap and OOM
 * kills - and must make every decision the same: the same evictions in the same order, the same
 * counters, kills and entitlements.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { POLICY_NAMES } from '../../src/policies/index.js';
import { SCHEDULER_NAMES, schedulers, type SchedulerName } from '../../src/schedulers/index.js';
import type { IdleTaxOptions } from '../../src/schedulers/scheduler.js';
import { runAccesses, type Access, type HarnessOptions } from './harness.js';
import { globalScan, highestScan, lowestScan, partitionScan, weightScan } from './scan-reference.js';

const REFERENCE: Record<string, { name: string }> = {
  global: globalScan,
  partition: partitionScan,
  highest: highestScan,
  lowest: lowestScan,
  weight: weightScan,
};
// The engine finds schedulers by name in the registry: the references join it for this file only.
Object.assign(schedulers, { 'global-scan': globalScan, 'partition-scan': partitionScan, 'highest-scan': highestScan, 'lowest-scan': lowestScan, 'weight-scan': weightScan });

interface Scenario {
  frames: number;
  vms: { name: string; weight: number; priority: number; reserve: number; limit: number }[];
  accesses: Access[];
  policy: (typeof POLICY_NAMES)[number];
  swapSlots: number;
  idleTax: IdleTaxOptions | null;
}

function scenarioArb(maxVms: number, maxFrames: number, maxAccesses: number, withParams: boolean): fc.Arbitrary<Scenario> {
  return fc
    .record({ frames: fc.integer({ min: 1, max: maxFrames }), count: fc.integer({ min: 1, max: maxVms }) })
    .chain(({ frames, count }) =>
      fc.record({
        frames: fc.constant(frames),
        vms: fc.array(
          fc.record({
            weight: fc.constantFrom(1, 1, 2, 3, 0.5, 2.5),
            priority: fc.integer({ min: 0, max: 3 }),
            reserve: withParams ? fc.constantFrom(0, 0, 0, 1, 2, 3) : fc.constant(0),
            limitExtra: withParams ? fc.option(fc.integer({ min: 0, max: frames }), { nil: undefined, freq: 3 }) : fc.constant(undefined),
          }),
          { minLength: count, maxLength: count },
        ),
        // Each VM starts at a random point of the trace: first touches while memory is full.
        accesses: fc.array(fc.record({ vm: fc.integer({ min: 0, max: count - 1 }), page: fc.integer({ min: 0, max: 9 }), write: fc.boolean() }), {
          minLength: 1,
          maxLength: maxAccesses,
        }),
        // every registered policy (the reference hands them writes and, under partition, the
        // partition as their capacity, as the schedulers do)
        policy: fc.constantFrom(...POLICY_NAMES),
        swapSlots: fc.constantFrom(Infinity, Infinity, Infinity, 0, 2, 5),
        idleTax: fc.option(fc.record({ rate: fc.constantFrom(0, 0.5, 0.75), window: fc.integer({ min: 1, max: 30 }), samplePages: fc.constantFrom(0, 0, 2) }), {
          nil: null,
          freq: 2,
        }),
      }),
    )
    .map((s) => {
      let left = s.frames;
      const vms = s.vms.map((d, i) => {
        const reserve = Math.min(d.reserve, left);
        left -= reserve;
        const limit = d.limitExtra === undefined ? Infinity : Math.max(1, reserve) + d.limitExtra;
        return { name: `v${i}`, weight: d.weight, priority: d.priority, reserve, limit };
      });
      return { ...s, vms, accesses: s.accesses.map((a) => ({ vm: `v${a.vm}`, page: a.page, write: a.write })) };
    });
}

function outcome(s: Scenario, scheduler: string) {
  const opts: HarnessOptions = {
    frames: s.frames,
    scheduler: scheduler as SchedulerName,
    policy: s.policy,
    vms: s.vms,
    swapSlots: s.swapSlots,
    idleTax: scheduler.startsWith('weight') ? s.idleTax : null,
  };
  const h = runAccesses(s.accesses, opts);
  return {
    log: h.log,
    counters: h.engine.vms.map((c) => ({ ...c })),
    oom: h.engine.oomEvents,
    entitlements: h.engine.scheduler.entitlements(),
  };
}

function sameAsScan(s: Scenario, scheduler: SchedulerName): void {
  const reference = REFERENCE[scheduler];
  if (reference === undefined) throw new Error(`no reference model for scheduler ${scheduler}`);
  expect(outcome(s, scheduler)).toEqual(outcome(s, reference.name));
}

describe('O(log n) victim choice equals the reference scan', () => {
  // balance is held to its own naive scan in test/schedulers/balance.test.ts
  const SCANNED = SCHEDULER_NAMES.filter((n) => n !== 'balance');
  it('every scheduler has a reference model here (balance: balance.test.ts)', () => {
    for (const name of SCANNED) expect(REFERENCE[name], name).toBeDefined();
  });

  for (const scheduler of SCANNED) {
    it(`${scheduler}: few VMs, reserves, limits, priorities, full swap`, () => {
      fc.assert(
        fc.property(scenarioArb(5, 12, 150, true), (s) => sameAsScan(s, scheduler)),
        { numRuns: 250 },
      );
    });

    it(`${scheduler}: every registered policy, few VMs, reserves, limits, full swap`, () => {
      for (const policy of POLICY_NAMES) {
        fc.assert(
          fc.property(
            scenarioArb(5, 12, 150, true).map((sc) => ({ ...sc, policy })),
            (sc) => sameAsScan(sc, scheduler),
          ),
          { numRuns: 25 },
        );
      }
    });

    it(`${scheduler}: many VMs (up to 40), no reserves or limits`, () => {
      fc.assert(
        fc.property(scenarioArb(40, 30, 600, false), (s) => sameAsScan(s, scheduler)),
        { numRuns: 60 },
      );
    });

    it(`${scheduler}: many VMs with reserves and limits`, () => {
      fc.assert(
        fc.property(scenarioArb(30, 40, 600, true), (s) => sameAsScan(s, scheduler)),
        { numRuns: 60 },
      );
    });
  }
});
