/**
 * The operating systems' policies (docs/os-policies.md) against the naive model of
 * test/engine/reference-model.ts with small ticks, few counter bits and short windows, so that
 * ticks, counter shifts, old pages and write-backs happen within short random traces: several
 * VMs, reads and writes, A/F/RESET, swap limits (write-backs fail, OOM kills), every counter.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PolicyOptions } from '../../src/policies/policy.js';
import { modelByVm, outcomeByVm, rowsArb, settingsArb, simulateRows } from '../engine/drive.js';
import { referenceSimulate, type RefRow } from '../engine/reference-model.js';

const RUNS = Number(process.env.RUNS ?? 200);
const OS = ['mru', 'nru', 'aging', 'wsclock', 'linux'] as const;

const optionsArb = fc.record({
  tick: fc.integer({ min: 1, max: 9 }),
  agingBits: fc.integer({ min: 1, max: 5 }),
  tau: fc.integer({ min: 0, max: 12 }),
});

async function expectModel(name: (typeof OS)[number], rows: RefRow[], s: { frames: number; swapSlots: number; strictAlloc?: boolean }, o: PolicyOptions): Promise<void> {
  const ref = referenceSimulate(rows, { ...s, policy: name, tick: o.tick, agingBits: o.agingBits, tau: o.tau });
  const out = await simulateRows(rows, { ...s, policy: name, policyOptions: o });
  expect(outcomeByVm(out)).toEqual(modelByVm(ref, rows));
  expect(out.host.framesInUsePeak).toBe(ref.framesPeak);
  expect(out.host.framesInUseEnd).toBe(ref.framesEnd);
  expect(out.host.swapInUsePeak).toBe(ref.swapPeak);
  expect(out.host.swapInUseEnd).toBe(ref.swapEnd);
  expect(out.oomEvents.map((e) => [e.name, e.position])).toEqual(ref.kills.map((k) => [`vm${k.vm}`, k.position]));
}

describe.each(OS)('%s with small --tick, --aging-bits and --tau against the reference model', (name) => {
  it('equals it on random read/write traces of 1-3 VMs, with and without swap limits', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArb({ maxVms: 3, maxPages: 8, maxLength: 80 }), settingsArb, optionsArb, async (rows, s, o) => {
        await expectModel(name, rows, s, o);
      }),
      { numRuns: RUNS },
    );
  });

  it('equals it with A, F and RESET rows, with and without --strict-alloc', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArb({ maxVms: 3, maxPages: 6, maxLength: 80, allocOps: true }), settingsArb, optionsArb, fc.boolean(), async (rows, s, o, strictAlloc) => {
        await expectModel(name, rows, { ...s, strictAlloc }, o);
      }),
      { numRuns: RUNS },
    );
  });

  it('equals it on longer traces over more frames (slot renumbering, many ticks)', async () => {
    await fc.assert(
      fc.asyncProperty(
        rowsArb({ maxVms: 2, maxPages: 40, maxLength: 400 }),
        fc.record({ frames: fc.integer({ min: 2, max: 24 }), swapSlots: fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 30 })) }),
        optionsArb,
        async (rows, s, o) => {
          await expectModel(name, rows, s, o);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('wsclock when every resident page is young and most are dirty (its shortcuts: no old page until a known time, a run known dirty, no clean page)', () => {
  it('equals the reference model on loops over more pages than frames, tau long against the frames', async () => {
    const loopArb = fc
      .record({
        vms: fc.integer({ min: 1, max: 2 }),
        pages: fc.integer({ min: 4, max: 30 }),
        rounds: fc.integer({ min: 2, max: 12 }),
        writes: fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
        noise: fc.array(fc.tuple(fc.nat(), fc.nat(29), fc.boolean()), { maxLength: 20 }),
      })
      .map(({ vms, pages, rounds, writes, noise }) => {
        const rows: RefRow[] = [];
        for (let r = 0; r < rounds; r++) for (let p = 0; p < pages; p++) rows.push({ vm: p % vms, page: p, op: writes[p]! ? 'W' : 'R' });
        // a few accesses out of the loop's order (hits, writes that make clean pages dirty)
        for (const [at, page, write] of noise) rows.splice(at % (rows.length + 1), 0, { vm: (page % pages) % vms, page: page % pages, op: write ? 'W' : 'R' });
        return rows;
      });
    await fc.assert(
      fc.asyncProperty(
        loopArb,
        fc.record({ frames: fc.integer({ min: 2, max: 12 }), swapSlots: fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 12 })) }),
        fc.integer({ min: 0, max: 400 }),
        async (rows, s, tau) => {
          await expectModel('wsclock', rows, s, { tick: 1000, agingBits: 8, tau });
        },
      ),
      { numRuns: RUNS },
    );
  });
});
