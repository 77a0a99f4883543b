/**
 * Hand-worked 2- and 3-VM sequences, one or more per scheduler: which VM loses which page at each
 * fault. Every expectation is derived in the comments from SPEC 2.2 with LRU inside the VM(s)
 * the scheduler names. Notation: `a3` = page 3 of VM a; `a>b1` = a fault of VM a evicted b1.
 */
import { describe, expect, it } from 'vitest';
import { runAccesses, seq } from './harness.js';

describe('global', () => {
  it('a VM at its limit replaces its own least recent page, not the global one', () => {
    // F = 3, a limit 2. b1 a1 a2 fill the frames.
    // a3: a holds 2 = its limit -> its own LRU page a1 (globally LRU would be b1).
    // b2: b is below any limit -> global LRU over b1(t0) a2(t2) a3(t3): b1, its own.
    // a1: a at its limit again -> own LRU among a2(t2) a3(t3): a2.
    const h = runAccesses(seq('b1 a1 a2 a3 b2 a1'), { frames: 3, scheduler: 'global', vms: [{ name: 'a', limit: 2 }] });
    expect(h.log).toEqual(['a>a1', 'b>b1', 'a>a2']);
    expect(h.violations).toEqual([]);
  });

  it('without a limit the same sequence follows the one global LRU order', () => {
    // a3: global LRU b1. b2: LRU a1. a1: LRU a2.
    const h = runAccesses(seq('b1 a1 a2 a3 b2 a1'), { frames: 3, scheduler: 'global' });
    expect(h.log).toEqual(['a>b1', 'b>a1', 'a>a2']);
  });

  it('pages of a VM at its reserve are passed over', () => {
    // F = 3, a reserve 2. a1 a2 b1 fill. b2: global LRU a1, but a holds 2 = its reserve ->
    // passed over, a2 likewise -> b1. b3: a1, a2 passed over -> b2.
    const h = runAccesses(seq('a1 a2 b1 b2 b3'), { frames: 3, scheduler: 'global', vms: [{ name: 'a', reserve: 2 }] });
    expect(h.log).toEqual(['b>b1', 'b>b2']);
    expect(h.resident('a')).toBe(2);
  });

  it('free frames are held back for a declared VM that has not started yet', () => {
    // F = 3, a reserve 2, a appears last. b1: 3 free > 2 reserved -> takes one. b2: 2 free, 2
    // held for a -> b replaces its own b1. b3 -> b2. a1, a2 take the held frames, no eviction.
    const h = runAccesses(seq('b1 b2 b3 a1 a2'), { frames: 3, scheduler: 'global', vms: [{ name: 'a', reserve: 2 }] });
    expect(h.log).toEqual(['b>b1', 'b>b2']);
    expect(h.resident('a')).toBe(2);
    expect(h.engine.framesInUse).toBe(3);
  });
});

describe('partition', () => {
  it('splits by weight with the largest remainder and keeps each VM in its partition (2 VMs)', () => {
    // F = 5, weights a 2, b 1: shares 10/3 and 5/3 -> floors 3 and 1, one frame left over goes
    // to the larger remainder (b: 2/3 > 1/3) -> a 3, b 2.
    // a1 a2 a3 fill a's partition; a4 -> a's LRU a1 (2 frames are still free, but b's).
    // b1 b2 fill b's; b3 -> b1. a1 -> a's LRU a2.
    const h = runAccesses(seq('a1 a2 a3 a4 b1 b2 b3 a1'), {
      frames: 5,
      scheduler: 'partition',
      vms: [
        { name: 'a', weight: 2 },
        { name: 'b', weight: 1 },
      ],
    });
    expect(h.engine.scheduler.entitlements()).toEqual([3, 2]);
    expect(h.log).toEqual(['a>a1', 'b>b1', 'a>a2']);
    expect(h.violations).toEqual([]);
  });

  it('gives an equal remainder to the VM listed first (3 VMs)', () => {
    // F = 10, equal weights: 10/3 each -> 3 + 3 + 3, one frame left, equal remainders -> a.
    // a holds 4 before replacing (a5 -> a1); b and c hold 3 (b4 -> b1, c4 -> c1).
    const h = runAccesses(seq('a1 a2 a3 a4 b1 b2 b3 c1 c2 c3 a5 b4 c4'), { frames: 10, scheduler: 'partition' });
    expect(h.engine.scheduler.entitlements()).toEqual([4, 3, 3]);
    expect(h.log).toEqual(['a>a1', 'b>b1', 'c>c1']);
  });

  it('keeps partitions within [reserve, limit]', () => {
    // F = 10, equal weights, a limit 2, c reserve 5: a 2; the other 8 by weight, 4 and 4, but c
    // needs 5 -> c 5, b 3.
    const h = runAccesses(seq('a1 b1 c1'), {
      frames: 10,
      scheduler: 'partition',
      vms: [
        { name: 'a', limit: 2 },
        { name: 'c', reserve: 5 },
      ],
    });
    expect(h.engine.scheduler.entitlements()).toEqual([2, 3, 5]);
  });
});

