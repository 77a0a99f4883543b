/**
 * A naive, obviously-correct model of SPEC 2 (paging, swap, OOM) and of the replacement
 * policies of SPEC 2.1, written for the tests only: plain objects and arrays, a linear scan of
 * the resident pages for every eviction (O(n x frames)). Nothing here is shared with src/: the
 * engine is checked against it, access by access, on random traces.
 *
 * Its one choice where SPEC is silent: when CLOCK finds no page it may evict (swap full, every
 * page dirty), the hand has made two full turns (clearing every bit) and rests where it began.
 *
 * The operating systems' policies (mru, nru, aging, wsclock, linux) follow the rules written in
 * docs/os-policies.md, literally: every tick clears every page's R bit (shifts every counter),
 * every victim is a minimum over all candidates.
 */

export type RefOp = 'R' | 'W' | 'A' | 'F' | 'RESET';

/** One row of a trace whose addresses are page numbers (page size 1). */
export interface RefRow {
  vm: number;
  page: number;
  op: RefOp;
}

/** How the model chooses victims: a SPEC 2.1 rule, or the engine's own choices replayed (random). */
export type RefPolicy = 'fifo' | 'lru' | 'lfu' | 'clock' | 'opt' | 'forced' | 'mru' | 'nru' | 'aging' | 'wsclock' | 'linux';

export interface RefConfig {
  frames: number;
  /** Infinity = unlimited */
  swapSlots: number;
  policy: RefPolicy;
  onOom?: 'kill' | 'error';
  strictAlloc?: boolean;
  /**
   * For 'forced': the victims the engine chose, in order, as [vm, page], or null where it found
   * none. The model checks each one is resident and allowed (clean when swap is full).
   */
  victims?: ([number, number] | null)[];
  /** nru, aging: a tick before every access whose position is a positive multiple of it (default 1000) */
  tick?: number;
  /** aging: counter bits (default 8) */
  agingBits?: number;
  /** wsclock: window (default 10000) */
  tau?: number;
}

export interface RefCounters {
  accesses: number;
  reads: number;
  writes: number;
  hits: number;
  faults: number;
  minorFaults: number;
  majorFaults: number;
  swapIns: number;
  swapOuts: number;
  evictions: number;
  stolen: number;
  resident: number;
  residentPeak: number;
  swapSlots: number;
  swapPeak: number;
  oomKills: number;
  invalid: number;
  oomSkipped: number;
}

export interface RefResult {
  /** index = VM number of the rows */
  vms: RefCounters[];
  framesPeak: number;
  framesEnd: number;
  swapPeak: number;
  swapEnd: number;
  /** the OOM kills: VM and the 0-based index among R/W rows of the access that failed */
  kills: { vm: number; position: number }[];
  /** set when --on-oom error would stop the run: the position of the failing access */
  oomError?: number;
}

interface PageState {
  vm: number;
  page: number;
  committed: boolean;
  resident: boolean;
  dirty: boolean;
  /** holds a swap slot (a valid copy while clean) */
  slot: boolean;
  loadedAt: number;
  lastUse: number;
  /** LFU: accesses since loaded */
  count: number;
  /** CLOCK's reference bit */
  ref: boolean;
  /** OPT: position of the next access after the last one (Infinity = never) */
  nextUse: number;
  /** AGING: the counter (NRU and AGING use `ref` as their R bit) */
  counter: number;
  /** WSCLOCK: the page's VM's access count at its last use */
  vmTimeOfUse: number;
  /** LINUX: evictions counted when it was evicted; evicted since its last release */
  shadow: number;
  evicted: boolean;
}

function zero(): RefCounters {
  return {
    accesses: 0,
    reads: 0,
    writes: 0,
    hits: 0,
    faults: 0,
    minorFaults: 0,
    majorFaults: 0,
    swapIns: 0,
    swapOuts: 0,
    evictions: 0,
    stolen: 0,
    resident: 0,
    residentPeak: 0,
    swapSlots: 0,
    swapPeak: 0,
    oomKills: 0,
    invalid: 0,
    oomSkipped: 0,
  };
}

