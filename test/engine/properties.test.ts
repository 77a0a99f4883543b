/**
 * Properties of the engine that hold for every policy and trace (fast-check, bounded runs).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { POLICY_NAMES, type PolicyName } from '../../src/policies/index.js';
import { rowsArb, runEngine, settingsArb, simulateRows } from './drive.js';

const policyArb = fc.constantFrom<PolicyName>(...POLICY_NAMES);

describe('engine properties', () => {
  it('accesses = hits + faults = reads + writes, faults = minor + major, swap-ins = major faults (per VM and total)', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArb({ maxVms: 3, maxPages: 8, maxLength: 80, allocOps: true }), settingsArb, policyArb, fc.boolean(), async (rows, s, policy, strictAlloc) => {
        const out = await simulateRows(rows, { ...s, policy, strictAlloc });
        for (const { name, counters: c } of [...out.vms, out.total]) {
          expect(c.hits + c.faults, name).toBe(c.accesses);
          expect(c.reads + c.writes, name).toBe(c.accesses);
          expect(c.minorFaults + c.majorFaults, name).toBe(c.faults);
          expect(c.swapIns, name).toBe(c.majorFaults);
        }
        // Every R/W row is an access, an invalid access (--strict-alloc) or skipped after an OOM kill.
        const rw = rows.filter((r) => r.op === 'R' || r.op === 'W').length;
        expect(out.total.counters.accesses + out.total.counters.invalid + out.total.counters.oomSkipped).toBe(rw);
      }),
      { numRuns: 200 },
    );
  });

  it('never holds more pages than frames, nor more slots than swap, at any point', () => {
    fc.assert(
      fc.property(rowsArb({ maxVms: 3, maxPages: 8, maxLength: 80, allocOps: true }), settingsArb, policyArb, (rows, s, policy) => {
        let checks = 0;
        const run = runEngine(rows, { ...s, policy }, (engine) => {
          const check = (): void => {
            checks++;
            expect(engine.framesInUse).toBeLessThanOrEqual(s.frames);
            expect(engine.vms.reduce((n, c) => n + c.resident, 0)).toBe(engine.framesInUse);
            expect(engine.swapUsed).toBeLessThanOrEqual(s.swapSlots);
            expect(engine.vms.reduce((n, c) => n + c.swapSlots, 0)).toBe(engine.swapUsed);
            // a frame belongs to at most one page and a resident page to one frame
            const owners = [...engine.frameOwner].filter((p) => p >= 0);
            expect(new Set(owners).size).toBe(owners.length);
            expect(owners.length).toBe(engine.framesInUse);
          };
          return { access: check, unmapped: () => {}, reset: check };
        });
        expect(run.error).toBeUndefined();
        expect(run.engine.framesPeak).toBeLessThanOrEqual(s.frames);
        expect(run.engine.swapPeak).toBeLessThanOrEqual(s.swapSlots);
        // every access that was served was checked
        expect(checks).toBeGreaterThanOrEqual(run.engine.vms.reduce((n, c) => n + c.accesses, 0));
      }),
      { numRuns: 200 },
    );
  });

  it('OPT never faults more than any other policy (reads and writes, unlimited swap)', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArb({ maxVms: 2, maxPages: 8, maxLength: 80 }), fc.integer({ min: 1, max: 6 }), async (rows, frames) => {
        const faults = async (policy: PolicyName): Promise<number> =>
          (await simulateRows(rows, { frames, swapSlots: Infinity, policy })).total.counters.faults;
        const opt = await faults('opt');
        for (const policy of POLICY_NAMES) expect(opt, policy).toBeLessThanOrEqual(await faults(policy));
      }),
      { numRuns: 100 },
    );
  });

  it('LRU never faults more with more frames (the stack property)', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArb({ maxVms: 2, maxPages: 10, maxLength: 80 }), fc.integer({ min: 1, max: 8 }), async (rows, frames) => {
        const fewer = await simulateRows(rows, { frames, swapSlots: Infinity, policy: 'lru' });
        const more = await simulateRows(rows, { frames: frames + 1, swapSlots: Infinity, policy: 'lru' });
        expect(more.total.counters.faults).toBeLessThanOrEqual(fewer.total.counters.faults);
      }),
      { numRuns: 150 },
    );
  });
});