describe('highest', () => {
  it('a lower-priority VM gives its frames and, with none left, gets none (2 VMs)', () => {
    // F = 3, hi priority 2, lo priority 1. hi1 lo1 lo2 fill.
    // hi2: weakest class holding frames = lo -> lo's LRU lo1.
    // lo3: lo is the weakest and holds lo2 -> its own lo2.
    // hi3: lo holds lo3 -> lo3. lo now holds nothing.
    // lo1: no weaker-or-equal VM holds a frame, and hi may not lose one to lo -> no frame: lo is
    // OOM-killed (--on-oom kill).
    const h = runAccesses(seq('hi1 lo1 lo2 hi2 lo3 hi3 lo1'), {
      frames: 3,
      scheduler: 'highest',
      vms: [
        { name: 'hi', priority: 2 },
        { name: 'lo', priority: 1 },
      ],
    });
    expect(h.log).toEqual(['hi>lo1', 'lo>lo2', 'hi>lo3']);
    expect(h.engine.oomEvents).toEqual([{ vm: 1, position: 6, framesFreed: 0, cause: 'no-frame' }]);
    expect(h.violations).toEqual([]);
  });

  it('a reserve keeps the lower-priority VM running', () => {
    // The same with lo reserve 1. hi2: lo holds 2 > 1 -> lo1. lo3: lo at its reserve, but it may
    // replace its own page -> lo2. hi3: lo at its reserve -> the next class up is hi's own ->
    // hi's LRU hi1. lo1: lo replaces its own lo3.
    const h = runAccesses(seq('hi1 lo1 lo2 hi2 lo3 hi3 lo1'), {
      frames: 3,
      scheduler: 'highest',
      vms: [
        { name: 'hi', priority: 2 },
        { name: 'lo', priority: 1, reserve: 1 },
      ],
    });
    expect(h.log).toEqual(['hi>lo1', 'lo>lo2', 'hi>hi1', 'lo>lo3']);
    expect(h.engine.oomEvents).toEqual([]);
  });

  it('among equal priorities the policy chooses (3 VMs)', () => {
    // F = 4, a and b priority 1, c priority 2. a1 b1 a2 b2 fill; LRU order a1 b1 a2 b2.
    // c1, c2: the weakest class {a, b} -> its LRU a1, then b1.
    // b3: b's class is the weakest; LRU over a's and b's pages: a2 (t2) before b2 (t3) -> a2.
    // a1: LRU in the class: b2 (t3), b3 (t6) -> b2. c3: LRU b3 (t6), a1 (t7) -> b3.
    const h = runAccesses(seq('a1 b1 a2 b2 c1 c2 b3 a1 c3'), {
      frames: 4,
      scheduler: 'highest',
      vms: [
        { name: 'a', priority: 1 },
        { name: 'b', priority: 1 },
        { name: 'c', priority: 2 },
      ],
    });
    expect(h.log).toEqual(['c>a1', 'c>b1', 'b>a2', 'a>b2', 'c>b3']);
    expect(h.violations).toEqual([]);
  });
});

