import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BuddyAllocator } from '../../src/memory/buddy.js';

describe('buddy allocator', () => {
  it('splits the lowest block down and hands out frames lowest first (hand-worked, 16 frames)', () => {
    const b = new BuddyAllocator(16, 4);
    expect(b.freeList(4)).toEqual([0]);
    // order 0 from the order-4 block: 8 (o3), 4 (o2), 2 (o1) and 1 (o0) are freed on the way
    expect(b.allocate(0)).toBe(0);
    expect([b.freeList(3), b.freeList(2), b.freeList(1), b.freeList(0)]).toEqual([[8], [4], [2], [1]]);
    expect(b.allocate(0)).toBe(1);
    expect(b.allocate(1)).toBe(2);
    // order 0 again: the order-2 block at 4 splits into 6 (o1) and 5 (o0)
    expect(b.allocate(0)).toBe(4);
    expect(Array.from(b.freeBlocks)).toEqual([1, 1, 0, 1, 0]);
    expect(b.freeFrames).toBe(11);
    expect(b.inUse).toBe(5);
  });

  it('merges freed blocks with their buddies back into one block (hand-worked)', () => {
    const b = new BuddyAllocator(16, 4);
    b.allocate(0); // 0
    b.allocate(0); // 1
    b.allocate(1); // 2-3
    b.allocate(0); // 4
    b.free(1); // buddy 0 in use: stays order 0
    expect(b.freeList(0)).toEqual([1, 5]);
    b.free(0); // 0+1 -> order 1 at 0; its buddy 2-3 is in use
    expect(b.freeList(1)).toEqual([0, 6]);
    b.free(2, 1); // 0-1 + 2-3 -> order 2 at 0; buddy 4-7 not free (4 in use)
    expect(b.freeList(2)).toEqual([0]);
    b.free(4); // 4+5 -> o1, +6-7 -> o2, +0-3 -> o3, +8-15 -> o4
    expect(Array.from(b.freeBlocks)).toEqual([0, 0, 0, 0, 1]);
    expect(b.freeList(4)).toEqual([0]);
  });

  it('covers a frame count that is not a power of two with aligned blocks', () => {
    const b = new BuddyAllocator(13, 18);
    expect(b.maxOrder).toBe(3);
    expect([b.freeList(3), b.freeList(2), b.freeList(0)]).toEqual([[0], [8], [12]]);
    expect(b.freeFrames).toBe(13);
  });

  it("gives Gorman's unusable free space index of a hand-made fragmentation pattern", () => {
    const b = new BuddyAllocator(16, 4);
    for (let i = 0; i < 16; i++) expect(b.allocate(0)).toBe(i);
    // keep 1, 5, 9, 13: free blocks 0 (o0), 2-3 (o1), 4 (o0), 6-7 (o1), ... 12 frames free
    for (let i = 0; i < 16; i++) if (i % 4 !== 1) b.free(i);
    expect(Array.from(b.freeBlocks)).toEqual([4, 4, 0, 0, 0]);
    expect(b.unusableIndex(0)).toBe(0);
    // order 1: the 4 single frames are unusable: 4/12
    expect(b.unusableIndex(1)).toBeCloseTo(1 / 3, 12);
    // order 2: no free block of 4 frames: all 12 free frames are unusable
    expect(b.unusableIndex(2)).toBe(1);
    expect(b.allocate(2)).toBe(-1);
  });

  it('claimFree takes the free blocks of a range off the lists', () => {
    const b = new BuddyAllocator(8, 3);
    for (let i = 0; i < 8; i++) b.allocate(0);
    b.free(1);
    b.free(2);
    b.free(3); // 2-3 merge
    expect(b.claimFree(0, 2)).toBe(3);
    expect(b.freeFrames).toBe(0);
    expect(b.allocate(0)).toBe(-1);
  });

  it('agrees with a naive model: never hands out a frame twice, and frees coalesce completely', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 4 }), fc.nat()), { maxLength: 80 }),
        (frames, steps) => {
          const b = new BuddyAllocator(frames, 6);
          const owned = new Uint8Array(frames);
          const blocks: [number, number][] = [];
          for (const [alloc, order, pick] of steps) {
            if (alloc || blocks.length === 0) {
              const a = b.allocate(order);
              if (a < 0) continue;
              expect(a % 2 ** order).toBe(0);
              for (let f = a; f < a + 2 ** order; f++) {
                expect(owned[f]).toBe(0);
                owned[f] = 1;
              }
              blocks.push([a, order]);
            } else {
              const [a, o] = blocks.splice(pick % blocks.length, 1)[0]!;
              for (let f = a; f < a + 2 ** o; f++) owned[f] = 0;
              b.free(a, o);
            }
            expect(b.freeFrames).toBe(frames - owned.reduce((x, y) => x + y, 0));
          }
          for (const [a, o] of blocks) b.free(a, o);
          // everything free again: the same blocks as a fresh allocator
          expect(Array.from(b.freeBlocks)).toEqual(Array.from(new BuddyAllocator(frames, 6).freeBlocks));
        },
      ),
      { numRuns: 200 },
    );
  });
});
