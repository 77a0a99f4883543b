import { describe, expect, it } from 'vitest';
import { run } from '../helpers.js';
import { runEngine } from '../engine/drive.js';
import type { RefRow } from '../engine/reference-model.js';

const rows = (ops: string): RefRow[] =>
  ops.split(' ').map((t) => ({ vm: 0, page: Number(t.slice(1)), op: t[0] === 'W' ? 'W' : 'R' }));

describe("OPT, Belady's MIN (SPEC 2.1)", () => {
  it('evicts the page whose next use is furthest away', () => {
    // 3 frames: 1 2 3 4 1 2 5 1 2 3 4 5. At 4: next uses 1@4 2@5 3@9 -> evict 3.
    // At 5: 1@7 2@8 4@10 -> evict 4. At 3: 1 never, 2 never, 5@11 -> evict the least recently
    // used of the never-again pages: 1 (t7) -> then 4: 2 never, 3 never, 5@11 -> evict 2 (t8).
    const out = runEngine(rows('R1 R2 R3 R4 R1 R2 R5 R1 R2 R3 R4 R5'), { frames: 3, swapSlots: Infinity, policy: 'opt' });
    expect(out.victims.map((v) => v![1])).toEqual([3, 4, 1, 2]);
    expect(out.engine.vms[0]!.faults).toBe(7);
  });

  it('among pages never used again, evicts the least recently used (swap-outs show it)', async () => {
    // 2 frames: W1 R2 R3. At R3 neither 1 (dirty, last used t0) nor 2 (clean, t1) is used again:
    // 1 is the least recently used and goes, a swap-out. Evicting 2 would write nothing.
    const out = await run([1, 2, 3], { policy: 'opt', frames: 2 }, [true, false, false]);
    expect(out.total.counters.swapOuts).toBe(1);
    expect(out.total.counters.evictions).toBe(1);
    expect(out.host.swapInUseEnd).toBe(1);
  });

  it('with swap full takes the furthest page that can be dropped without a write', async () => {
    // 2 frames, no swap: W1 R2 R3 R2 R1. At R3: 1 is next used at t4, 2 at t3; 1 is furthest
    // but dirty with nowhere to go, so 2 goes. At R2: 1 (dirty) stays, 3 (never again) goes.
    // R1 hits. Faults 1, 2, 3, 2 = 4, no swap-out.
    const none = await run([1, 2, 3, 2, 1], { policy: 'opt', frames: 2, swapSlots: 0 }, [true]);
    expect(none.total.counters.faults).toBe(4);
    expect(none.total.counters.hits).toBe(1);
    expect(none.total.counters.swapOuts).toBe(0);
    // Unlimited swap: R3 evicts 1 (swap-out), R2 hits, R1 is a major fault evicting 3 (the
    // least recently used of 2 and 3, neither used again). Faults 1, 2, 3, 1 = 4.
    const some = await run([1, 2, 3, 2, 1], { policy: 'opt', frames: 2 }, [true]);
    expect(some.total.counters.faults).toBe(4);
    expect(some.total.counters.swapOuts).toBe(1);
    expect(some.total.counters.majorFaults).toBe(1);
    expect(some.total.counters.hits).toBe(1);
  });
});
