import { describe, expect, it } from 'vitest';
import { runEngine } from '../engine/drive.js';
import type { RefRow } from '../engine/reference-model.js';

const reads = (pages: number[]): RefRow[] => pages.map((page) => ({ vm: 0, page, op: 'R' }));
const victimsOf = (pages: number[], frames: number): number[] =>
  runEngine(reads(pages), { frames, swapSlots: Infinity, policy: 'lfu' }).victims.map((v) => v![1]);

describe('LFU (SPEC 2.1)', () => {
  it('evicts the page with the fewest accesses since it was loaded', () => {
    // 2 frames: 1 1 1 2 3 -> counts 1:3, 2:1 -> 3 evicts 2; 2 -> counts 1:3, 3:1 -> evicts 3
    expect(victimsOf([1, 1, 1, 2, 3, 2], 2)).toEqual([2, 3]);
  });

  it('breaks ties by least recent use', () => {
    // 2 frames: 1 2 2 1 -> both counts 2; 2 was used last at t2, 1 at t3 -> 3 evicts 2.
    // (A tie broken by load order would evict 1.)
    expect(victimsOf([1, 2, 2, 1, 3], 2)).toEqual([2]);
  });

  it('restarts the count at 1 when a page is loaded again', () => {
    // 2 frames: 1 1 2 2 2 -> counts 1:2, 2:3
    //   3 -> evicts 1 (2 < 3)                          counts 2:3, 3:1
    //   1 -> evicts 3 (1 < 3); 1 comes back with count 1 (not 2 + 1 = 3)
    //   4 -> counts 2:3, 1:1 -> evicts 1. Had the count survived, 1:3 would tie with 2:3 and
    //        the least recently used, 2, would go.
    expect(victimsOf([1, 1, 2, 2, 2, 3, 1, 4], 2)).toEqual([1, 3, 1]);
  });
});
