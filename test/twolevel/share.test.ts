/**
 * Content sharing at the host with two levels (--dedup ideal|ksm, --reclaim share; SPEC 2.6 over
 * guest frames, 2.7 host step 4), hand-worked: a guest frame holds the content of the guest page
 * in it, and the host may back identical guest frames of any VMs with one host frame. lru at both
 * levels; each step is worked in the comments; invariants (no host frame backs two guest frames
 * unless shared, a shared frame counted once in frames in use, the memory model's check()) after
 * every step. Notation: (v,f) is guest frame f of VM v at the host; `W a=1` writes content token 1.
 */
import { describe, expect, it } from 'vitest';
import { checkInvariants, guest, rows, runTwo, type Row, type TwoSettings } from './harness.js';

const check = (r: Parameters<typeof checkInvariants>[0]): void => checkInvariants(r);
const both = (text: string): Row[] => text.split(';').flatMap((part, i) => rows(part, i % 2));

/** per VM: [pages_shared, pages_sharing] at the end (a shared frame counts for its first mapper's VM) */
function sharing(run: ReturnType<typeof runTwo>): [number, number][] {
  const snap = run.model!.snapshot(run.guests.length);
  return snap.perVm.map((m) => [m.pagesShared, m.pagesSharing]);
}

describe('two VMs with identical content share a host frame', () => {
  // VM 0: W a=1, then VM 1: W a=1 (rows alternate VM 0, VM 1); G = 2 each, F = 1.
  const trace = both('W a=1; W a=1; R a; R a');
  const settings: TwoSettings = { frames: 1, guests: [guest({ frames: 2 })] };

  it('without --dedup the second VM evicts the first (a host swap-out)', () => {
    // W a (VM 0): (0,0) host minor, host frame 0. W a (VM 1): (1,0) host minor, no free frame:
    // lru evicts (0,0), host-dirty: swap-out 1 (VM 0's). R a (VM 0): (0,0) host major, evicting
    // (1,0), host-dirty: swap-out 2 (VM 1's). R a (VM 1): (1,0) major, evicting (0,0), clean with
    // its swap copy since the swap-in: dropped without a write.
    const run = runTwo(trace, settings, check);
    expect(run.host.vms.map((c) => [c.faults, c.majorFaults, c.swapOuts])).toEqual([
      [2, 1, 1],
      [2, 1, 1],
    ]);
  });

  it('with --dedup ideal one host frame backs both guest frames', () => {
    // W a (VM 0): (0,0) host minor into frame 0, content 1. W a (VM 1): its guest load writes
    // content 1 into (1,0), which frame 0 holds: (1,0) joins frame 0 (a host minor fault, no
    // frame taken, no eviction). Both R a are host hits. Host frames in use 1; pages_shared 1
    // (VM 0, the first mapper), pages_sharing 1 (VM 1).
    const run = runTwo(trace, { ...settings, dedup: 'ideal' }, check);
    expect(run.host.vms.map((c) => [c.faults, c.minorFaults, c.hits, c.swapOuts])).toEqual([
      [1, 1, 1, 0],
      [1, 1, 1, 0],
    ]);
    expect(run.host.framesInUse).toBe(1);
    expect(run.host.framesPeak).toBe(1);
    expect(run.host.vms.map((c) => c.resident)).toEqual([1, 1]);
    expect(sharing(run)).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(run.model!.counters.map((c) => c.merges)).toEqual([0, 1]);
  });

  it('never-written guest pages share the zero page at the host', () => {
    // R a in each VM: each guest zero-fills a guest frame (a host write of the zero page): (1,0)
    // joins (0,0)'s frame. F = 1 holds both.
    const run = runTwo(both('R a; R a; R a; R a'), { ...settings, dedup: 'ideal' }, check);
    expect(run.host.vms.map((c) => c.faults)).toEqual([1, 1]);
    expect(run.host.swapPeak).toBe(0);
    expect(sharing(run)).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });
});