/** For every R/W row (by its position among R/W rows): the position of the next R/W row of the same page. */
export function nextUses(rows: readonly RefRow[]): number[] {
  const accesses = rows.filter((r) => r.op === 'R' || r.op === 'W');
  // Backwards: the next use of access i is the position where its page was seen last (later).
  const seen = new Map<string, number>();
  const next: number[] = new Array<number>(accesses.length);
  for (let i = accesses.length - 1; i >= 0; i--) {
    const key = `${accesses[i]!.vm}:${accesses[i]!.page}`;
    next[i] = seen.get(key) ?? Infinity;
    seen.set(key, i);
  }
  return next;
}

export function referenceSimulate(rows: readonly RefRow[], config: RefConfig): RefResult {
  const onOom = config.onOom ?? 'kill';
  const pages = new Map<string, PageState>();
  const vms: RefCounters[] = [];
  const dead: boolean[] = [];
  /** the pages in frames, in no particular order (policies scan it) */
  let resident: PageState[] = [];
  // CLOCK: the circular list in load order and the hand (an index into it).
  let ring: PageState[] = [];
  let hand = 0;
  let swapUsed = 0;
  let swapPeak = 0;
  let framesPeak = 0;
  const kills: { vm: number; position: number }[] = [];
  const victims = [...(config.victims ?? [])];
  const future = nextUses(rows);
  let position = 0;

  const vmOf = (v: number): RefCounters => {
    while (vms.length <= v) {
      vms.push(zero());
      dead.push(false);
    }
    return vms[v]!;
  };
  const pageOf = (vm: number, page: number): PageState => {
    const key = `${vm}:${page}`;
    let p = pages.get(key);
    if (!p) {
      p = {
        vm,
        page,
        committed: false,
        resident: false,
        dirty: false,
        slot: false,
        loadedAt: -1,
        lastUse: -1,
        count: 0,
        ref: false,
        nextUse: Infinity,
        counter: 0,
        vmTimeOfUse: 0,
        shadow: 0,
        evicted: false,
      };
      pages.set(key, p);
    }
    return p;
  };

  const tick = config.tick ?? 1000;
  const agingBits = config.agingBits ?? 8;
  const tau = config.tau ?? 10000;
  /** WSCLOCK: accesses served per VM */
  const vmTime: number[] = [];
  // LINUX: the two lists, least recent first, and the evictions so far
  let inactive: PageState[] = [];
  let active: PageState[] = [];
  let evictionCount = 0;

  /** WSCLOCK's write-back: a swap-out that leaves the page resident and clean, if swap has room */
  const writeBack = (q: PageState): void => {
    if (swapUsed >= config.swapSlots) return;
    const owner = vmOf(q.vm);
    owner.swapOuts++;
    q.slot = true;
    swapUsed++;
    swapPeak = Math.max(swapPeak, swapUsed);
    owner.swapSlots++;
    owner.swapPeak = Math.max(owner.swapPeak, owner.swapSlots);
    q.dirty = false;
  };

  const unlink = (p: PageState): void => {
    resident = resident.filter((q) => q !== p);
    inactive = inactive.filter((q) => q !== p);
    active = active.filter((q) => q !== p);
    const i = ring.indexOf(p);
    if (i >= 0) {
      ring.splice(i, 1);
      // The hand stays on the page it pointed at; if that page left, it moves to the next one.
      if (i < hand) hand--;
      if (hand >= ring.length) hand = 0;
    }
  };

  /** SPEC 2.1: the victim among the pages `ok` accepts, in the policy's order; null if none. */
  const chooseVictim = (ok: (p: PageState) => boolean): PageState | null => {
    const candidates = resident.filter(ok);
    const min = (better: (a: PageState, b: PageState) => boolean): PageState | null => {
      let best: PageState | null = null;
      for (const c of candidates) if (best === null || better(c, best)) best = c;
      return best;
    };
    switch (config.policy) {
      case 'fifo':
        return min((a, b) => a.loadedAt < b.loadedAt);
      case 'lru':
        return min((a, b) => a.lastUse < b.lastUse);
      case 'lfu':
        return min((a, b) => a.count < b.count || (a.count === b.count && a.lastUse < b.lastUse));
      case 'opt':
        // Furthest next use; among pages never used again (Infinity), the least recently used.
        return min((a, b) => a.nextUse > b.nextUse || (a.nextUse === b.nextUse && a.lastUse < b.lastUse));
      case 'clock': {
        const n = ring.length;
        for (let step = 0; step < 2 * n; step++) {
          const p = ring[hand]!;
          if (p.ref) {
            p.ref = false;
            hand = (hand + 1) % n;
          } else if (ok(p)) return p;
          else hand = (hand + 1) % n;
        }
        return null;
      }
      case 'mru':
        return min((a, b) => a.lastUse > b.lastUse);
      case 'nru': {
        const cls = (q: PageState): number => (q.ref ? 2 : 0) + (q.dirty ? 1 : 0);
        return min((a, b) => cls(a) < cls(b) || (cls(a) === cls(b) && a.loadedAt < b.loadedAt));
      }
      case 'aging':
        return min((a, b) => a.counter < b.counter || (a.counter === b.counter && a.loadedAt < b.loadedAt));
      case 'wsclock': {
        const n = ring.length;
        if (n === 0) return null;
        const old = (q: PageState): boolean => vmTime[q.vm]! - q.vmTimeOfUse > tau;
        // One circle from the hand: an old clean page goes; an old dirty one is written back.
        for (let step = 0; step < n; step++) {
          const q = ring[(hand + step) % n]!;
          if (!ok(q) || !old(q)) continue;
          if (!q.dirty) {
            hand = (hand + step) % n;
            return q;
          }
          writeBack(q);
        }
        for (let step = 0; step < n; step++) {
          const q = ring[(hand + step) % n]!;
          if (ok(q) && !q.dirty) {
            hand = (hand + step) % n;
            return q;
          }
        }
        for (let step = 0; step < n; step++) {
          const q = ring[(hand + step) % n]!;
          if (ok(q)) {
            hand = (hand + step) % n;
            return q;
          }
        }
        return null;
      }
      case 'linux': {
        while (active.length > inactive.length) inactive.push(active.shift()!);
        return inactive.find(ok) ?? active.find(ok) ?? null;
      }
      case 'forced': {
        if (victims.length === 0) throw new Error(`model: the engine chose no victim at position ${position}, yet it had to`);
        const chosen = victims.shift()!;
        if (chosen === null) {
          if (candidates.length > 0) throw new Error(`model: the engine found no victim at position ${position}, but ${candidates.length} could go`);
          return null;
        }
        const p = pages.get(`${chosen[0]}:${chosen[1]}`);
        if (!p || !p.resident) throw new Error(`model: victim ${chosen.join(':')} at position ${position} is not resident`);
        if (!ok(p)) throw new Error(`model: victim ${chosen.join(':')} at position ${position} is dirty but swap is full`);
        return p;
      }
    }
  };

  const evict = (q: PageState, faultingVm: number): void => {
    const owner = vmOf(q.vm);
    if (q.dirty) {
      // A swap-out: write the page to swap; it takes a slot if it has none.
      owner.swapOuts++;
      if (!q.slot) {
        q.slot = true;
        swapUsed++;
        swapPeak = Math.max(swapPeak, swapUsed);
        owner.swapSlots++;
        owner.swapPeak = Math.max(owner.swapPeak, owner.swapSlots);
      }
      q.dirty = false;
    }
    // Clean with a slot: dropped, the copy stays valid. Clean, never written: dropped (zero page).
    q.resident = false;
    unlink(q);
    q.shadow = ++evictionCount;
    q.evicted = true;
    owner.resident--;
    owner.evictions++;
    if (q.vm !== faultingVm) owner.stolen++;
  };

  /** F, RESET, OOM kill: the page gives up its frame and slot and is no longer committed. */
  const release = (p: PageState): void => {
    const owner = vmOf(p.vm);
    if (p.resident) {
      p.resident = false;
      unlink(p);
      owner.resident--;
    }
    if (p.slot) {
      p.slot = false;
      swapUsed--;
      owner.swapSlots--;
    }
    p.dirty = false;
    p.committed = false;
    p.shadow = 0;
    p.evicted = false;
  };

  let oomError: number | undefined;
  for (const row of rows) {
    const s = vmOf(row.vm);
    if (row.op === 'RESET') {
      if (!dead[row.vm]) for (const p of pages.values()) if (p.vm === row.vm) release(p);
      continue;
    }
    if (row.op === 'A') {
      if (!dead[row.vm]) pageOf(row.vm, row.page).committed = true;
      continue;
    }
    if (row.op === 'F') {
      if (!dead[row.vm]) release(pageOf(row.vm, row.page));
      continue;
    }
    const pos = position++;
    if ((config.policy === 'nru' || config.policy === 'aging') && pos > 0 && pos % tick === 0) {
      // NRU and AGING's clock tick: every R bit is cleared (AGING: shifted into its counter first).
      for (const q of pages.values()) {
        q.counter = (q.counter >> 1) | (q.ref ? 1 << (agingBits - 1) : 0);
        q.ref = false;
      }
    }
    if (dead[row.vm]) {
      s.oomSkipped++;
      continue;
    }
    const p = pageOf(row.vm, row.page);
    if (!p.committed) {
      if (config.strictAlloc) {
        s.invalid++;
        continue;
      }
      p.committed = true;
    }
    if (p.resident) {
      s.hits++;
      p.lastUse = pos;
      p.count++;
      p.ref = true;
      p.nextUse = future[pos]!;
      vmTime[row.vm] = (vmTime[row.vm] ?? 0) + 1;
      p.vmTimeOfUse = vmTime[row.vm]!;
      if (config.policy === 'linux') {
        // An access activates an inactive page, and moves an active one to the recent end.
        inactive = inactive.filter((q) => q !== p);
        active = active.filter((q) => q !== p);
        active.push(p);
      }
    } else {
      if (resident.length >= config.frames) {
        // Swap full: only a victim that can be dropped without a write will do (SPEC 2 step 3).
        const swapFull = swapUsed >= config.swapSlots;
        const victim = chooseVictim((q) => !swapFull || !q.dirty);
        if (victim === null) {
          if (onOom === 'error') {
            oomError = pos;
            break;
          }
          // OOM kill of the faulting VM: everything it holds is freed; this access is not counted.
          s.oomKills++;
          s.oomSkipped++;
          dead[row.vm] = true;
          kills.push({ vm: row.vm, position: pos });
          for (const q of pages.values()) if (q.vm === row.vm) release(q);
          continue;
        }
        evict(victim, row.vm);
      }
      s.faults++;
      if (p.slot) {
        s.majorFaults++;
        s.swapIns++;
      } else s.minorFaults++;
      p.resident = true;
      p.loadedAt = pos;
      p.lastUse = pos;
      p.count = 1;
      // NRU and AGING: a load is a reference; CLOCK's bit starts clear
      p.ref = config.policy === 'nru' || config.policy === 'aging';
      p.counter = 0;
      p.nextUse = future[pos]!;
      vmTime[row.vm] = (vmTime[row.vm] ?? 0) + 1;
      p.vmTimeOfUse = vmTime[row.vm]!;
      if (config.policy === 'linux') {
        // A refault within the active list's size of its eviction goes straight to the active list.
        if (p.evicted && evictionCount - p.shadow <= active.length) active.push(p);
        else inactive.push(p);
      }
      resident.push(p);
      // CLOCK: a new page goes just behind the hand.
      if (ring.length === 0) {
        ring = [p];
        hand = 0;
      } else {
        ring.splice(hand, 0, p);
        hand++;
      }
      s.resident++;
      s.residentPeak = Math.max(s.residentPeak, s.resident);
      framesPeak = Math.max(framesPeak, resident.length);
    }
    s.accesses++;
    if (row.op === 'W') {
      s.writes++;
      if (p.slot) {
        // The swap copy is stale once written: its slot is released.
        p.slot = false;
        swapUsed--;
        s.swapSlots--;
      }
      p.dirty = true;
    } else s.reads++;
  }
  if (config.policy === 'forced' && victims.length > 0 && oomError === undefined) {
    throw new Error(`model: the engine chose ${victims.length} more victims than the model needed`);
  }
  return { vms, framesPeak, framesEnd: resident.length, swapPeak, swapEnd: swapUsed, kills, oomError };
}
