/**
 * The engine's inline replay (Engine.replayQueue for lru, fifo and clock, Engine.replayPolicy for
 * the other policies that read nothing of the engine or only its clock, evicting flag and
 * pages' states; under global, one VM, the plain
 * store without a frame table) against the general way (Engine.inline = false), on random traces
 * of R, W, A, F and RESET rows cut into batches at random places, with swap from none to
 * unlimited and samples (--interval) at random steps: every counter, peak and time sum, every
 * OOM event, each sample's view of the counters, the pages' states and the list's order (and the
 * clock's hand and bits) must be the same. And a check that the inline replay is the one that ran (it calls no policy method
 * on a hit).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { PageBatch } from '../../src/pages/expand.js';
import { PageIds } from '../../src/pages/page-ids.js';
import type { InlineQueue } from '../../src/policies/policy.js';
import { OP_ALLOC, OP_FREE, OP_READ, OP_RESET, OP_WRITE } from '../../src/trace/rows.js';
import { config } from '../helpers.js';
import { nextUseOf } from '../../src/run/page-trace.js';
import { POLICY_NAMES, policies, type PolicyName } from '../../src/policies/index.js';
import { DEFAULT_POLICY_OPTIONS, type PolicyDefinition } from '../../src/policies/policy.js';

/** the policies the inline replay takes (PolicyDefinition.engineFree or engineReads) */
const INLINE = POLICY_NAMES.filter((name) => {
  const definition: PolicyDefinition = policies[name];
  return definition.engineFree === true || definition.engineReads !== undefined;
});


interface Case {
  rows: { op: number; page: number }[];
  /** batch lengths, cycled */
  cuts: number[];
  frames: number;
  swapSlots: number;
  /** accesses between samples; 0: no samples */
  interval: number;
  policy: PolicyName;
  /** --tick (nru, aging): small, so that the clock they read matters */
  tick: number;
}

const caseOf = (policy: PolicyName): fc.Arbitrary<Case> =>
  fc.record({
  rows: fc.array(
    fc.record({
      op: fc.constantFrom(OP_READ, OP_READ, OP_READ, OP_WRITE, OP_WRITE, OP_WRITE, OP_ALLOC, OP_FREE, OP_RESET),
      page: fc.integer({ min: 0, max: 11 }),
    }),
    { minLength: 1, maxLength: 150 },
  ),
  cuts: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }),
  // mostly fewer frames than pages, so that victims are chosen
  frames: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 14 })),
  swapSlots: fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 5 })),
  interval: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 })),
  policy: fc.constant(policy),
    tick: fc.integer({ min: 1, max: 6 }),
  });

interface Run {
  engine: Engine;
  samples: string[];
  /** lru, fifo, clock: the list from head to tail, as page ids; for clock, then the hand and each page's bit */
  order: number[];
  /** calls of the scheduler's hit() */
  hitCalls: number;
  /** the pages the policy named as victims, in order */
  victims: number[];
  /** the policy is an InlineQueue (lru, fifo, clock) */
  list: boolean;
}

function run(c: Case, inline: boolean): Run {
  const ids = new PageIds();
  const all = new PageBatch(c.rows.length);
  for (const r of c.rows) {
    all.op[all.length] = r.op;
    all.page[all.length++] = r.op === OP_RESET ? 0 : ids.id(0, 0, r.page);
  }
  const nextUse = policies[c.policy].needsFuture ? nextUseOf(all, ids.count) : undefined;
  const policyOptions = { ...DEFAULT_POLICY_OPTIONS, tick: c.tick };
  const engine = new Engine(config({ frames: c.frames, swapSlots: c.swapSlots, policy: c.policy, policyOptions }), ids, nextUse);
  engine.trackFrames = false;
  engine.inline = inline;
  engine.vmNames = ['vm0'];
  engine.ensureVm(0);
  let hitCalls = 0;
  const hit = engine.scheduler.hit.bind(engine.scheduler);
  engine.scheduler.hit = (...args) => {
    hitCalls++;
    hit(...args);
  };
  const victims: number[] = [];
  const policy = engine.scheduler.solePolicy!()!;
  const victim = policy.victim.bind(policy);
  policy.victim = (accept) => {
    const q = victim(accept);
    victims.push(q);
    return q;
  };
  const samples: string[] = [];
  if (c.interval > 0) {
    engine.nextSample = c.interval;
    engine.onSample = () => {
      samples.push(JSON.stringify([engine.position, engine.vms[0], engine.framesInUse, engine.framesInUseSum, engine.swapUsed, engine.framesPeak]));
      engine.nextSample += c.interval;
    };
  }
  let at = 0;
  for (let k = 0; at < c.rows.length; k++) {
    const length = Math.min(c.cuts[k % c.cuts.length]!, c.rows.length - at);
    const batch = new PageBatch(length);
    batch.op.set(all.op.subarray(at, at + length));
    batch.page.set(all.page.subarray(at, at + length));
    batch.length = length;
    engine.replay(batch);
    at += length;
  }
  const order: number[] = [];
  const queue = engine.scheduler.solePolicy!()!.inlineQueue?.() as InlineQueue | undefined;
  if (queue !== undefined) {
    for (let p = queue.list.head; p >= 0; p = queue.list.links[2 * p + 1]!) order.push(p);
    expect(order).toHaveLength(queue.list.size);
    if (queue.clock !== null) order.push(queue.clock.hand, ...order.map((p) => queue.clock!.ref[p]!));
  }
  return { engine, samples, order, hitCalls, victims, list: queue !== undefined };
}

