/** The winner tree against a scan: after every update, the largest key and the lowest slot holding it. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WinnerTree } from '../../src/schedulers/winner-tree.js';

function scan(keys: number[]): { key: number; slot: number } {
  let key = -Infinity;
  let slot = -1;
  keys.forEach((k, v) => {
    if (slot < 0 || k > key) {
      key = k;
      slot = v;
    }
  });
  return { key, slot };
}

describe('WinnerTree', () => {
  it('equals a scan after every set, put + pullAll, over 1 to 5,000 slots (several levels, ties, -Infinity)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.array(fc.record({ slot: fc.nat(), key: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constant(-Infinity)), batch: fc.boolean() }), { maxLength: 400 }),
        (size, updates) => {
          const tree = new WinnerTree(size);
          const keys = new Array<number>(size).fill(-Infinity);
          for (const u of updates) {
            // mostly a few slots near each other, so that one node's children change in turn
            const v = u.slot % Math.min(size, 40);
            keys[v] = u.key;
            if (u.batch) {
              tree.put(v, u.key);
              tree.pullAll();
            } else tree.set(v, u.key);
            const want = scan(keys);
            expect(tree.bestKey).toBe(want.key);
            if (want.key !== -Infinity) expect(tree.best).toBe(want.slot);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the winner losing to a sibling two levels up (the case a tree that forgets its old winner gets wrong)', () => {
    // 16 children per node: slots 0 and 17 are under different level-1 nodes, slots 0 and 1 under one.
    const tree = new WinnerTree(300);
    tree.set(0, 10);
    tree.set(1, 8);
    tree.set(17, 9);
    expect([tree.bestKey, tree.best]).toEqual([10, 0]);
    tree.set(0, 5); // node of 0..15 now holds (8, 1); the root must see 17's 9
    expect([tree.bestKey, tree.best]).toEqual([9, 17]);
    tree.set(17, 8); // tie at 8: the lower slot
    expect([tree.bestKey, tree.best]).toEqual([8, 1]);
    tree.set(299, 8);
    expect([tree.bestKey, tree.best]).toEqual([8, 1]);
    tree.set(1, -Infinity);
    expect([tree.bestKey, tree.best]).toEqual([8, 17]);
  });
});
