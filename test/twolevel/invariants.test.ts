/**
 * SPEC 2.7's invariants at every step of random runs that do reclaim (overcommitted hosts, every
 * ladder, balloons, compression, free page reporting, bounded swaps, several VMs and schedulers):
 * guest resident <= G - balloon; backed guest frames <= F; no host frame backs two guest frames;
 * a ballooned guest frame is never backed (checkInvariants). And the counters' bookkeeping:
 * double paging and false reads are host swap-ins, a VM's host faults split into minor, major
 * and decompressions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rowsArb } from '../engine/drive.js';
import { POLICY_NAMES, policies } from '../../src/policies/index.js';
import { checkInvariants, guest, runTwo } from './harness.js';

const HOST_POLICIES = POLICY_NAMES.filter((p) => !policies[p].needsFuture);

describe('two levels: invariants at every step', () => {
  it('holds under every ladder on overcommitted hosts', () => {
    // the runs must reach every rung (else the property says little)
    const seen = { balloon: 0, deflation: 0, compression: 0, decompression: 0, doublePaging: 0, falseRead: 0, freedSwapOut: 0, oom: 0 };
    fc.assert(
      fc.property(
        rowsArb({ maxVms: 3, maxPages: 8, maxLength: 60, allocOps: true }),
        fc.array(fc.record({ frames: fc.integer({ min: 1, max: 6 }), balloon: fc.boolean(), balloonMax: fc.constantFrom(0, 25, 65, 100), compressMax: fc.constantFrom(0, 20, 50, 100), compressRatio: fc.constantFrom(1, 2, 3) }), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(...HOST_POLICIES),
        fc.constantFrom(...POLICY_NAMES),
        fc.constantFrom<('balloon' | 'compress' | 'swap')[]>(['swap'], ['balloon', 'swap'], ['compress', 'swap'], ['balloon', 'compress', 'swap'], ['compress', 'balloon', 'swap'], ['balloon']),
        fc.boolean(),
        fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 6 })),
        fc.constantFrom('global', 'partition', 'weight', 'highest') as fc.Arbitrary<'global' | 'partition' | 'weight' | 'highest'>,
        (rs, gs, frames, hostPolicy, guestPolicy, reclaim, freePageReporting, swapSlots, scheduler) => {
          const guests = gs.map((g) => guest({ ...g, policy: guestPolicy }));
          const run = runTwo(rs.map((r) => ({ ...r })), { frames, policy: hostPolicy, guests, reclaim, freePageReporting, swapSlots, scheduler }, (r) => checkInvariants(r));
          for (let v = 0; v < run.guests.length; v++) {
            const g = run.guests[v]!;
            const h = run.host.vms[v]!;
            expect(g.level.doublePaging + g.level.falseReads).toBeLessThanOrEqual(h.swapIns);
            expect(h.majorFaults).toBe(h.swapIns);
            expect(h.minorFaults).toBeGreaterThanOrEqual(g.level.decompressions);
            if (!reclaim.includes('balloon')) expect(g.level.balloonPeak).toBe(0);
            if (!reclaim.includes('compress')) expect(g.level.compressions).toBe(0);
            if (freePageReporting) expect(g.level.freedSwapOuts).toBe(0);
            seen.balloon += g.level.balloonInflations;
            seen.deflation += g.level.balloonDeflations;
            seen.compression += g.level.compressions;
            seen.decompression += g.level.decompressions;
            seen.doublePaging += g.level.doublePaging;
            seen.falseRead += g.level.falseReads;
            seen.freedSwapOut += g.level.freedSwapOuts;
            seen.oom += g.counters.oomKills;
          }
        },
      ),
      { numRuns: 300 },
    );
    for (const [what, n] of Object.entries(seen)) expect(n, what).toBeGreaterThan(0);
  });
});