describe('lowest', () => {
  it('is highest with priority as a rank: 1 first (2 VMs)', () => {
    // hi rank 1, lo rank 2: the same steps as highest's first example.
    const h = runAccesses(seq('hi1 lo1 lo2 hi2 lo3 hi3 lo1'), {
      frames: 3,
      scheduler: 'lowest',
      vms: [
        { name: 'hi', priority: 1 },
        { name: 'lo', priority: 2 },
      ],
    });
    expect(h.log).toEqual(['hi>lo1', 'lo>lo2', 'hi>lo3']);
    expect(h.engine.oomEvents.map((e) => e.vm)).toEqual([1]);
  });

  it('takes from the largest number first, never from a smaller one (3 VMs)', () => {
    // F = 3, ranks a 1, b 2, c 3. a1 b1 c1 fill.
    // b2: weakest holding frames: c -> c1. a2: c holds nothing, next b -> b1.
    // c2: c holds nothing, its own class is the weakest and stronger ones may not lose to it ->
    // no frame, c is OOM-killed. b3: b's own class is the weakest holding frames -> b2.
    const h = runAccesses(seq('a1 b1 c1 b2 a2 c2 b3'), {
      frames: 3,
      scheduler: 'lowest',
      vms: [
        { name: 'a', priority: 1 },
        { name: 'b', priority: 2 },
        { name: 'c', priority: 3 },
      ],
    });
    expect(h.log).toEqual(['b>c1', 'a>b1', 'b>b2']);
    expect(h.engine.oomEvents.map((e) => h.names[e.vm])).toEqual(['c']);
    expect(h.violations).toEqual([]);
  });
});

describe('weight', () => {
  // cost of VM u = resident / e, the faulting VM counting the page it brings in (+1); the
  // largest cost loses; equal costs: the faulting VM if among them, else the VM listed first.
  it('takes from the VM most over its entitlement (2 VMs, weights 3:1)', () => {
    // F = 4. b1..b4: b alone fills memory. a1: a joins, entitlements a 3, b 1; a holds nothing
    // to give, b 4/1 -> b's LRU b1. a2: a (1+1)/3 vs b 3/1 -> b2. a3: a (2+1)/3 = 1 vs b 2 -> b3.
    // b5: b (1+1)/1 = 2 vs a 3/3 = 1 -> its own b4. a4: a (3+1)/3 vs b 1/1 -> its own a1.
    const h = runAccesses(seq('b1 b2 b3 b4 a1 a2 a3 b5 a4'), {
      frames: 4,
      scheduler: 'weight',
      vms: [
        { name: 'a', weight: 3 },
        { name: 'b', weight: 1 },
      ],
    });
    expect(h.log).toEqual(['a>b1', 'a>b2', 'a>b3', 'b>b4', 'a>a1']);
    expect(h.engine.scheduler.entitlements()).toEqual([1, 3]); // VM 0 is b (it appeared first)
  });

  it('shares what a limited VM cannot hold among the others (3 VMs)', () => {
    // F = 6, equal weights, c limit 1: entitlements c 1, a and b 2.5 each.
    // c1 takes a free frame; c2: c at its limit -> its own c1. a1..a4 and b1 take free frames.
    // b2: b (1+1)/2.5 = 0.8, a 4/2.5 = 1.6, c 1/1 -> a's LRU a1.
    // b3: b (2+1)/2.5 = 1.2, a 3/2.5 = 1.2, c 1: equal, b is among them -> its own b1.
    // a5: a (3+1)/2.5 = 1.6, b 2/2.5, c 1 -> its own LRU a2.
    const h = runAccesses(seq('c1 c2 a1 a2 a3 a4 b1 b2 b3 a5'), { frames: 6, scheduler: 'weight', vms: [{ name: 'c', limit: 1 }] });
    expect(h.log).toEqual(['c>c1', 'b>a1', 'b>b1', 'a>a2']);
    expect(h.engine.scheduler.entitlements()).toEqual([1, 2.5, 2.5]);
    expect(h.violations).toEqual([]);
  });
});

