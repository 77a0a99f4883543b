import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Tlb } from '../../src/translation/tlb.js';
import { Harness } from './harness.js';

/** Replays page numbers of VM 0 (page id = page number) through a TLB; returns hits and misses. */
function replay(tlb: Tlb, pages: readonly number[]): { hits: number; misses: number } {
  tlb.ensureVm(0);
  tlb.ensurePages(Math.max(...pages) + 1);
  let hits = 0;
  let misses = 0;
  for (const p of pages) {
    if (tlb.lookup(p) >= 0) hits++;
    else {
      misses++;
      tlb.fill(p, 0, tlb.setOf(0, p), 100 + p);
    }
  }
  return { hits, misses };
}

describe('TLB', () => {
  it('fully associative LRU, 2 entries: 1 2 1 3 2 1 hits once (1), misses 5 times', () => {
    // 1 m [1]; 2 m [2 1]; 1 h [1 2]; 3 m, evicts 2 [3 1]; 2 m, evicts 1 [2 3]; 1 m, evicts 3 [1 2]
    const tlb = new Tlb(2, 2);
    expect(replay(tlb, [1, 2, 1, 3, 2, 1])).toEqual({ hits: 1, misses: 5 });
    expect(tlb.setContents(0, 0)).toEqual([1, 2]);
  });

  it('2-way, 2 sets (index = page mod 2): 0 2 4 0 1 3 0 2 hits once; fully associative hits twice', () => {
    // set 0: 0 m [0]; 2 m [2 0]; 4 m, evicts 0 [4 2]; 0 m, evicts 2 [0 4]; set 1: 1 m, 3 m;
    // set 0: 0 h [0 4]; 2 m, evicts 4 [2 0]
    const sa = new Tlb(4, 2);
    expect(replay(sa, [0, 2, 4, 0, 1, 3, 0, 2])).toEqual({ hits: 1, misses: 7 });
    expect(sa.setContents(0, 0)).toEqual([2, 0]);
    expect(sa.setContents(0, 1)).toEqual([3, 1]);
    // 4 entries, one set: 0 m, 2 m, 4 m, 0 h, 1 m, 3 m (evicts 2), 0 h, 2 m (evicts 4)
    const fa = new Tlb(4, 4);
    expect(replay(fa, [0, 2, 4, 0, 1, 3, 0, 2])).toEqual({ hits: 2, misses: 6 });
  });

  it('direct-mapped (1 way): pages that share a set evict each other', () => {
    const dm = new Tlb(4, 1);
    // 0 and 4 share set 0, 1 has set 1: 0 m, 4 m, 0 m, 1 m, 1 h, 4 m
    expect(replay(dm, [0, 4, 0, 1, 1, 4])).toEqual({ hits: 1, misses: 5 });
  });

  it('sets index the full 64-bit page number, for any number of sets', () => {
    const t3 = new Tlb(3, 1);
    // (2^32 + 5) mod 3 = (1 + 2) mod 3 = 0; (0xffffffff:0xffffffff) = 2^64 - 1, mod 3 = 0
    expect(t3.setOf(1, 5)).toBe((2 ** 32 + 5) % 3);
    expect(t3.setOf(0xffffffff, 0xffffffff)).toBe(0);
    const t6 = new Tlb(12, 2);
    expect(t6.setOf(7, 11)).toBe(Number((7n * 2n ** 32n + 11n) % 6n));
    expect(new Tlb(8, 2).setOf(0xabc, 13)).toBe(13 % 4);
  });

  it('an invalidated entry is gone and its slot is the next one filled', () => {
    const tlb = new Tlb(2, 2);
    replay(tlb, [1, 2]);
    expect(tlb.invalidate(2)).toBe(true);
    expect(tlb.invalidate(2)).toBe(false);
    expect(tlb.lookup(2)).toBe(-1);
    // 3 takes 2's freed slot: 1 (the least recently used valid entry) stays
    tlb.fill(3, 0, 0, 103);
    expect(tlb.setContents(0, 0)).toEqual([3, 1]);
  });

  it('a flush empties one VM only', () => {
    const tlb = new Tlb(2, 2);
    tlb.ensureVm(1);
    tlb.ensurePages(4);
    tlb.fill(0, 0, 0, 10);
    tlb.fill(1, 1, 0, 11);
    expect(tlb.flush(0)).toBe(1);
    expect(tlb.holds(0)).toBe(false);
    expect(tlb.lookup(1)).toBe(11);
  });

  it('matches a naive LRU list per set on random sequences with invalidations', () => {
    fc.assert(
      fc.property(
        fc.constantFrom([1, 1], [4, 4], [4, 2], [4, 1], [6, 2], [8, 4]),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 12 })), { minLength: 1, maxLength: 200 }),
        ([entries, ways], ops) => {
          const tlb = new Tlb(entries, ways);
          tlb.ensureVm(0);
          tlb.ensurePages(13);
          const sets = entries / ways;
          // naive: per set an array, most recent first
          const ref: number[][] = Array.from({ length: sets }, () => []);
          for (const [invalidate, p] of ops) {
            const set = ref[p % sets]!;
            if (invalidate) {
              expect(tlb.invalidate(p)).toBe(set.includes(p));
              if (set.includes(p)) set.splice(set.indexOf(p), 1);
              continue;
            }
            const hit = set.includes(p);
            expect(tlb.lookup(p) >= 0).toBe(hit);
            if (hit) set.splice(set.indexOf(p), 1);
            else {
              tlb.fill(p, 0, tlb.setOf(0, p), p);
              if (set.length === ways) set.pop();
            }
            set.unshift(p);
          }
          for (let s = 0; s < sets; s++) expect(tlb.setContents(0, s)).toEqual(ref[s]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('TLB in the translation model', () => {
  it('a remapped page misses in the TLB on its next access; a hit follows', () => {
    // 2 frames, LRU, page size 1, TLB of 64: frames are handed out lowest first, and an evicted
    // page's frame goes to the faulting page.
    const h = new Harness({ frames: 2 });
    const [p1, p2] = [h.id(0, 1), h.id(0, 2)];
    h.step(0, 'W', 1); // minor, frame 0; TLB miss, filled
    h.step(0, 'W', 2); // minor, frame 1; TLB miss
    h.step(0, 'R', 1); // hit; TLB hit
    expect(h.model.tlb.holds(p1)).toBe(true);
    h.step(0, 'R', 3); // evicts 2 (LRU, dirty: swap-out) from frame 1; 2's entry is invalidated
    expect(h.model.tlb.holds(p2)).toBe(false);
    h.step(0, 'R', 1); // hit, TLB hit
    h.step(0, 'R', 2); // major: evicts 3 (LRU, clean) from frame 1... 2 comes back into frame 1
    expect(h.frameOf(0, 2)).toBe(1);
    expect(h.model.counters[0]!.remaps).toBe(0);
    h.step(0, 'R', 3); // evicts 1 (frame 0, dirty), 3 into frame 0
    h.step(0, 'R', 1); // major: evicts 2 (frame 1), 1 into frame 1: a remap (it was in frame 0)
    expect(h.frameOf(0, 1)).toBe(1);
    expect(h.model.counters[0]!.remaps).toBe(1);
    expect(h.model.lastTlbHit).toBe(false);
    expect(h.model.lastFrame).toBe(1);
    h.step(0, 'R', 1); // the new translation is cached: a hit giving frame 1
    expect(h.model.lastTlbHit).toBe(true);
    expect(h.model.lastFrame).toBe(1);
    const c = h.model.counters[0]!;
    // accesses 1..9: TLB misses at 1, 2, 4 (new pages), 6, 7, 8 (faults: entries went at eviction); hits at 3, 5, 9
    expect([c.tlbHits, c.tlbMisses]).toEqual([3, 6]);
  });

  it('a small TLB misses on resident pages: hits of the engine are not TLB hits', () => {
    const h = new Harness({ frames: 10 }, { tlbEntries: 2, tlbWays: 2 });
    h.run([
      [0, 'R', 1],
      [0, 'R', 2],
      [0, 'R', 1],
      [0, 'R', 3],
      [0, 'R', 2],
      [0, 'R', 1],
    ]);
    const c = h.model.counters[0]!;
    expect([c.tlbHits, c.tlbMisses]).toEqual([1, 5]);
    expect(h.engine.vms[0]!.hits).toBe(3);
  });

  it('each VM has its own TLB, flushed on its RESET only', () => {
    const h = new Harness({ frames: 10 }, { tlbEntries: 2, tlbWays: 2 });
    h.run([
      [0, 'R', 1],
      [1, 'R', 1],
      [0, 'R', 2],
      [1, 'R', 2],
      [0, 'R', 1], // hit: VM 1's pages did not evict VM 0's entries
      [1, 'RESET', 0],
      [1, 'R', 1], // miss
      [0, 'R', 2], // hit
    ]);
    expect([h.model.counters[0]!.tlbHits, h.model.counters[0]!.tlbMisses]).toEqual([2, 2]);
    expect([h.model.counters[1]!.tlbHits, h.model.counters[1]!.tlbMisses]).toEqual([0, 3]);
    expect(h.model.counters[1]!.tlbFlushes).toBe(1);
  });
});
