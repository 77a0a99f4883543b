/**
 * Host `--policy opt` under two levels (--reclaim swap): the host's touches are known before the
 * run (the guests never look at the host), so OPT at the host is Belady's MIN over them. Checked
 * against a naive two-level model written here: a guest lru pager per VM that lists its host
 * touches, and a host that evicts, among the frames it may drop, the one whose next touch by a
 * live VM is furthest (never touched again first, least recently touched among those), scanning
 * the rest of the stream at every eviction. With bounded host swap the host OOM-kills the
 * faulting VM, whose later touches then disappear from the host's future.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkInvariants, guest, runTwo, type Row } from './harness.js';

interface Touch {
  vm: number;
  frame: number;
  write: boolean;
  cause: 'access' | 'load' | 'swapout';
}

/** The guest level alone (lru, unbounded guest swap, R/W rows): its counts and its host touches in order. */
function naiveGuests(list: readonly Row[], frames: readonly number[]): { touches: Touch[]; faults: number[]; swapOuts: number[] } {
  const vms = frames.length;
  const frameOf = Array.from({ length: vms }, () => new Map<number, number>());
  const lastUse = Array.from({ length: vms }, () => new Map<number, number>());
  const dirty = Array.from({ length: vms }, () => new Set<number>());
  const touches: Touch[] = [];
  const faults = new Array<number>(vms).fill(0);
  const swapOuts = new Array<number>(vms).fill(0);
  list.forEach((r, t) => {
    const v = r.vm ?? 0;
    const write = r.op === 'W';
    const resident = frameOf[v]!;
    let frame = resident.get(r.page);
    let cause: Touch['cause'] = 'access';
    if (frame === undefined) {
      faults[v]!++;
      if (resident.size < frames[v]!) frame = resident.size;
      else {
        // lru victim
        let victim = -1;
        for (const q of resident.keys()) if (victim < 0 || lastUse[v]!.get(q)! < lastUse[v]!.get(victim)!) victim = q;
        frame = resident.get(victim)!;
        resident.delete(victim);
        if (dirty[v]!.delete(victim)) {
          swapOuts[v]!++;
          touches.push({ vm: v, frame, write: false, cause: 'swapout' });
        }
      }
      resident.set(r.page, frame);
      cause = 'load';
    }
    lastUse[v]!.set(r.page, t);
    if (write) dirty[v]!.add(r.page);
    touches.push({ vm: v, frame, write: write || cause === 'load', cause });
  });
  return { touches, faults, swapOuts };
}

interface HostCounts {
  faults: number;
  majorFaults: number;
  swapOuts: number;
  doublePaging: number;
  falseReads: number;
  killed: boolean;
}

/** The host: F frames, OPT over the touches of live VMs, `swap` host slots; a VM with no frame to take is killed. */
function naiveHost(touches: readonly Touch[], vms: number, frames: number, swap: number): HostCounts[] {
  const key = (t: Touch): string => `${t.vm}:${t.frame}`;
  const resident = new Map<string, number>(); // -> last touch index
  const hostDirty = new Set<string>();
  const inSwap = new Set<string>();
  const dead = new Set<number>();
  const out: HostCounts[] = Array.from({ length: vms }, () => ({ faults: 0, majorFaults: 0, swapOuts: 0, doublePaging: 0, falseReads: 0, killed: false }));
  const nextTouch = (k: string, from: number): number => {
    for (let j = from; j < touches.length; j++) if (!dead.has(touches[j]!.vm) && key(touches[j]!) === k) return j;
    return Infinity;
  };
  touches.forEach((t, i) => {
    if (dead.has(t.vm)) return;
    const k = key(t);
    const c = out[t.vm]!;
    if (!resident.has(k)) {
      if (resident.size >= frames) {
        const mayDrop = [...resident.keys()].filter((q) => inSwap.size < swap || !hostDirty.has(q));
        if (mayDrop.length === 0) {
          // out of memory: the faulting VM is killed, its frames and slots released
          c.killed = true;
          dead.add(t.vm);
          for (const set of [hostDirty, inSwap]) for (const q of [...set]) if (q.startsWith(`${t.vm}:`)) set.delete(q);
          for (const q of [...resident.keys()]) if (q.startsWith(`${t.vm}:`)) resident.delete(q);
          return;
        }
        let victim = '';
        let far = -1;
        let lru = Infinity;
        for (const q of mayDrop) {
          const n = nextTouch(q, i + 1);
          const last = resident.get(q)!;
          if (n > far || (n === far && last < lru)) {
            victim = q;
            far = n;
            lru = last;
          }
        }
        resident.delete(victim);
        if (hostDirty.delete(victim)) {
          out[Number(victim.split(':')[0])]!.swapOuts++;
          inSwap.add(victim);
        }
      }
      c.faults++;
      if (inSwap.has(k)) {
        c.majorFaults++;
        if (t.cause === 'swapout') c.doublePaging++;
        if (t.cause === 'load') c.falseReads++;
      }
    }
    resident.set(k, i);
    if (t.write) {
      hostDirty.add(k);
      inSwap.delete(k);
    }
  });
  return out;
}

const rowArb = (vms: number): fc.Arbitrary<Row[]> =>
  fc.array(
    fc.record({ vm: fc.integer({ min: 0, max: vms - 1 }), op: fc.constantFrom<'R' | 'W'>('R', 'W'), page: fc.integer({ min: 0, max: 6 }) }),
    { minLength: 1, maxLength: 80 },
  );

