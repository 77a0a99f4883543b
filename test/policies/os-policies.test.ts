/**
 * The operating systems' policies (docs/os-policies.md) on sequences worked out by hand: tick
 * boundaries, counter order and ties, the hand and the window of WSClock with write-back and per-VM
 * time, Linux's activations, list balance and refaults. Page numbers are addresses (page size 1).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlotSet } from '../../src/policies/load-order.js';
import type { PolicyOptions } from '../../src/policies/policy.js';
import { runEngine } from '../engine/drive.js';
import type { RefRow } from '../engine/reference-model.js';

const rows = (text: string): RefRow[] =>
  text
    .trim()
    .split(/\s+/)
    .map((t) => {
      const m = /^(?:([ab]):)?(R|W|F)(\d+)$/.exec(t)!;
      return { vm: m[1] === 'b' ? 1 : 0, op: m[2] as 'R' | 'W' | 'F', page: Number(m[3]) };
    });
const options = (o: Partial<PolicyOptions>): PolicyOptions => ({ tick: 1000, agingBits: 8, tau: 10000, ...o });
const victimsOf = (trace: string, policy: 'mru' | 'nru' | 'aging' | 'wsclock' | 'linux', frames: number, o: Partial<PolicyOptions> = {}, swapSlots = Infinity) =>
  runEngine(rows(trace), { frames, swapSlots, policy, policyOptions: options(o) });

describe('MRU', () => {
  it('evicts the page used last: a loop of 4 pages in 3 frames faults 5 times, LRU 8', () => {
    // 1 2 3 load; 4 evicts 3 (used last); 1 2 hit; 3 evicts 2; 4 hits.
    const run = victimsOf('R1 R2 R3 R4 R1 R2 R3 R4', 'mru', 3);
    expect(run.victims).toEqual([
      [0, 3],
      [0, 2],
    ]);
    expect(run.engine.vms[0]!.faults).toBe(5);
    expect(runEngine(rows('R1 R2 R3 R4 R1 R2 R3 R4'), { frames: 3, swapSlots: Infinity, policy: 'lru' }).engine.vms[0]!.faults).toBe(8);
  });
});

describe('NRU', () => {
  // positions 0..5: R1 W2 R1 R1 R3 R1, 2 frames
  const trace = 'R1 W2 R1 R1 R3 R1';
  it('clears R bits just before the access at position k * tick', () => {
    // tick 4: before position 4 both bits clear: 1 class 0, 2 class 1 -> R3 evicts 1; R1 then
    // finds 2 in class 1 (modified) below 3 in class 2 (just loaded) -> evicts 2, a swap-out.
    const t4 = victimsOf(trace, 'nru', 2, { tick: 4 });
    expect(t4.victims).toEqual([
      [0, 1],
      [0, 2],
    ]);
    expect(t4.engine.vms[0]!.swapOuts).toBe(1);
    // tick 5: at position 4 no tick yet: 1 class 2 < 2 class 3 -> evicts 1; the tick before
    // position 5 clears 3's bit (class 0) and 2's (class 1) -> evicts 3.
    const t5 = victimsOf(trace, 'nru', 2, { tick: 5 });
    expect(t5.victims).toEqual([
      [0, 1],
      [0, 3],
    ]);
    expect(t5.engine.vms[0]!.swapOuts).toBe(0);
  });

  it('breaks ties by load order', () => {
    // No tick (default 1000): 1 2 3 all class 2; R4 evicts the earliest loaded, 1, though 1 was used last.
    expect(victimsOf('R1 R2 R3 R1 R4', 'nru', 3).victims).toEqual([[0, 1]]);
  });
});

describe('AGING', () => {
  it('evicts the smallest counter; a page loaded since the last tick has counter 0', () => {
    // bits 2, tick 2. pos 0 R1, 1 R2 (loaded: counters 0, R set). Tick before pos 2: 1 = 10, 2 = 10.
    // pos 2, 3 R2. Tick before pos 4: 1 = 01, 2 = 11. pos 4 R3 evicts 1 (01). pos 5 R1: 3's
    // counter is 0 (loaded at pos 4) against 2's 11 -> evicts 3.
    expect(victimsOf('R1 R2 R2 R2 R3 R1', 'aging', 2, { agingBits: 2, tick: 2 }).victims).toEqual([
      [0, 1],
      [0, 3],
    ]);
  });

  it('breaks ties by load order, whatever the R bits since the last tick', () => {
    // tick 2: both counters 10000000 at pos 2; R1 sets 1's R bit; R3 still evicts 1 (loaded first).
    expect(victimsOf('R1 R2 R1 R3', 'aging', 2, { tick: 2 }).victims).toEqual([[0, 1]]);
  });

  it('forgets references older than n ticks (then ties go by load order)', () => {
    // tick 1 (the epoch is the position), 3 frames: pos 0 R1, 1 R2, 2 R1, 3..5 R3, 6 R4.
    // At pos 6 page 1 was last referenced 4 ticks ago (and 6), page 2 only 5 ticks ago.
    // bits 8: 1 = 00010100, 2 = 00001000 -> evicts 2. bits 4: 1 = 0001, 2 = 0000 -> evicts 2.
    // bits 3: both references shifted out, 1 = 2 = 000: the tie evicts 1, loaded first.
    const trace = 'R1 R2 R1 R3 R3 R3 R4';
    expect(victimsOf(trace, 'aging', 3, { tick: 1, agingBits: 8 }).victims).toEqual([[0, 2]]);
    expect(victimsOf(trace, 'aging', 3, { tick: 1, agingBits: 4 }).victims).toEqual([[0, 2]]);
    expect(victimsOf(trace, 'aging', 3, { tick: 1, agingBits: 3 }).victims).toEqual([[0, 1]]);
  });

  it('shifts the counter of a page just loaded at the next tick', () => {
    // tick 1, 2 frames: pos 0 R1, 1..5 R2, 6 R3 evicts 1; at pos 7 page 3 (loaded at 6) has
    // 10000000 against 2's 01111100 (2 not referenced at 6): R4 evicts 2.
    expect(victimsOf('R1 R2 R2 R2 R2 R2 R3 R4', 'aging', 2, { tick: 1 }).victims).toEqual([
      [0, 1],
      [0, 2],
    ]);
  });
});

describe('WSCLOCK', () => {
  // 3 frames; VM times: W1 = 1, R2 = 2, R3 = 3, R2 = 4, R3 = 5, R2 = 6, R4 = 7, R1 = 8.
  const trace = 'W1 R2 R3 R2 R3 R2 R4 R1';
  it('writes back an old dirty page, passes it, and after a full circle evicts the first clean page', () => {
    // tau 2. R4 at VM time 6: from the hand, 1 is old (6 - 1 = 5 > 2) and dirty: written back (a
    // swap-out) and passed; 2 (age 0) and 3 (age 1) are young. Full circle: the first clean page
    // from the hand is 1, clean now: evicted without I/O. R1 (time 7): 2 age 1, 3 age 2 (not over
    // tau), 4 age 0: no old page; the first clean page from the hand (just past 1's place) is 2.
    // R1 is a major fault: its written-back copy is read.
    const run = victimsOf(trace, 'wsclock', 3, { tau: 2 });
    expect(run.victims).toEqual([
      [0, 1],
      [0, 2],
    ]);
    expect(run.engine.vms[0]!.swapOuts).toBe(1);
    expect(run.engine.vms[0]!.majorFaults).toBe(1);
    expect(run.engine.vms[0]!.swapSlots).toBe(1);
    // tau 1: at R1, 3 (age 2) is old and clean: evicted.
    expect(victimsOf(trace, 'wsclock', 3, { tau: 1 }).victims).toEqual([
      [0, 1],
      [0, 3],
    ]);
  });

  it('with swap full writes nothing back and evicts a clean page', () => {
    // swap 0: 1 is dirty and cannot go; 2 and 3 are young; the first clean page from the hand is 2.
    const run = victimsOf('W1 R2 R3 R2 R3 R2 R4', 'wsclock', 3, { tau: 2 }, 0);
    expect(run.victims).toEqual([[0, 2]]);
    expect(run.engine.vms[0]!.swapOuts).toBe(0);
  });

  it("measures age in the page's VM's own accesses", () => {
    // a:R1, then VM b runs alone: b:R1 R2 R2 R2 R4 with 3 frames, tau 1. At b:R4, a's page 1 is
    // young (a has made no access since), b's page 1 is 3 of b's accesses old: evicted. Host time
    // would have made a's page the oldest.
    expect(victimsOf('a:R1 b:R1 b:R2 b:R2 b:R2 b:R4', 'wsclock', 3, { tau: 1 }).victims).toEqual([[1, 1]]);
  });
});

describe('LINUX', () => {
  it('activates on a second access, refaults within the active size into the active list, and balances the lists', () => {
    // 4 frames. R1 R2: inactive [1 2]. R1: active [1]. R3 R4: inactive [2 3 4].
    // R5: evict 2 (shadow 1). R2: evict 3 (evictions 2); 2's distance 2 - 1 = 1 <= active 1: active [1 2].
    // R3: evict 4 (3); 3's distance 3 - 2 = 1 <= 2: active [1 2 3], inactive [5].
    // R6: active 3 > inactive 1: 1 is demoted (inactive [5 1]); evict 5.
    expect(victimsOf('R1 R2 R1 R3 R4 R5 R2 R3 R6', 'linux', 4).victims).toEqual([
      [0, 2],
      [0, 3],
      [0, 4],
      [0, 5],
    ]);
  });

  it("voids a freed page's shadow", () => {
    // 3 frames. R1 R2 R2 R3: active [2], inactive [1 3]. R4 evicts 1 (shadow 1): inactive [3 4].
    // R1 evicts 3 (evictions 2): distance 1 <= active 1: active [2 1], inactive [4]. R5: active 2 >
    // inactive 1: 2 demoted; evict 4: inactive [2 5]. R6 evicts 2.
    expect(victimsOf('R1 R2 R2 R3 R4 R1 R5 R6', 'linux', 3).victims).toEqual([
      [0, 1],
      [0, 3],
      [0, 4],
      [0, 2],
    ]);
    // F1 after its eviction: R1 is a first touch again, into the inactive list [4 1]; R5 evicts 4,
    // R6 evicts 1.
    expect(victimsOf('R1 R2 R2 R3 R4 F1 R1 R5 R6', 'linux', 3).victims).toEqual([
      [0, 1],
      [0, 3],
      [0, 4],
      [0, 1],
    ]);
  });
});

describe('SlotSet (the bitset behind nru and aging)', () => {
  it('has(), moveAllInto() and adopt() agree with a naive set, across tree levels', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat()), { maxLength: 300 }),
        (capacity, ops) => {
          const a = new SlotSet(capacity);
          const b = new SlotSet(capacity);
          let naiveA = new Set<number>();
          const naiveB = new Set<number>();
          for (const [op, n] of ops) {
            const slot = n % capacity;
            if (op === 0 && !naiveA.has(slot)) {
              a.add(slot);
              naiveA.add(slot);
            } else if (op === 1 && !naiveB.has(slot)) {
              b.add(slot);
              naiveB.add(slot);
            } else if (op === 2) {
              // every member of a moves into b
              a.moveAllInto(b);
              for (const x of naiveA) naiveB.add(x);
              naiveA = new Set();
            } else if (op === 3 && naiveA.has(slot)) {
              a.delete(slot);
              naiveA.delete(slot);
            }
            expect(a.has(slot)).toBe(naiveA.has(slot));
            expect(b.has(slot)).toBe(naiveB.has(slot));
            expect(a.first()).toBe(naiveA.size === 0 ? -1 : Math.min(...naiveA));
            expect(b.first()).toBe(naiveB.size === 0 ? -1 : Math.min(...naiveB));
          }
          const c = new SlotSet(1);
          c.adopt(b);
          expect(c.first()).toBe(naiveB.size === 0 ? -1 : Math.min(...naiveB));
          for (const x of naiveB) expect(c.has(x)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('first() is the smallest member after any adds and deletes, across tree levels', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40000 }),
        fc.array(fc.tuple(fc.boolean(), fc.nat()), { maxLength: 300 }),
        (capacity, ops) => {
          const set = new SlotSet(capacity);
          const naive = new Set<number>();
          for (const [add, n] of ops) {
            const slot = n % capacity;
            if (add && !naive.has(slot)) {
              set.add(slot);
              naive.add(slot);
            } else if (!add && naive.has(slot)) {
              set.delete(slot);
              naive.delete(slot);
            }
            expect(set.first()).toBe(naive.size === 0 ? -1 : Math.min(...naive));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