describe('copy-on-write', () => {
  it('a write to a shared-backed guest frame copies it (a COW fault of the writer, a host hit)', () => {
    // F = 2. W a=1 (VM 0), W a=1 (VM 1): one frame, shared (as above). W a=2 (VM 1): a guest hit;
    // the host touch writes content 2 into (1,0), whose frame is shared: a copy-on-write, (1,0)
    // takes free frame 1. No fault at either level; frames in use 2; nothing shared any more.
    const run = runTwo(both('W a=1; W a=1; R a; W a=2'), { frames: 2, guests: [guest({ frames: 2 })], dedup: 'ideal' }, check);
    expect(run.model!.counters.map((c) => c.cowFaults)).toEqual([0, 1]);
    expect(run.host.vms.map((c) => [c.faults, c.hits])).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect(run.guests[1]!.counters.hits).toBe(1);
    expect(run.host.framesInUse).toBe(2);
    expect(sharing(run)).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('a copy with no free host frame evicts (the ladder runs as for a fault)', () => {
    // F = 1: the COW of (1,0) needs a frame; (1,0) is out of the policy's sight meanwhile, so lru
    // names (0,0), alone in the shared frame now, host-dirty: a host swap-out of VM 0. (1,0)
    // gets the frame. Then R a (VM 0): a guest hit, (0,0) host major (its content 1 is in no
    // frame any more), evicting (1,0): swap-out of VM 1.
    const run = runTwo(both('W a=1; W a=1; R a; W a=2; R a'), { frames: 1, guests: [guest({ frames: 2 })], dedup: 'ideal' }, check);
    expect(run.model!.counters.map((c) => c.cowFaults)).toEqual([0, 1]);
    expect(run.host.vms.map((c) => [c.faults, c.majorFaults, c.swapOuts])).toEqual([
      [2, 1, 1],
      [1, 0, 1],
    ]);
  });

  it('a guest load into a frame whose backing is shared is a copy-on-write too', () => {
    // G = 1, F = 2. R a (VM 0), R a (VM 1): zero-filled, one shared host frame. W b=5 (VM 0): a
    // guest fault; the guest drops a (clean) and loads b into guest frame 0: the load writes
    // content 5 into (0,0), backed by the shared frame: a COW of VM 0 into free frame 1 (a host
    // hit, not a host fault).
    const run = runTwo(both('R a; R a; W b=5'), { frames: 2, guests: [guest({ frames: 1 })], dedup: 'ideal' }, check);
    expect(run.guests[0]!.counters.faults).toBe(2);
    expect(run.model!.counters.map((c) => c.cowFaults)).toEqual([1, 0]);
    expect(run.host.vms.map((c) => [c.faults, c.hits])).toEqual([
      [1, 1],
      [1, 0],
    ]);
    expect(run.host.framesInUse).toBe(2);
  });
});

describe('the share rung: merging identical guest frames before the other rungs', () => {
  // ksm whose scanner never wakes in this trace (interval 10^6): identical frames stay unmerged
  // until reclamation merges them. G = 2 each, F = 2. W a=1 (VM 0): (0,0) into frame 0. W a=1
  // (VM 1): (1,0) into frame 1 (ksm does not merge at a fault). W b=2 (VM 0): (0,1) needs a
  // frame and none is free.
  const trace = both('W a=1; W a=1; W b=2');
  const settings: TwoSettings = { frames: 2, guests: [guest({ frames: 2 })], dedup: 'ksm', ksmInterval: 1_000_000 };

  it('--reclaim share,balloon,swap: a merge frees a host frame, no balloon, no swap-out', () => {
    // share: frames 0 and 1 both hold content 1; (1,0) joins frame 0 (the one whose first page,
    // (0,0), comes first) and frame 1 is free for (0,1). pages_shared 1 (VM 0), pages_sharing 1
    // (VM 1); the freed frame was VM 1's (shareReclaims).
    const run = runTwo(trace, { ...settings, reclaim: ['share', 'balloon', 'swap'] }, check);
    expect(run.host.vms.map((c) => [c.faults, c.swapOuts])).toEqual([
      [2, 0],
      [1, 0],
    ]);
    expect(run.guests.map((g) => [g.balloon, g.level.shareReclaims])).toEqual([
      [0, 0],
      [0, 1],
    ]);
    expect(run.host.framesInUse).toBe(2);
    expect(sharing(run)).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(run.model!.demandMerges).toBe(1);
  });

  it('--reclaim balloon,swap: the balloon has to grow instead', () => {
    // No share rung. W b=2 took VM 0's last unused guest frame, 1; the balloon rung: lru's first
    // backed frame among VMs whose balloon can grow (65% of 2 = 1 frame) is (0,0), so VM 0's
    // balloon grows: no free guest frame, so its policy's victim, a (never b, being loaded), is
    // evicted, dirty: a guest swap-out that reads (0,0) (a host hit). Guest frame 0 is ballooned
    // and its host frame freed, which (0,1) takes. No host swap-out, nothing shared.
    const run = runTwo(trace, { ...settings, reclaim: ['balloon', 'swap'] }, check);
    expect(run.guests.map((g) => [g.balloon, g.counters.swapOuts, g.level.shareReclaims])).toEqual([
      [1, 1, 0],
      [0, 0, 0],
    ]);
    expect(run.host.vms.map((c) => [c.faults, c.swapOuts])).toEqual([
      [2, 0],
      [1, 0],
    ]);
    expect(sharing(run)).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('--reclaim swap: the host swaps a frame out', () => {
    // lru's victim is (0,0), host-dirty: a host swap-out of VM 0; nothing merged.
    const run = runTwo(trace, { ...settings, reclaim: ['swap'] }, check);
    expect(run.host.vms.map((c) => c.swapOuts)).toEqual([1, 0]);
    expect(sharing(run)).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('under ideal the rung finds nothing: identical frames are merged the moment they are written', () => {
    // (1,0) joins frame 0 at its load; W b=2 takes free frame 1; share never runs.
    const run = runTwo(trace, { ...settings, dedup: 'ideal', reclaim: ['share', 'swap'] }, check);
    expect(run.host.vms.map((c) => c.swapOuts)).toEqual([0, 0]);
    expect(run.model!.demandMerges).toBe(0);
    expect(run.host.framesInUse).toBe(2);
  });
});

describe('ksm scanning at the host', () => {
  it('the scanner merges identical guest frames of two VMs when it wakes', () => {
    // ksm, 100 pages every 3 guest accesses, F = 4. W a=1 (VM 0): (0,0), frame 0. W a=1 (VM 1):
    // (1,0), frame 1: two frames in use. R a (VM 0), the third access: the scanner wakes and
    // visits host pages in order: (0,0) enters the unstable tree, (1,0) has the same content:
    // it merges into (0,0)'s frame, which becomes stable; frame 1 is freed.
    const inUse: number[] = [];
    const run = runTwo(both('W a=1; W a=1; R a'), { frames: 4, guests: [guest({ frames: 2 })], dedup: 'ksm', ksmInterval: 3 }, (r) => {
      check(r);
      inUse.push(r.host.framesInUse);
    });
    expect(inUse).toEqual([1, 2, 1]);
    expect(run.model!.ksmPagesScanned).toBe(2);
    expect(run.model!.counters.map((c) => c.merges)).toEqual([0, 1]);
    expect(sharing(run)).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });
});