describe('the inline replay equals the general way', () => {
  it.each(INLINE)('%s, on random traces, batches, swap sizes and sample steps', (policy) => {
    fc.assert(
      fc.property(caseOf(policy), (c) => {
        const fast = run(c, true);
        const slow = run(c, false);
        const f = fast.engine;
        const s = slow.engine;
        expect(f.vms).toEqual(s.vms);
        expect(f.oomEvents).toEqual(s.oomEvents);
        expect([f.position, f.framesPeak, f.framesInUse, f.framesInUseSum, f.swapPeak, f.swapUsed]).toEqual([s.position, s.framesPeak, s.framesInUse, s.framesInUseSum, s.swapPeak, s.swapUsed]);
        expect(fast.samples).toEqual(slow.samples);
        expect(Array.from(f.state.subarray(0, f.ids.count))).toEqual(Array.from(s.state.subarray(0, s.ids.count)));
        expect(fast.order).toEqual(slow.order);
        // (lru, fifo and clock: the inline replay takes the list's victim itself; the order above shows it)
        if (!fast.list) expect(fast.victims).toEqual(slow.victims);
      }),
      { numRuns: 200 },
    );
  });

  it('is the way that runs: no scheduler call per hit, where the general way makes one', () => {
    expect(INLINE).toEqual(expect.arrayContaining(['lru', 'fifo', 'clock', 'lfu', 'opt', 'arc', 'lirs', 'nru', 'aging', 'linux']));
    expect(INLINE).not.toContain('wsclock');
    // 3 frames, pages 0 1 2 then 0 1 2 again (3 hits), writes included, swap unlimited
    const c: Case = {
      rows: [0, 1, 2, 0, 1, 2].map((page, i) => ({ op: i % 2 === 0 ? OP_WRITE : OP_READ, page })),
      cuts: [6],
      frames: 3,
      swapSlots: Infinity,
      interval: 0,
      policy: 'lru',
      tick: 1000,
    };
    for (const policy of ['lru', 'lfu'] as const) {
      const fast = run({ ...c, policy }, true);
      const slow = run({ ...c, policy }, false);
      expect(fast.engine.vms[0]!.hits).toBe(3);
      expect(slow.hitCalls).toBe(3);
      expect(fast.hitCalls).toBe(0);
    }
  });

  it('linux: an evicted page that faults again within the active size is activated, either way', () => {
    // 2 frames, R 0 0 1 2 1 2. 0 is hit, so active [0]; 1 then 2 fault into the inactive list.
    // 2's fault evicts 1 (the inactive head; 1 shadow entry). 1's evicts 2 (2 entries), and 1,
    // evicted one eviction ago with one page active, is a refault within the active size:
    // active [0, 1]. 2's fault demotes 0 (active was larger) and evicts it; 2 refaults likewise.
    // Victims 1, 2, 0; without the eviction flag (no shadow entries) they would be 1, 2, 1.
    const c: Case = {
      rows: [0, 0, 1, 2, 1, 2].map((page) => ({ op: OP_READ, page })),
      cuts: [1],
      frames: 2,
      swapSlots: 1,
      interval: 1,
      policy: 'linux',
      tick: 1000,
    };
    for (const inline of [true, false]) {
      const r = run(c, inline);
      expect(r.victims).toEqual([1, 2, 0]);
      expect(r.engine.vms[0]!.faults).toBe(5);
    }
  });

  it('hands a run to the general way where the sums of frames in use would pass 2^53', () => {
    // one page resident, the time sum set to 2^53 - 1, then three more reads of it. One at a
    // time, with doubles' rounding: 2^53 - 1 + 1 = 2^53, and 2^53 + 1 rounds back to 2^53 (twice).
    // Added as a run of three it would be 2^53 + 2.
    const c: Case = { rows: [{ op: OP_READ, page: 0 }], cuts: [1], frames: 2, swapSlots: Infinity, interval: 0, policy: 'lru', tick: 1000 };
    for (const inline of [true, false]) {
      const { engine } = run(c, inline);
      engine.framesInUseSum = 2 ** 53 - 1;
      const batch = new PageBatch(3);
      for (let k = 0; k < 3; k++) {
        batch.op[batch.length] = OP_READ;
        batch.page[batch.length++] = 0;
      }
      engine.replay(batch);
      expect(engine.framesInUseSum).toBe(2 ** 53);
    }
  });
});
