/**
 * Hand-worked two-level cases (issue #15): deflation, balloon_max, balloon=0, compression (a
 * touch of a compressed frame is a decompression, not a swap-in; the full cache's oldest page
 * goes to host swap), free page reporting, a false read, a swap-out of a freed frame. lru at
 * both levels; each step is worked in the comments; invariants are checked after every step.
 * Notation: (v,f) is guest frame f of VM v at the host.
 */
import { describe, expect, it } from 'vitest';
import { checkInvariants, guest, rows, runTwo, type Row } from './harness.js';

const check = (r: Parameters<typeof checkInvariants>[0]): void => checkInvariants(r);

describe('a false read', () => {
  it('a guest load into a frame the host swapped out reads it back only to overwrite it', () => {
    // G = 2, F = 1. R a: frame 0 (the load writes it: host-dirty). R b: frame 1; the host swaps
    // (0,0) out (swap-out 1). R c: the guest drops a (clean: no guest swap-out) and loads c into
    // frame 0: the host swaps (0,0) in (a false read), evicting (0,1) (swap-out 2).
    const run = runTwo(rows('R a, R b, R c'), { frames: 1, guests: [guest({ frames: 2 })] }, check);
    const g = run.guests[0]!;
    const h = run.host.vms[0]!;
    expect([g.counters.faults, g.counters.swapOuts]).toEqual([3, 0]);
    expect([h.faults, h.minorFaults, h.majorFaults, h.swapOuts]).toEqual([3, 2, 1, 2]);
    expect([g.level.falseReads, g.level.doublePaging]).toEqual([1, 0]);
  });
});

describe('host swap-outs of frames the guest had freed, and --free-page-reporting', () => {
  const trace = rows('W a, W b, F b, R a');
  it('without reporting the host swaps out a frame that holds nothing', () => {
    // G = 2, F = 1. W a: (0,0). W b: (0,1), the host swaps (0,0) out (swap-out 1). F b: the guest
    // frees frame 1, the host still backs it. R a: a guest hit; the host swaps (0,0) in (neither
    // double paging nor a false read: a plain access) and evicts (0,1), host-dirty: swap-out 2 of
    // a frame the guest had freed.
    const run = runTwo(trace, { frames: 1, guests: [guest({ frames: 2 })] }, check);
    const g = run.guests[0]!;
    const h = run.host.vms[0]!;
    expect([h.faults, h.majorFaults, h.swapOuts]).toEqual([3, 1, 2]);
    expect(g.level.freedSwapOuts).toBe(1);
    expect([g.level.doublePaging, g.level.falseReads]).toEqual([0, 0]);
  });

  it('with reporting F b releases the backing: no such swap-out', () => {
    // F b: frame 1 is reported, the host frees (0,1). R a: (0,0) swapped in into the free frame.
    const run = runTwo(trace, { frames: 1, guests: [guest({ frames: 2 })], freePageReporting: true }, check);
    const g = run.guests[0]!;
    const h = run.host.vms[0]!;
    expect([h.faults, h.majorFaults, h.swapOuts]).toEqual([3, 1, 1]);
    expect(g.level.freedSwapOuts).toBe(0);
    expect(h.resident).toBe(1);
  });

  it('with reporting an eviction releases the frame too: a load into it is a host minor fault, not a false read', () => {
    // The false-read trace: at R c the guest drops a from frame 0, reports it (the host releases
    // (0,0) and its swap slot), and c's load is a host minor fault evicting (0,1) (swap-out 2).
    const run = runTwo(rows('R a, R b, R c'), { frames: 1, guests: [guest({ frames: 2 })], freePageReporting: true }, check);
    const g = run.guests[0]!;
    const h = run.host.vms[0]!;
    expect([h.faults, h.minorFaults, h.majorFaults, h.swapOuts]).toEqual([3, 3, 0, 2]);
    expect(g.level.falseReads).toBe(0);
    expect(run.host.swapUsed).toBe(1);
  });
});

