/**
 * Content sharing at the host with two levels, as properties (fast-check, bounded runs):
 * 1. the invariants at every step of random runs with --dedup ideal|ksm under every ladder, the
 *    share rung in any place (no host frame backs two guest frames unless they are shared with
 *    one content; a shared frame counted once in the host's frames in use; the memory model's
 *    own check());
 * 2. a reduction: with guest memory for every page of a VM (the guests never evict) and R/W
 *    rows, the host is the one-level engine over guest frames, one per page in order of first
 *    touch, each holding its page's content; so its faults, hits, copy-on-write faults, merges,
 *    pages_shared, pages_sharing (per VM), frames in use and ksm's pages scanned equal a
 *    one-level `--dedup` run of the trace with F frames. It holds for the host policies that do
 *    not read the modified bit (a guest load is a host write: reductions.test.ts) and without A,
 *    F and RESET rows (an A row numbers a page at one level before its first touch, which
 *    changes the scanner's page order; F without reporting keeps the guest frame backed).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rowsArb } from '../engine/drive.js';
import { Engine } from '../../src/engine/engine.js';
import { MemoryModel } from '../../src/memory/model.js';
import type { MemoryConfig } from '../../src/memory/config.js';
import { PageBatch } from '../../src/pages/expand.js';
import { PageIds } from '../../src/pages/page-ids.js';
import { POLICY_NAMES, policies, type PolicyName } from '../../src/policies/index.js';
import type { ReclaimStep } from '../../src/engine/config.js';
import { OP_READ, OP_WRITE } from '../../src/trace/rows.js';
import { config } from '../helpers.js';
import { checkInvariants, guest, runTwo, type Row } from './harness.js';

const HOST_POLICIES = POLICY_NAMES.filter((p) => !policies[p].needsFuture);

/** rows with content tokens 0-3 on W and A rows (0: none) */
function withContent(maxVms: number, maxPages: number, maxLength: number, allocOps: boolean): fc.Arbitrary<Row[]> {
  return rowsArb({ maxVms, maxPages, maxLength, allocOps }).chain((rs) =>
    fc.array(fc.integer({ min: 0, max: 3 }), { minLength: rs.length, maxLength: rs.length }).map((tokens) =>
      rs.map((r, i) => (r.op === 'W' || r.op === 'A' ? { ...r, content: tokens[i]! } : { ...r })),
    ),
  );
}

describe('two levels with --dedup: invariants at every step', () => {
  it('hold under every ladder, the share rung anywhere, on overcommitted hosts', () => {
    const seen = { cow: 0, merges: 0, demand: 0, scanned: 0, balloon: 0, compression: 0, shareReclaims: 0 };
    fc.assert(
      fc.property(
        withContent(3, 6, 60, true),
        fc.array(fc.record({ frames: fc.integer({ min: 1, max: 5 }), compressMax: fc.constantFrom(0, 50, 100) }), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(...HOST_POLICIES),
        fc.constantFrom<ReclaimStep[]>(['share', 'swap'], ['share', 'balloon', 'swap'], ['balloon', 'share', 'compress', 'swap'], ['share', 'compress', 'swap'], ['swap'], ['share'], ['balloon', 'swap']),
        fc.constantFrom<'ideal' | 'ksm'>('ideal', 'ksm'),
        fc.record({ ksmPages: fc.integer({ min: 1, max: 4 }), ksmInterval: fc.integer({ min: 1, max: 30 }) }),
        fc.boolean(),
        fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 6 })),
        fc.constantFrom('global', 'partition', 'weight') as fc.Arbitrary<'global' | 'partition' | 'weight'>,
        fc.constantFrom(...POLICY_NAMES),
        (rs, gs, frames, hostPolicy, reclaim, dedup, ksm, freePageReporting, swapSlots, scheduler, guestPolicy) => {
          const guests = gs.map((g) => guest({ ...g, policy: guestPolicy }));
          const run = runTwo(rs, { frames, policy: hostPolicy, guests, reclaim, freePageReporting, swapSlots, scheduler, dedup, ...ksm }, (r) => checkInvariants(r));
          const model = run.model!;
          if (!reclaim.includes('share') || dedup === 'ideal') expect(model.demandMerges).toBe(0);
          for (const c of model.counters) {
            seen.cow += c.cowFaults;
            seen.merges += c.merges;
          }
          for (const g of run.guests) {
            seen.balloon += g.level.balloonInflations;
            seen.compression += g.level.compressions;
            seen.shareReclaims += g.level.shareReclaims;
          }
          seen.demand += model.demandMerges;
          seen.scanned += model.ksmPagesScanned;
        },
      ),
      { numRuns: 300 },
    );
    for (const [what, n] of Object.entries(seen)) expect(n, what).toBeGreaterThan(0);
  });
});

