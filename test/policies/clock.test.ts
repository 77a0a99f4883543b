import { describe, expect, it } from 'vitest';
import { runEngine, simulateRows } from '../engine/drive.js';
import type { RefRow } from '../engine/reference-model.js';

const reads = (pages: number[]): RefRow[] => pages.map((page) => ({ vm: 0, page, op: 'R' }));

describe('CLOCK (SPEC 2.1)', () => {
  it('gives a second chance, inserts new pages just behind the hand with a clear bit', () => {
    // 3 frames, pages 1 2 3 2 4 3 5 6 (circular order written from the hand):
    //   1 2 3   -> [1 2 3], hand on 1, all bits clear
    //   2       -> hit: bit of 2 set
    //   4       -> 1 is clear: evict 1; hand on 2; 4 goes just behind it: [2* 3 4]
    //   3       -> hit: [2* 3* 4]
    //   5       -> 2 and 3 lose their bits, 4 is clear: evict 4; hand wraps to 2: [2 3 5]
    //   6       -> 2 is clear now: evict 2                                     [3 5 6]
    // LRU would evict 1, 2, 4; a new page inserted at (not behind) the hand would make 6 evict 5.
    const clock = runEngine(reads([1, 2, 3, 2, 4, 3, 5, 6]), { frames: 3, swapSlots: Infinity, policy: 'clock' });
    expect(clock.victims).toEqual([
      [0, 1],
      [0, 4],
      [0, 2],
    ]);
    expect(clock.engine.vms[0]!.faults).toBe(6);
    expect(clock.engine.vms[0]!.hits).toBe(2);
    const lru = runEngine(reads([1, 2, 3, 2, 4, 3, 5, 6]), { frames: 3, swapSlots: Infinity, policy: 'lru' });
    expect(lru.victims).toEqual([
      [0, 1],
      [0, 2],
      [0, 4],
    ]);
  });

  it('a full sweep that finds nothing to evict leaves the hand where it began', async () => {
    // Regression: the sweep took 2n+1 steps and left the hand one page further on.
    // 2 frames, 1 swap slot; VMs a, b, c:
    //   a W0       -> [a0]
    //   b W1       -> [b1 a0], hand on a0
    //   b W0       -> evict a0 (dirty: swap-out, the one slot); hand on b1; [b0 b1] from b1
    //   a R0       -> swap full, b0 and b1 dirty: no victim; a is OOM-killed (its slot freed).
    //                 The hand went round twice and is on b1 again.
    //   c R0       -> evict b1 (swap-out into the freed slot); [c0 b0]
    //   b R0       -> a hit (with the hand one page on, b0 would have gone: a major fault)
    const rows: RefRow[] = [
      { vm: 0, page: 0, op: 'W' },
      { vm: 1, page: 1, op: 'W' },
      { vm: 1, page: 0, op: 'W' },
      { vm: 0, page: 0, op: 'R' },
      { vm: 2, page: 0, op: 'R' },
      { vm: 1, page: 0, op: 'R' },
    ];
    const out = await simulateRows(rows, { frames: 2, swapSlots: 1, policy: 'clock' });
    const [a, b, c] = out.vms.map((v) => v.counters);
    expect(out.vms.map((v) => v.name)).toEqual(['vm0', 'vm1', 'vm2']);
    expect(a!.oomKills).toBe(1);
    expect(a!.accesses).toBe(1);
    expect(b!.accesses).toBe(3);
    expect(b!.hits).toBe(1);
    expect(b!.faults).toBe(2);
    expect(b!.majorFaults).toBe(0);
    expect(b!.swapOuts).toBe(1);
    expect(b!.evictions).toBe(1);
    expect(c!.faults).toBe(1);
    expect(out.host.swapInUseEnd).toBe(1);
  });
});