describe('ballooning', () => {
  it('balloon_max bounds the balloon; a never-used free guest frame is given first', () => {
    // G = 4, F = 2, balloon_max 25%: at most floor(1) = 1 frame. W a, W b: (0,0), (0,1): host
    // full. W c: frame 2; the host needs a frame: the balloon takes the lowest free guest frame,
    // 3 (never used, unbacked: no host frame freed), and can grow no more: the host swaps (0,0)
    // out (swap-out 1). W d: no free guest frame, the balloon cannot deflate (no free host frame):
    // the guest evicts a (guest swap-out 1), reading (0,0): host swap-in (double paging 1),
    // evicting (0,1) (swap-out 2); d loads into frame 0 (a host hit).
    const run = runTwo(rows('W a, W b, W c, W d'), { frames: 2, guests: [guest({ frames: 4, balloonMax: 25 })], reclaim: ['balloon', 'swap'] }, check);
    const g = run.guests[0]!;
    const h = run.host.vms[0]!;
    expect([g.counters.faults, g.counters.swapOuts]).toEqual([4, 1]);
    expect([h.faults, h.minorFaults, h.majorFaults, h.swapOuts]).toEqual([4, 3, 1, 2]);
    expect([g.balloon, g.level.balloonPeak, g.level.doublePaging]).toEqual([1, 1, 1]);
  });

  it('at the default 65% the balloon grows to 2 and the host never swaps', () => {
    // floor(65% of 4) = 2. W c: the balloon takes frame 3 (frees nothing), then a's frame (the
    // guest evicts a: guest swap-out 1, a host hit) whose host frame is freed: (0,2) gets it.
    // W d: the guest evicts b (guest swap-out 2, a host hit) and loads d into frame 1.
    const run = runTwo(rows('W a, W b, W c, W d'), { frames: 2, guests: [guest({ frames: 4 })], reclaim: ['balloon', 'swap'] }, check);
    const g = run.guests[0]!;
    const h = run.host.vms[0]!;
    expect([g.counters.faults, g.counters.swapOuts]).toEqual([4, 2]);
    expect([h.faults, h.minorFaults, h.swapOuts]).toEqual([3, 3, 0]);
    expect(g.balloon).toBe(2);
    expect(g.pageOf[0]).toBe(-2);
    expect(g.pageOf[3]).toBe(-2);
  });

  it('balloon=0: no balloon driver, the ladder falls to swap (the worked example\'s swap numbers)', () => {
    const run = runTwo(rows('W a, W b, R c'), { frames: 1, guests: [guest({ frames: 2, balloon: false })], reclaim: ['balloon', 'swap'] }, check);
    const g = run.guests[0]!;
    const h = run.host.vms[0]!;
    expect([h.faults, h.minorFaults, h.majorFaults, h.swapOuts]).toEqual([3, 2, 1, 2]);
    expect([g.balloon, g.level.doublePaging, g.counters.swapOuts]).toEqual([0, 1, 1]);
  });

  it('deflation: a guest short of frames takes one back from its balloon when the host has a free frame', () => {
    // vm0 G = 2 (balloon at most 1), vm1 G = 1 (balloon at most floor(0.65) = 0), F = 2,
    // --free-page-reporting. 1 vm0 W a: (0,0). 2 vm1 W x: (1,0): host full. 3 vm0 W b: frame 1;
    // the host needs a frame: only vm0's balloon can grow: the guest evicts a (guest swap-out 1,
    // a host hit), frame 0 is ballooned and (0,0) freed; (0,1) gets it. 4 vm1 F x: reported, the
    // host frees (1,0). 5 vm0 W c: no free guest frame, the balloon holds frame 0 and the host has
    // a free frame: the balloon deflates, c loads into frame 0 (host minor), nothing is evicted.
    const trace: Row[] = [
      { vm: 0, op: 'W', page: 0 },
      { vm: 1, op: 'W', page: 0 },
      { vm: 0, op: 'W', page: 1 },
      { vm: 1, op: 'F', page: 0 },
      { vm: 0, op: 'W', page: 2 },
    ];
    const run = runTwo(trace, { frames: 2, guests: [guest({ frames: 2 }), guest({ frames: 1 })], reclaim: ['balloon', 'swap'], freePageReporting: true }, check);
    const g = run.guests[0]!;
    expect([g.counters.faults, g.counters.swapOuts, g.counters.evictions]).toEqual([3, 1, 1]);
    expect([g.balloon, g.level.balloonPeak, g.level.balloonDeflations]).toEqual([0, 1, 1]);
    expect([run.host.vms[0]!.faults, run.host.vms[0]!.minorFaults, run.host.vms[1]!.faults]).toEqual([3, 3, 1]);
    expect(run.host.swapPeak).toBe(0);
  });
});