describe('two levels with --dedup: host opt', () => {
  it('looks ahead with --reclaim swap or share,swap (sharing changes no guest access); invariants hold', () => {
    fc.assert(
      fc.property(
        withContent(2, 6, 50, true),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(...POLICY_NAMES),
        fc.constantFrom<ReclaimStep[]>(['swap'], ['share', 'swap']),
        fc.constantFrom<'ideal' | 'ksm'>('ideal', 'ksm'),
        (rs, frames, guestFrames, guestPolicy, reclaim, dedup) => {
          runTwo(rs, { frames, policy: 'opt', guests: [guest({ frames: guestFrames, policy: guestPolicy })], reclaim, dedup, ksmPages: 2, ksmInterval: 3 }, (r) => checkInvariants(r));
        },
      ),
      { numRuns: 100 },
    );
  });
});

/**
 * The one-level engine with the memory model on the same rows (VM index = the rows' vm), one row
 * at a time with page ids numbered at first touch, as the host numbers guest frames (the ksm
 * scanner walks page ids in order, and visits only as many as exist).
 */
function oneLevel(rs: readonly Row[], frames: number, policy: PolicyName, memory: MemoryConfig): { engine: Engine; model: MemoryModel } {
  const ids = new PageIds();
  const vms = Math.max(...rs.map((r) => r.vm ?? 0)) + 1;
  const engine = new Engine(config({ frames, policy, swapSlots: Infinity, memory }), ids);
  engine.vmNames = Array.from({ length: vms }, (_, v) => `vm${v}`);
  engine.ensureVm(vms - 1);
  const model = MemoryModel.attach(engine, memory);
  const batch = new PageBatch(1);
  for (const r of rs) {
    batch.op[0] = r.op === 'W' ? OP_WRITE : OP_READ;
    batch.page[0] = ids.id(r.vm ?? 0, 0, r.page);
    batch.content[0] = r.content ?? 0;
    batch.length = 1;
    engine.replay(batch);
  }
  return { engine, model };
}

const READS_DIRTINESS = new Set(['nru', 'wsclock']);
const REDUCTION_POLICIES = HOST_POLICIES.filter((p) => !READS_DIRTINESS.has(p));

describe('two levels with --dedup: guest memory for every page reduces to one level', () => {
  for (const dedup of ['ideal', 'ksm'] as const) {
    it(`--dedup ${dedup}: the host's sharing counts equal a one-level --dedup ${dedup} run with F frames`, () => {
      fc.assert(
        fc.property(
          withContent(3, 6, 60, false),
          fc.integer({ min: 1, max: 6 }),
          fc.constantFrom(...REDUCTION_POLICIES),
          fc.constantFrom(...POLICY_NAMES),
          fc.record({ ksmPages: fc.integer({ min: 1, max: 4 }), ksmInterval: fc.integer({ min: 1, max: 10 }) }),
          fc.constantFrom<ReclaimStep[]>(['swap'], ['share', 'swap']),
          (rs, frames, hostPolicy, guestPolicy, ksm, reclaim) => {
            const vms = Math.max(...rs.map((r) => r.vm ?? 0)) + 1;
            const guests = Array.from({ length: vms }, () => guest({ frames: 6, policy: guestPolicy }));
            // the share rung only under ideal, where it finds nothing (under ksm it merges what
            // one level would swap)
            const ladder = dedup === 'ideal' ? reclaim : ['swap' as const];
            const run = runTwo(rs, { frames, policy: hostPolicy, guests, dedup, reclaim: ladder, ...ksm }, (r) => checkInvariants(r));
            const memory: MemoryConfig = { dedup, ...ksm, hugeOrder: 0, hostPageSize: 4096, compaction: false };
            const one = oneLevel(rs, frames, hostPolicy, memory);
            const two = run.model!;
            const snapTwo = two.snapshot(vms);
            const snapOne = one.model.snapshot(vms);
            for (let v = 0; v < vms; v++) {
              expect(run.guests[v]!.counters.evictions).toBe(0);
              const h = run.host.vms[v]!;
              const o = one.engine.vms[v]!;
              expect([h.faults, h.hits, h.resident], `vm${v}`).toEqual([o.faults, o.hits, o.resident]);
              expect([two.counters[v]?.cowFaults ?? 0, two.counters[v]?.merges ?? 0]).toEqual([one.model.counters[v]?.cowFaults ?? 0, one.model.counters[v]?.merges ?? 0]);
              expect(snapTwo.perVm[v]).toEqual(snapOne.perVm[v]);
            }
            expect([run.host.framesInUse, run.host.framesPeak]).toEqual([one.engine.framesInUse, one.engine.framesPeak]);
            expect([two.ksmPagesScanned, two.ksmFullScans]).toEqual([one.model.ksmPagesScanned, one.model.ksmFullScans]);
          },
        ),
        { numRuns: 150 },
      );
    });
  }
});