function check(list: Row[], declared: number[], frames: number, swap: number): boolean {
  // the VMs the rows name
  const guestFrames = declared.slice(0, Math.max(...list.map((r) => r.vm ?? 0)) + 1);
  const run = runTwo(list, { frames, policy: 'opt', swapSlots: swap, guests: guestFrames.map((g) => guest({ frames: g })) }, (r) => checkInvariants(r));
  const ref = naiveGuests(list, guestFrames);
  const host = naiveHost(ref.touches, guestFrames.length, frames, swap);
  for (let v = 0; v < guestFrames.length; v++) {
    const h = run.host.vms[v]!;
    const l = run.guests[v]!.level;
    expect({ v, faults: h.faults, majorFaults: h.majorFaults, swapOuts: h.swapOuts, doublePaging: l.doublePaging, falseReads: l.falseReads, killed: h.oomKills > 0 }).toEqual({ v, ...host[v]! });
    if (!host[v]!.killed) expect([run.guests[v]!.counters.faults, run.guests[v]!.counters.swapOuts]).toEqual([ref.faults[v], ref.swapOuts[v]]);
  }
  return host.some((c) => c.killed);
}

describe('host --policy opt under two levels (--reclaim swap)', () => {
  it('worked: W a, W b, R c, R a with G = 2, F = 1 and OPT at the host', () => {
    // Touches: frame 0 (load a), frame 1 (load b), frame 0 (swap-out read of a), frame 0 (load c),
    // frame 1 (swap-out read of b), frame 1 (load a). With one host frame every touch of another
    // frame faults: 0, 1, 0, 1 -> 4 faults; frames 0 and 1 are dirty when evicted (each written by
    // a load), so every eviction is a host swap-out (3), and the two swap-out reads find their
    // frame in host swap: double paging 2.
    const run = runTwo([...'W a, W b, R c, R a'.split(',').map((t) => ({ op: t.trim()[0] as 'R' | 'W', page: t.trim().charCodeAt(2) - 97 }))], {
      frames: 1,
      policy: 'opt',
      guests: [guest({ frames: 2 })],
    });
    const h = run.host.vms[0]!;
    expect([h.faults, h.majorFaults, h.swapOuts, run.guests[0]!.level.doublePaging, run.guests[0]!.level.falseReads]).toEqual([4, 2, 3, 2, 0]);
  });

  it('worked: a VM the host kills leaves the host future (F = 2, one host swap slot)', () => {
    // Guest memory for every page, so each access touches its own guest frame (a first one
    // loads: a write). Host touches: 0 x, 1 a, 2 b (evict x: never touched again; dirty: the one
    // slot), 3 y (vm0 faults, both frames dirty, swap full: vm0 is killed, x's slot released),
    // [vm0's three R y are skipped], a, b, c (evict a: never touched again, not b), b (a hit).
    // vm1: host faults a, b, c = 3. Had vm0's skipped touches stayed in the host's future, the
    // keys of a and b set after the kill would be those of the skipped touches (a at the second
    // R y, b at the third), b would look further and be evicted, and the last R b would fault: 4.
    const list: Row[] = [
      { vm: 0, op: 'W', page: 23 },
      { vm: 1, op: 'W', page: 0 },
      { vm: 1, op: 'R', page: 1 },
      { vm: 0, op: 'R', page: 24 },
      { vm: 0, op: 'R', page: 24 },
      { vm: 0, op: 'R', page: 24 },
      { vm: 0, op: 'R', page: 24 },
      { vm: 1, op: 'R', page: 0 },
      { vm: 1, op: 'R', page: 1 },
      { vm: 1, op: 'R', page: 2 },
      { vm: 1, op: 'R', page: 1 },
    ];
    const run = runTwo(list, { frames: 2, policy: 'opt', swapSlots: 1, guests: [guest({ frames: 4 }), guest({ frames: 4 })] });
    expect([run.host.vms[0]!.oomKills, run.host.vms[0]!.faults, run.host.vms[0]!.swapOuts]).toEqual([1, 1, 1]);
    expect([run.host.vms[1]!.oomKills, run.host.vms[1]!.faults, run.host.vms[1]!.swapOuts]).toEqual([0, 3, 1]);
    // and the naive model agrees
    check(list, [4, 4], 2, 1);
  });

  it('equals the naive model: one to three VMs, unbounded host swap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }).chain((vms) => fc.tuple(rowArb(vms), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: vms, maxLength: vms }), fc.integer({ min: 1, max: 6 }))),
        ([list, guestFrames, frames]) => {
          check(list, guestFrames, frames, Infinity);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('equals the naive model with bounded host swap (kills take the VM out of the host future)', () => {
    let kills = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 3 }).chain((vms) => fc.tuple(rowArb(vms), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: vms, maxLength: vms }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2 }))),
        ([list, guestFrames, frames, swap]) => {
          if (check(list, guestFrames, frames, swap)) kills++;
        },
      ),
      { numRuns: 300 },
    );
    // the property must have met kills to test them
    expect(kills).toBeGreaterThan(20);
  });

  it('equals the naive model when a kill comes early: guest memory for every page, few host frames, one swap slot', () => {
    // Each VM's guest keeps every page (G = 7 > its 5 pages), so the host sees the trace itself
    // and OPT's choices after a kill depend on the killed VM's touches having left its future.
    fc.assert(
      fc.property(
        fc.array(fc.record({ vm: fc.integer({ min: 0, max: 1 }), op: fc.constantFrom<'R' | 'W'>('R', 'W'), page: fc.integer({ min: 0, max: 4 }) }), { minLength: 10, maxLength: 80 }),
        fc.integer({ min: 2, max: 3 }),
        (list, frames) => {
          check(list, [7, 7], frames, 1);
        },
      ),
      { numRuns: 200 },
    );
  });
});