describe('weight with the ESX idle memory tax', () => {
  // F = 6, equal weights; b (listed first) and a hold 3 pages each. a then touches only a1, b
  // keeps cycling over its 3 pages; c arrives and faults three times. Window W = 4 accesses.
  const trace = seq('b1 b2 b3 a1 a2 a3 a1 a1 a1 a1 b1 b2 b3 b1 c1 c2 c3');
  const vms = [{ name: 'b' }, { name: 'a' }, { name: 'c' }];

  it('T = 0.75 takes from the idle VM first', () => {
    // k = 1 / (1 - 0.75) = 4; cost of VM u = resident (k - (k - 1) f) / e, e = 2 each (the
    // faulting VM's resident + 1).
    // a's last 4 accesses: a1 x4 -> f = 1/3; b's: b1 b2 b3 b1 -> f = 1.
    // c1: c holds nothing to give; a 3 (4 - 1) / 2 = 4.5, b 3 * 1 / 2 = 1.5 -> a's LRU page a2.
    // c2: a holds {a1, a3}, a1 active -> f = 1/2: 2 (4 - 1.5) / 2 = 2.5; b 1.5; c (1+1) / 2 -> a3.
    // c3: a {a1}, f = 1: 0.5; b 1.5; c (2+1) / 2 = 1.5: equal to b, c is among them -> its own c1.
    // The idle VM a gave both frames before the active b gave any.
    const h = runAccesses(trace, { frames: 6, scheduler: 'weight', vms, idleTax: { rate: 0.75, window: 4, samplePages: 0 } });
    expect(h.log).toEqual(['c>a2', 'c>a3', 'c>c1']);
  });

  it('T = 0 is plain weight', () => {
    // plain: resident / e. c1: a and b both 3/2: equal, c not among them -> b, listed first:
    // b's LRU b2. c2: a 3/2 > b 2/2 = c (1+1)/2 -> a's LRU a2. c3: c (2+1)/2 > a, b 2/2 -> c1.
    const taxed = runAccesses(trace, { frames: 6, scheduler: 'weight', vms, idleTax: { rate: 0, window: 4, samplePages: 0 } });
    const plain = runAccesses(trace, { frames: 6, scheduler: 'weight', vms });
    expect(plain.log).toEqual(['c>b2', 'c>a2', 'c>c1']);
    expect(taxed.log).toEqual(plain.log);
  });

  it('sampling (--sample-pages) estimates f once per period of W accesses', () => {
    // --sample-pages 100 >= resident: the sample is every resident page, whatever the seed.
    // a: a1 a2 a3 a1 | a1 a1 a1 a1 | a2 a3 a1 - its first period drew no sample (nothing was
    // resident), the sample drawn after its 4th access is {a1, a2, a3}, and at its 8th access 1
    // of the 3 had been touched: f_a = 1/3 until its 12th access. b: b1 b2 b3 b1 | b2 b3 b1 b2:
    // all 3 touched, f_b = 1.
    // c1: a 3 (4 - 1) / 2 = 4.5, b 3 * 1 / 2 = 1.5 -> a's LRU page: a2 (a2 a3 a1 in that order).
    // Measured exactly, a's last 4 accesses a1 a2 a3 a1 make f_a = 1: a and b cost 1.5 each,
    // equal -> b, listed first: b's LRU page b3.
    const sampled = seq('b1 b2 b3 a1 a2 a3 a1 a1 a1 a1 a1 b1 b2 b3 b1 b2 a2 a3 a1 c1');
    const h = runAccesses(sampled, { frames: 6, scheduler: 'weight', vms, idleTax: { rate: 0.75, window: 4, samplePages: 100 } });
    expect(h.log).toEqual(['c>a2']);
    const exact = runAccesses(sampled, { frames: 6, scheduler: 'weight', vms, idleTax: { rate: 0.75, window: 4, samplePages: 0 } });
    expect(exact.log).toEqual(['c>b3']);
  });
});

