/**
 * SPEC 2.7's worked example: 1 VM, G = 2, F = 1, lru at both levels, trace `W a, W b, R c`,
 * under `--reclaim swap` and `--reclaim balloon,swap`. Every number below is the SPEC's, worked
 * by hand there (and repeated step by step in the comments).
 */
import { describe, expect, it } from 'vitest';
import { checkInvariants, guest, rows, runTwo } from './harness.js';

const trace = rows('W a, W b, R c');

describe('SPEC 2.7 worked example', () => {
  it('--reclaim swap: the host swaps frame 0 out, then the guest swap-out of a reads it back (double paging)', () => {
    const run = runTwo(trace, { frames: 1, guests: [guest({ frames: 2 })], reclaim: ['swap'] }, (r) => checkInvariants(r));
    const g = run.guests[0]!;
    const h = run.host.vms[0]!;
    // W a: guest minor into frame 0, host minor. W b: guest minor into frame 1; host evicts frame 0
    // (host-dirty: host swap-out 1), host minor. R c: the guest evicts a (dirty: guest swap-out 1),
    // reading frame 0: host major (double paging 1), evicting frame 1 (host swap-out 2); c loads
    // into frame 0: a host hit (a write).
    expect([g.counters.faults, g.counters.minorFaults, g.counters.majorFaults]).toEqual([3, 3, 0]);
    expect(g.counters.swapOuts).toBe(1);
    expect([h.faults, h.minorFaults, h.majorFaults]).toEqual([3, 2, 1]);
    expect(h.swapOuts).toBe(2);
    expect(g.level.doublePaging).toBe(1);
    expect(g.level.falseReads).toBe(0);
    expect(g.balloon).toBe(0);
    // host touches: a, b, the swap-out read of frame 0, c
    expect(h.accesses).toBe(4);
  });

  it('--reclaim balloon,swap: the balloon takes frame 0 (the guest evicts a itself), no host I/O', () => {
    const run = runTwo(trace, { frames: 1, guests: [guest({ frames: 2 })], reclaim: ['balloon', 'swap'] }, (r) => checkInvariants(r));
    const g = run.guests[0]!;
    const h = run.host.vms[0]!;
    // W b: the host has no free frame: the balloon grows by one (floor(65% of 2) = 1): the guest has
    // no free frame, evicts a (guest swap-out 1, reading frame 0: a host hit), frame 0 is ballooned
    // and its host frame freed; frame 1 gets it (host minor). R c: no free guest frame, the balloon
    // cannot deflate (no free host frame): the guest evicts b (guest swap-out 2, a host hit) and
    // loads c into frame 1 (a host hit).
    expect([g.counters.faults, g.counters.minorFaults]).toEqual([3, 3]);
    expect(g.counters.swapOuts).toBe(2);
    expect([h.faults, h.minorFaults, h.majorFaults]).toEqual([2, 2, 0]);
    expect(h.swapOuts).toBe(0);
    expect(g.balloon).toBe(1);
    expect(g.level.doublePaging).toBe(0);
    expect(g.level.falseReads).toBe(0);
  });
});