describe('compression', () => {
  it('a touch of a compressed frame is a decompression, not a swap-in; the full cache sends its oldest page to host swap', () => {
    // G = 10, compress_max 20% (2 pages), ratio 2, F = 3, --reclaim compress,swap.
    // 1-3 W a, W b, W c: (0,0), (0,1), (0,2), host full.
    // 4 W d: frame 3. Compress (0,0): its frame freed, a cache frame taken (1 page): still full;
    //   compress (0,1): the cache frame's second slot: a frame free; (0,3) minor.
    // 5 R a: a guest hit; (0,0) is compressed: a decompression (the cache keeps (0,1)); a frame is
    //   needed: compress (0,2) (the cache: (0,1), (0,2), one frame); (0,0) takes the free frame.
    // 6 W e: frame 4. Compress (0,3): the cache is full: its oldest (0,1) goes to host swap
    //   (swap-out 1), then (0,3) enters: a frame free; (0,4) minor.
    // 7 R b: a guest hit; (0,1) is in host swap: a swap-in (a plain access: no double paging).
    //   Compress (0,0): the oldest (0,2) goes to host swap (swap-out 2); (0,1) takes the frame.
    const run = runTwo(rows('W a, W b, W c, W d, R a, W e, R b'), { frames: 3, guests: [guest({ frames: 10, compressMax: 20 })], reclaim: ['compress', 'swap'] }, check);
    const g = run.guests[0]!;
    const h = run.host.vms[0]!;
    expect([g.counters.faults, g.counters.hits, g.counters.swapOuts]).toEqual([5, 2, 0]);
    // engine faults: 5 zero-fills + 1 decompression (a fault at the host that is not a minor one) + 1 swap-in
    expect([h.faults, h.minorFaults - g.level.decompressions, h.majorFaults, h.swapIns, h.swapOuts]).toEqual([7, 5, 1, 1, 2]);
    expect([g.level.compressions, g.level.decompressions, g.compressed, g.cacheFrames]).toEqual([5, 1, 2, 1]);
    expect([g.level.doublePaging, g.level.falseReads]).toEqual([0, 0]);
    expect(h.resident).toBe(2);
  });

  it('EAT prices a decompression at --latency decompress (default 5us)', async () => {
    const { simulateTwoLevel } = await import('../../src/run/two-level-run.js');
    const { textSource } = await import('../helpers.js');
    const { DEFAULT_READ_OPTIONS } = await import('../../src/trace/reader.js');
    const { twoConfig } = await import('./harness.js');
    const config = twoConfig({ frames: 3, guests: [guest({ frames: 10, compressMax: 20 })], reclaim: ['compress', 'swap'] });
    config.twoLevel = { ...config.twoLevel!, perVm: new Map(), defaults: guest({ frames: 10, compressMax: 20 }) };
    const out = await simulateTwoLevel({ sources: [textSource('W 0\nW 1\nW 2\nW 3\nR 0\n', 'plain')], read: DEFAULT_READ_OPTIONS, config });
    // steps 1-5 above: guest 4 minor (2us) + 1 hit (100ns); host 4 minor (2us) + 1 decompression (5us)
    expect(out.vms[0]!.eatNs).toBeCloseTo((4 * 2000 + 100 + 4 * 2000 + 5000) / 5, 9);
    expect(out.levels!.vms[0]!.hostFaults).toBe(5);
    expect(out.levels!.vms[0]!.hostMinorFaults).toBe(4);
  });
});