describe('balance', () => {
  // F = 4, weights 1:1, lru, a rebalance every 8 accesses. key of VM u = resident - target, the
  // largest loses; ties: the VM listed first (a, which appears first).
  // Phase 1 (accesses 0-7): a loops over a1 a2 a3, b re-reads b1; everything fits (4 frames).
  // Rebalance before access 8, from the window's curves: a (a1 a2 a3 a1) faults 4 4 4 3 at 0..3
  // frames; b (b1 x 4) 4 1. Splits of 4: (3,1) 3 + 1 = 4, (2,2) 4 + 1, (4,0) 3 + 4, (1,3) and
  // (0,4) 4 + 1: targets a 3, b 1.
  // Phase 2: b loops over b1 b2 b3, a is idle.
  //  8 b2: a 3-3 = 0, b 1-1 = 0, a listed first -> a's LRU a2 (a1 at 6, a3 at 4, a2 at 2).
  //  9 b3: a 2-3, b 2-1 = +1 -> b's own LRU b1; 10 b1 -> b2; 11 b2 -> b3; ... b thrashes on 2.
  // Rebalance before 16: a made no access (flat curve: nothing to gain); b's window b2 b3 b1 b2
  // b3 b1 b2 b3 faults 8 8 8 3: b gets 3, and the 1 frame left is spare, shared by weight
  // (0.5 each, equal remainders: a, listed first): targets a 1, b 3.
  // 16 b1: a 2-1 = +1, b 2-3 -> a's LRU a3 (a1 at 6). Then b2 b3 b1 hit.
  const trace = seq('a1 b1 a2 b1 a3 b1 a1 b1 b2 b3 b1 b2 b3 b1 b2 b3 b1 b2 b3 b1');

  it('sets targets from the last window, rebalancing between the phases (2 VMs)', () => {
    const h = runAccesses(trace, { frames: 4, scheduler: 'balance', rebalance: 8 });
    expect(h.log).toEqual(['b>a2', 'b>b1', 'b>b2', 'b>b3', 'b>b1', 'b>b2', 'b>b3', 'b>b1', 'b>a3']);
    expect(h.engine.scheduler.targets!()).toEqual([1, 3]);
    expect(h.violations).toEqual([]);
  });

  it('until the first rebalance the targets are the weight entitlements', () => {
    // No rebalance within 20 accesses: targets 2 and 2. 8 b2: a 3-2 = +1 -> a2. 9 b3: a 2-2, b
    // 2-2: a listed first -> a3 (a1 at 6). b1 is resident: then b's loop fits in its 3 frames... no:
    // b holds b1 b2 b3, a holds a1: 10 b1 hit, 11 b2 hit, all hits on.
    const h = runAccesses(trace, { frames: 4, scheduler: 'balance', rebalance: 1000 });
    expect(h.log).toEqual(['b>a2', 'b>a3']);
    expect(h.engine.scheduler.targets!()).toEqual([2, 2]);
  });

  it('weights multiply faults and reserves bound the targets', () => {
    // Window 1 costs with b x 3: (3,1) 3 + 3 = 6 is still the best without a reserve. With a
    // reserve of 2 for b, a can have 2 frames at most and gains nothing below 3: every allowed
    // split costs 4 + 3 = 7. The plan takes the fewest frames that reach the optimum (a 0, b its
    // reserve 2) and shares the 2 spare frames by weight 1:3 (0.5 and 1.5; equal remainders: a):
    // targets a 1, b 3.
    const vms = [{ name: 'a' }, { name: 'b', weight: 3, reserve: 2 }];
    const h = runAccesses(trace.slice(0, 9), { frames: 4, scheduler: 'balance', rebalance: 8, vms });
    expect(h.engine.scheduler.targets!()).toEqual([1, 3]);
    // Before the rebalance the targets are the entitlements 1 and 3, and b's reserve holds a free
    // frame back: 4 a3 replaces a's own a1 (a 2-1 = +1, b at its reserve), 6 a1 replaces a2;
    // 8 b2 takes the free frame.
    expect(h.log).toEqual(['a>a1', 'a>a2']);
    const noReserve = runAccesses(trace.slice(0, 9), { frames: 4, scheduler: 'balance', rebalance: 8, vms: [{ name: 'a' }, { name: 'b', weight: 3 }] });
    expect(noReserve.engine.scheduler.targets!()).toEqual([3, 1]);
  });
});
