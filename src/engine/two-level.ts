/**
 * Two levels of memory (SPEC 2.7): a guest OS per VM pages the VM's trace pages into its guest
 * frames (rules 2 and 2.1 inside the guest: lowest-numbered free guest frame first, its own
 * policy and swap), and every guest access and guest swap-out touches a guest frame; the host is
 * an ordinary Engine whose "pages" are those guest frames, (vm, guest frame) -> a host page id,
 * reclaiming by the ladder of --reclaim through the Engine's reclaim hook.
 *
 * A composition, not a third replay loop: the guest level is the small pager below, the host
 * level the one-level engine unchanged (it only gained heldFrames, reclaim and onEvict, unused
 * without two levels). With --dedup the memory model is the host's frame store, and a guest
 * frame's content is that of the guest page in it (SPEC 2.6 over guest frames): the guest level
 * sets the host engine's content token before each touch that writes a frame. Typed arrays
 * throughout; nothing is allocated per access.
 */
import { OutOfMemoryError } from '../errors.js';
import { MemoryModel } from '../memory/model.js';
import { PageList } from '../policies/list.js';
import { policies } from '../policies/index.js';
import { grown, type Accept, type PolicyContext, type ReplacementPolicy } from '../policies/policy.js';
import { toHex } from '../trace/address.js';
import { OP_ALLOC, OP_FREE, OP_RESET, OP_WRITE } from '../trace/rows.js';
import type { EngineConfig, GuestSettings, TwoLevelConfig } from './config.js';
import { COMMITTED, DIRTY, Engine, RESIDENT, SWAPPED } from './engine.js';
import type { PageBatch } from '../pages/expand.js';
import { PageIds } from '../pages/page-ids.js';
import { VmCounters } from './stats.js';

/**
 * The host's content token for a guest page's content id (with sharing): the zero page and the
 * trace's tokens shift up by one (the host model's own 0 is what a released host page holds, no
 * guest frame's content), a content no other page has stays 0 (the model makes it unique).
 */
function hostContent(c: number): number {
  return c >= 0 ? c + 1 : 0;
}

/** what a guest frame holds besides a page id */
export const FRAME_FREE = -1;
export const FRAME_BALLOONED = -2;

/** why a guest frame is touched (SPEC 2.7 guest step 3) */
const TOUCH_ACCESS = 0;
const TOUCH_LOAD = 1;
const TOUCH_SWAPOUT = 2;

/** A min-heap of frame numbers in a typed array: the lowest-numbered free (or ballooned) guest frame. */
export class FrameHeap {
  private a = new Int32Array(16);
  size = 0;

  push(x: number): void {
    if (this.size === this.a.length) this.a = grown(this.a, this.size + 1);
    const a = this.a;
    let i = this.size++;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (a[up]! <= x) break;
      a[i] = a[up]!;
      i = up;
    }
    a[i] = x;
  }

  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a[--this.size]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= this.size) break;
      if (c + 1 < this.size && a[c + 1]! < a[c]!) c++;
      if (a[c]! >= last) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
    return top;
  }
}

/** The host-level figures of one VM that the host engine's counters do not hold. */
export class LevelCounters {
  /** host swap-ins caused by a guest swap-out's read of the victim's frame */
  doublePaging = 0;
  /** host swap-ins caused by a guest fault's load, which overwrites the whole frame anyway */
  falseReads = 0;
  /** host swap-outs of guest frames the guest had freed (no page in them) */
  freedSwapOuts = 0;
  /** touches of a compressed guest frame (each also counted as a host fault, not a minor one) */
  decompressions = 0;
  /** host victims put in the compression cache */
  compressions = 0;
  /** host frames the `share` rung freed by merging this VM's guest frame into an identical one */
  shareReclaims = 0;
  /** host frames the VM gave back through its balloon */
  balloonInflations = 0;
  balloonDeflations = 0;
  balloonPeak = 0;
  compressedPeak = 0;
}

/** One VM's guest OS. */
export class Guest {
  readonly counters = new VmCounters();
  readonly level = new LevelCounters();
  readonly policy: ReplacementPolicy;
  /** G (Infinity for a VM given no memory) */
  readonly frames: number;
  readonly swapSlots: number;
  swapUsed = 0;
  /** per guest frame: the page in it, FRAME_FREE or FRAME_BALLOONED (frames at or above nextUnused: never used) */
  pageOf = new Int32Array(0);
  /** per guest frame: its host page id, -1 before its first touch */
  hostOf = new Int32Array(0);
  /** free guest frames below nextUnused */
  readonly free = new FrameHeap();
  nextUnused = 0;
  readonly ballooned = new FrameHeap();
  readonly balloonLimit: number;
  /** compression cache: pages in it (oldest first), the host frames it holds, its bounds */
  readonly cache = new PageList();
  compressed = 0;
  cacheFrames = 0;
  readonly compressLimit: number;
  readonly compressRatio: number;
  dead = false;
  /** the VM's own R/W page accesses begun so far (its policy's clock, as the one-level engine's position) */
  clock = 0;
  /** the page the current guest fault loads (PolicyContext.incoming), -1 outside a fault */
  readonly incoming = new Int32Array(1).fill(-1);
  /** true while the guest evicts its policy's victim (PolicyContext.evicting) */
  evicting = false;

  constructor(
    readonly settings: GuestSettings,
    seed: number,
    nextUse: Int32Array | undefined,
    /** the rest of the policy's context, from the two-level engine: options, vmOf, writeBack, refault */
    extra: Partial<PolicyContext>,
  ) {
    this.frames = settings.frames;
    this.swapSlots = settings.swapSlots;
    this.policy = policies[settings.policy].create({
      seed,
      nextUse,
      incoming: this.incoming,
      capacity: () => settings.frames,
      now: () => this.clock - 1,
      evicting: () => this.evicting,
      // one guest per VM: memory that follows its pages
      perGroup: true,
      ...extra,
    });
    const bounded = Number.isFinite(settings.frames);
    // Percentages of G, rounded down (ESX's Mem.CtlMaxPercent and Mem.MemZipMaxPct).
    this.balloonLimit = settings.balloon && bounded ? Math.floor((settings.balloonMax * settings.frames) / 100) : 0;
    this.compressLimit = bounded ? Math.floor((settings.compressMax * settings.frames) / 100) : 0;
    this.compressRatio = settings.compressRatio;
  }

  get balloon(): number {
    return this.ballooned.size;
  }

  /** a frame number below nextUnused may be indexed */
  grow(n: number): void {
    if (n > this.pageOf.length) {
      this.pageOf = grown(this.pageOf, n, FRAME_FREE);
      this.hostOf = grown(this.hostOf, n, -1);
    }
  }
}

export interface LevelOomEvent {
  vm: number;
  position: number;
  framesFreed: number;
  cause: 'swap-full' | 'no-frame';
  /** which level ran out: the guest (its swap full) or the host */
  level: 'guest' | 'host';
}

export class TwoLevel {
  readonly host: Engine;
  /** host page ids: (vm, 0, guest frame) */
  readonly hostIds = new PageIds();
  readonly guests: Guest[] = [];
  /** next guest access position (R and W page touches of every VM) */
  position = 0;
  nextSample = Infinity;
  onSample: (() => void) | null = null;
  readonly oomEvents: LevelOomEvent[] = [];
  /** sum over VMs of guest resident pages and guest swap slots, and their peaks (TOTAL row) */
  residentTotal = 0;
  residentTotalPeak = 0;
  swapTotal = 0;
  swapTotalPeak = 0;

  // per trace page (guest level)
  private gstate = new Uint8Array(0);
  /** per trace page: evicted by its guest since it was last freed (PolicyContext.refault) */
  private gEvicted = new Uint8Array(0);
  private gframe = new Int32Array(0);
  /** the host page id of the guest frame a resident page is in (saves a lookup on every hit) */
  private ghost = new Int32Array(0);
  private pageCapacity = 0;
  // per host page
  private compressedFlag = new Uint8Array(0);

  /**
   * Content sharing at the host (--dedup, SPEC 2.6 over guest frames): the memory model is the
   * host engine's frame store, and a guest frame's content is that of the guest page in it.
   * null without --dedup.
   */
  readonly model: MemoryModel | null = null;
  private readonly sharing: boolean;
  /** per trace page (with sharing): its content id, 0 the zero page, > 0 a trace token, -1 a content no other page has */
  private gcontent = new Int32Array(0);
  /** the content token of the row being replayed (with sharing) */
  private token = 0;

  private names: readonly string[] = [];
  private readonly two: TwoLevelConfig;
  /** the guest page whose access is being touched at the host: no balloon may evict it */
  private busyPage = -1;
  /** the host page being touched: no compression may take it */
  private busyHost = -1;
  /** a balloon is being inflated: nested host faults skip the balloon rung */
  private inflating = false;
  private hasCompress: boolean;

  // victim filters, in fields so that a search allocates nothing
  private filterGuest: Guest | null = null;
  private readonly guestAccept = (q: number): boolean =>
    q !== this.busyPage && (this.filterGuest!.swapUsed < this.filterGuest!.swapSlots || (this.gstate[q]! & DIRTY) === 0);
  private readonly balloonable = (h: number): boolean => this.canInflate(this.hostIds.vmOf[h]!);
  // (a shared frame is not compressed: it backs other guest frames, and compressing one frees nothing)
  private readonly compressible = (h: number): boolean =>
    h !== this.busyHost && this.canCompress(this.hostIds.vmOf[h]!) && (this.model === null || !this.model.isShared(h));
  /** host.onEvict once a guest has freed a frame: a host swap-out of a frame that holds no page */
  private readonly countFreedSwapOut = (q: number, swapOut: boolean): void => {
    if (!swapOut) return;
    const g = this.guests[this.hostIds.vmOf[q]!]!;
    if (g.pageOf[this.hostIds.loOf[q]!] === FRAME_FREE) g.level.freedSwapOuts++;
  };

  constructor(
    readonly config: EngineConfig,
    readonly ids: PageIds,
    private readonly nextUse?: Int32Array,
    /** the host's future (host --policy opt): recorded by a first run (recordHostTouches) */
    private readonly hostFuture?: HostLookAhead,
  ) {
    this.two = config.twoLevel!;
    this.host = new Engine({ ...config, strictAlloc: false, memory: undefined, twoLevel: undefined }, this.hostIds, hostFuture?.live);
    this.host.trackFrames = false;
    // `--reclaim swap` alone is the engine's own eviction: no hook
    if (this.two.reclaim.length !== 1 || this.two.reclaim[0] !== 'swap') this.host.reclaim = (v) => this.reclaim(v);
    // host.onEvict (counting swap-outs of freed frames) is installed when a guest first frees a
    // frame (release()): until then every backed guest frame holds a page or a balloon, and the
    // hook would only cost a call per host eviction.
    this.hasCompress = this.two.reclaim.includes('compress');
    if (config.memory !== undefined && config.memory.dedup !== 'off') {
      // the memory model reads the host's frame table
      this.host.trackFrames = true;
      this.model = MemoryModel.attach(this.host, config.memory);
    }
    this.sharing = this.model !== null;
  }

  set vmNames(names: readonly string[]) {
    this.names = names;
    this.host.vmNames = names;
  }

  get vmNames(): readonly string[] {
    return this.names;
  }

  /** Registers VM `v` and the ones before it, with the guest settings declared for their names. */
  ensureVm(v: number): void {
    this.host.ensureVm(v);
    while (this.guests.length <= v) {
      const name = this.names[this.guests.length];
      const settings = (name === undefined ? undefined : this.two.perVm.get(name)) ?? this.two.defaults;
      const u = this.guests.length;
      const g: Guest = new Guest(settings, this.config.seed, this.nextUse, {
        options: this.config.policyOptions,
        vmOf: () => u,
        writeBack: (page) => this.guestWriteBack(g, u, page),
        refault: (page) => this.gEvicted[page] !== 0,
      });
      g.policy.resize(this.pageCapacity);
      this.guests.push(g);
    }
  }

  private ensurePages(): void {
    const n = this.ids.count;
    if (n <= this.pageCapacity) return;
    let cap = Math.max(1024, this.pageCapacity);
    while (cap < n) cap *= 2;
    this.gstate = grown(this.gstate, cap);
    this.gEvicted = grown(this.gEvicted, cap);
    this.gframe = grown(this.gframe, cap, -1);
    this.ghost = grown(this.ghost, cap, -1);
    if (this.sharing) this.gcontent = grown(this.gcontent, cap);
    for (const g of this.guests) g.policy.resize(cap);
    this.pageCapacity = cap;
  }

  /** a host frame is free now */
  private hostHasFree(): boolean {
    return this.host.framesInUse < this.config.frames;
  }

  replay(batch: PageBatch): void {
    this.ensurePages();
    const op = batch.op;
    const page = batch.page;
    // Content tokens matter to content sharing only.
    const content = this.sharing ? batch.content : null;
    // the KSM scanner's clock counts guest accesses, as one level counts accesses; no other store has a clock
    const scanner = this.model !== null && this.model.scanning ? this.model : null;
    for (let i = 0; i < batch.length; i++) {
      const o = op[i]!;
      if (o <= OP_WRITE) {
        if (content !== null) this.token = content[i]!;
        this.access(page[i]!, o === OP_WRITE);
        if (scanner !== null) scanner.tick();
        if (this.position === this.nextSample) this.onSample!();
      } else if (o === OP_ALLOC) {
        this.allocate(page[i]!);
        if (content !== null && content[i]! > 0) this.allocatedContent(page[i]!, content[i]!);
      } else if (o === OP_FREE) this.free(page[i]!);
      else if (o === OP_RESET) this.reset(page[i]!);
    }
  }

  /**
   * One guest read or write of trace page p (SPEC 2.7 guest steps 1-3). A guest hit on a backed
   * frame is handled here, kept small (as Engine.access) so that the policies' hit paths inline;
   * everything else in guestFault().
   */
  access(p: number, write: boolean): void {
    const st = this.gstate[p]!;
    // A resident page's VM is alive (a kill releases every page).
    if ((st & RESIDENT) === 0 || (write && (st & SWAPPED) !== 0)) {
      this.guestFault(p, write);
      return;
    }
    const position = this.position++;
    const v = this.guests.length === 1 ? 0 : this.ids.vmOf[p]!;
    const g = this.guests[v]!;
    g.clock++;
    const s = g.counters;
    s.hits++;
    s.accesses++;
    if (write) {
      s.writes++;
      this.gstate[p] = st | DIRTY;
      if (this.sharing) this.gcontent[p] = this.token > 0 ? this.token : -1;
    } else s.reads++;
    g.policy.hit(p, position, write);
    const h = this.ghost[p]!;
    // A backed frame: a host hit (a compressed or swapped frame is not resident at the host).
    // With sharing a write may be a copy-on-write, which takes a frame: the touch guards it.
    if ((this.host.state[h]! & RESIDENT) !== 0 && !this.sharing) {
      this.host.access(h, write);
      return;
    }
    this.busyPage = p;
    this.touch(g, v, this.gframe[p]!, write, TOUCH_ACCESS);
    this.busyPage = -1;
  }

  /** Every guest access the hit path in access() does not take. */
  private guestFault(p: number, write: boolean): void {
    const position = this.position++;
    const v = this.guests.length === 1 ? 0 : this.ids.vmOf[p]!;
    const g = this.guests[v]!;
    g.clock++;
    const s = g.counters;
    if (g.dead) {
      s.oomSkipped++;
      return;
    }
    let st = this.gstate[p]!;
    if ((st & COMMITTED) === 0) {
      if (this.config.strictAlloc) {
        s.invalid++;
        return;
      }
      st |= COMMITTED;
      this.gstate[p] = st;
      if (++s.committed > s.committedPeak) s.committedPeak = s.committed;
    }
    let frame: number;
    let cause = TOUCH_ACCESS;
    if ((st & RESIDENT) !== 0) {
      s.hits++;
      g.policy.hit(p, position, write);
      frame = this.gframe[p]!;
    } else {
      g.incoming[0] = p;
      frame = this.guestFrame(g, v);
      g.incoming[0] = -1;
      if (g.dead) {
        // the host ran out of memory on the victim's swap-out read and killed the VM
        s.oomSkipped++;
        return;
      }
      if (frame < 0) {
        this.guestOutOfMemory(g, v, p, position);
        return;
      }
      s.faults++;
      if ((st & SWAPPED) !== 0) {
        s.majorFaults++;
        s.swapIns++;
      } else s.minorFaults++;
      g.policy.insert(p, position, write);
      this.gEvicted[p] = 0;
      if (++s.resident > s.residentPeak) s.residentPeak = s.resident;
      if (++this.residentTotal > this.residentTotalPeak) this.residentTotalPeak = this.residentTotal;
      this.gframe[p] = frame;
      g.pageOf[frame] = p;
      st |= RESIDENT;
      cause = TOUCH_LOAD;
    }
    s.accesses++;
    if (write) {
      s.writes++;
      if ((st & SWAPPED) !== 0) {
        st &= ~SWAPPED;
        g.swapUsed--;
        s.swapSlots--;
        this.swapTotal--;
      }
      st |= DIRTY;
      if (this.sharing) this.gcontent[p] = this.token > 0 ? this.token : -1;
    } else s.reads++;
    this.gstate[p] = st;
    // A zero-fill or a swap-in writes the whole frame; a hit reads or writes it.
    this.busyPage = p;
    this.touch(g, v, frame, write || cause === TOUCH_LOAD, cause);
    this.busyPage = -1;
    this.ghost[p] = g.hostOf[frame]!;
  }

  /**
   * The guest frame for a fault of VM v (guest step 2): the lowest-numbered free one; else one
   * from a balloon that can deflate (the host has a free frame); else the guest policy's victim's,
   * written to guest swap when dirty. -1 when none (guest swap full).
   */
  private guestFrame(g: Guest, v: number): number {
    if (g.free.size > 0) return g.free.pop();
    if (g.nextUnused < g.frames) {
      const f = g.nextUnused++;
      g.grow(f + 1);
      return f;
    }
    if (g.ballooned.size > 0 && this.hostHasFree()) {
      const f = g.ballooned.pop();
      g.pageOf[f] = FRAME_FREE;
      g.level.balloonDeflations++;
      return f;
    }
    const q = this.guestVictim(g);
    // (the host may have killed the VM on a write-back read during the search: nothing to evict)
    if (q < 0 || g.dead) return -1;
    return this.evictGuest(g, v, q);
  }

  /** the guest policy's victim, never the page being touched; when guest swap is full, one that is clean */
  private guestVictim(g: Guest): number {
    if (this.busyPage < 0 && g.swapUsed < g.swapSlots) return g.policy.victim(null);
    this.filterGuest = g;
    const accept: Accept = this.guestAccept;
    return g.policy.victim(accept);
  }

  /**
   * A guest policy cleans resident dirty page q ahead of eviction (wsclock): a guest swap-out
   * that leaves q resident and clean with a valid copy, reading its guest frame (guest step 2's
   * swap-out read). False when guest swap has no slot for it.
   */
  private guestWriteBack(g: Guest, v: number, q: number): boolean {
    // a VM the host killed (during this victim search) writes nothing more
    if (g.dead) return false;
    let st = this.gstate[q]!;
    if ((st & RESIDENT) === 0) return false;
    if ((st & DIRTY) === 0) return true;
    const s = g.counters;
    if ((st & SWAPPED) === 0) {
      if (g.swapUsed >= g.swapSlots) return false;
      g.swapUsed++;
      if (++s.swapSlots > s.swapPeak) s.swapPeak = s.swapSlots;
      if (++this.swapTotal > this.swapTotalPeak) this.swapTotalPeak = this.swapTotal;
    }
    s.swapOuts++;
    st = (st & ~DIRTY) | SWAPPED;
    this.gstate[q] = st;
    this.touch(g, v, this.gframe[q]!, false, TOUCH_SWAPOUT);
    return true;
  }

  /** Evicts guest page q of VM v from its guest frame (a guest swap-out when dirty, reading the frame); returns the frame. */
  private evictGuest(g: Guest, v: number, q: number): number {
    const s = g.counters;
    const f = this.gframe[q]!;
    let st = this.gstate[q]!;
    g.evicting = true;
    g.policy.remove(q);
    g.evicting = false;
    this.gEvicted[q] = 1;
    s.evictions++;
    s.resident--;
    this.residentTotal--;
    const dirty = (st & DIRTY) !== 0;
    if (dirty) {
      s.swapOuts++;
      s.swapOutWaits++;
      if ((st & SWAPPED) === 0) {
        g.swapUsed++;
        if (++s.swapSlots > s.swapPeak) s.swapPeak = s.swapSlots;
        if (++this.swapTotal > this.swapTotalPeak) this.swapTotalPeak = this.swapTotal;
      }
      st = (st & ~DIRTY) | SWAPPED;
    }
    this.gstate[q] = st & ~RESIDENT;
    // Writing q to guest swap reads its frame (before the frame is reused).
    if (dirty) this.touch(g, v, f, false, TOUCH_SWAPOUT);
    g.pageOf[f] = FRAME_FREE;
    if (this.two.freePageReporting) this.releaseBacking(g, f);
    return f;
  }

  /** Host level (SPEC 2.7 host steps 1-3): one touch of guest frame f of VM v. */
  private touch(g: Guest, v: number, f: number, write: boolean, cause: number): void {
    let h = g.hostOf[f]!;
    if (h < 0) {
      h = this.hostIds.append(v, 0, f);
      g.hostOf[f] = h;
      this.host.ensurePages();
      if (this.hasCompress && this.compressedFlag.length < this.hostIds.count) this.compressedFlag = grown(this.compressedFlag, this.hostIds.count);
    }
    const outer = this.busyHost;
    this.busyHost = h;
    const host = this.host;
    let decompressed = false;
    if (this.hasCompress && this.compressedFlag[h] !== 0) {
      this.uncache(g, h);
      g.level.decompressions++;
      decompressed = true;
    }
    // A write (an access's, or a load's) leaves the content of the guest page in the frame.
    if (write && this.sharing) host.token = hostContent(this.gcontent[g.pageOf[f]!]!);
    const hst = host.state[h]!;
    if ((hst & (RESIDENT | SWAPPED)) === SWAPPED && cause !== TOUCH_ACCESS) {
      const c = host.vms[v]!;
      const before = c.majorFaults;
      host.access(h, write);
      if (c.majorFaults > before) {
        if (cause === TOUCH_SWAPOUT) g.level.doublePaging++;
        else g.level.falseReads++;
      }
    } else host.access(h, write);
    // A decompressed frame's only copy is in memory: host-dirty.
    if (decompressed && (host.state[h]! & RESIDENT) !== 0) host.state[h] = host.state[h]! | DIRTY;
    this.busyHost = outer;
    if (host.dead[v] !== 0 && !g.dead) this.hostKilled(g, v);
  }

  // ------------------------------------------------------------------------------------------
  // the reclamation ladder (SPEC 2.7 host step 4)

  /** The Engine's reclaim hook: > 0 a host frame is free, 0 evict (swap), < 0 no frame. */
  private reclaim(v: number): number {
    for (const step of this.two.reclaim) {
      if (step === 'share') {
        if (this.shareStep()) return 1;
      } else if (step === 'balloon') {
        if (!this.inflating && this.balloonStep(v)) return 1;
      } else if (step === 'compress') {
        if (this.compressStep(v)) return 1;
      } else if (step === 'swap') return 0;
    }
    return this.hostHasFree() ? 1 : -1;
  }

  /** Identical guest frames are merged (their host frames become one) until a host frame is free. */
  private shareStep(): boolean {
    const model = this.model;
    if (model === null) return false;
    while (!this.hostHasFree()) {
      const u = model.shareOne();
      if (u < 0) return false;
      this.guests[u]!.level.shareReclaims++;
    }
    return true;
  }

  private canInflate(u: number): boolean {
    const g = this.guests[u]!;
    if (g.dead || g.ballooned.size >= g.balloonLimit) return false;
    return g.free.size > 0 || g.nextUnused < g.frames || g.counters.resident > 0;
  }

  /** Balloons grow, one guest frame at a time, until a host frame is free or none can grow. */
  private balloonStep(v: number): boolean {
    this.inflating = true;
    try {
      for (;;) {
        if (this.hostHasFree()) return true;
        const h = this.host.scheduler.victim(v, this.balloonable);
        if (h < 0) return false;
        if (!this.inflate(this.hostIds.vmOf[h]!)) return false;
      }
    } finally {
      this.inflating = false;
    }
  }

  /** VM u's balloon takes its lowest-numbered free guest frame, else its policy's victim's frame. */
  private inflate(u: number): boolean {
    const g = this.guests[u]!;
    let f: number;
    if (g.free.size > 0) f = g.free.pop();
    else if (g.nextUnused < g.frames) {
      f = g.nextUnused++;
      g.grow(f + 1);
    } else {
      const q = this.guestVictim(g);
      if (q < 0) return false;
      f = this.evictGuest(g, u, q);
      if (g.dead) return false;
    }
    g.pageOf[f] = FRAME_BALLOONED;
    g.ballooned.push(f);
    g.level.balloonInflations++;
    if (g.ballooned.size > g.level.balloonPeak) g.level.balloonPeak = g.ballooned.size;
    // A ballooned frame holds nothing: its host frame is freed, its host swap slot released.
    this.releaseBacking(g, f);
    return true;
  }

  private canCompress(u: number): boolean {
    const g = this.guests[u]!;
    if (g.compressLimit === 0) return false;
    return g.compressed < g.compressLimit || this.host.swapUsed < this.config.swapSlots;
  }

  /** The host policy's victims go to their VMs' compression caches until a host frame is free. */
  private compressStep(v: number): boolean {
    for (;;) {
      if (this.hostHasFree()) return true;
      const h = this.host.scheduler.victim(v, this.compressible);
      if (h < 0) return false;
      this.compress(h, v);
    }
  }

  private compress(h: number, v: number): void {
    const u = this.hostIds.vmOf[h]!;
    const g = this.guests[u]!;
    if (g.compressed >= g.compressLimit) this.cacheToSwap(g, v);
    // the compressed copy keeps the frame's content (free() makes a released page a zero page)
    const content = this.model !== null ? this.model.contentOf(h) : 0;
    this.host.free(h);
    if (this.model !== null) this.model.recordContent(h, content);
    this.compressedFlag[h] = 1;
    g.cache.resize(this.hostIds.count);
    g.cache.pushBack(h);
    g.compressed++;
    g.level.compressions++;
    if (g.compressed > g.level.compressedPeak) g.level.compressedPeak = g.compressed;
    const need = Math.ceil(g.compressed / g.compressRatio);
    while (g.cacheFrames < need) {
      g.cacheFrames++;
      this.host.heldFrames++;
    }
  }

  /** page h leaves VM g's compression cache; an emptied cache frame is freed */
  private uncache(g: Guest, h: number): void {
    g.cache.unlink(h);
    this.compressedFlag[h] = 0;
    g.compressed--;
    const need = Math.ceil(g.compressed / g.compressRatio);
    while (g.cacheFrames > need) {
      g.cacheFrames--;
      this.host.heldFrames--;
    }
  }

  /** The full cache's oldest page goes to host swap (a host swap-out, waited for by VM v's fault). */
  private cacheToSwap(g: Guest, v: number): void {
    const o = g.cache.head;
    this.uncache(g, o);
    this.host.swapOutDetached(o, v);
    if (g.pageOf[this.hostIds.loOf[o]!] === FRAME_FREE) g.level.freedSwapOuts++;
  }

  /** The host releases guest frame f's backing (a ballooned or reported frame): frame, swap slot, cache slot. */
  private releaseBacking(g: Guest, f: number): void {
    const h = g.hostOf[f]!;
    if (h < 0) return;
    if (this.hasCompress && this.compressedFlag[h] !== 0) this.uncache(g, h);
    this.host.free(h);
  }

  // ------------------------------------------------------------------------------------------
  // F, A, RESET and out of memory

  allocate(p: number): void {
    const v = this.ids.vmOf[p]!;
    const g = this.guests[v]!;
    if (g.dead) return;
    const s = g.counters;
    s.allocated++;
    if ((this.gstate[p]! & COMMITTED) === 0) {
      this.gstate[p] = this.gstate[p]! | COMMITTED;
      if (++s.committed > s.committedPeak) s.committedPeak = s.committed;
    }
  }

  /**
   * An allocation row with a content token (sharing): guest page p holds that content; resident,
   * its guest frame does too, a content change at the host without a touch (as one level's A
   * row), which is a copy-on-write when the frame is shared.
   */
  private allocatedContent(p: number, token: number): void {
    const v = this.ids.vmOf[p]!;
    const g = this.guests[v]!;
    if (g.dead) return;
    this.gcontent[p] = token;
    if ((this.gstate[p]! & RESIDENT) === 0) return;
    const h = g.hostOf[this.gframe[p]!]!;
    // a copy-on-write may take a frame: no balloon may take p, no compression its frame
    this.busyPage = p;
    this.busyHost = h;
    this.host.allocatedContent(h, hostContent(token));
    this.busyPage = -1;
    this.busyHost = -1;
    if (this.host.dead[v] !== 0) this.hostKilled(g, v);
  }

  free(p: number): void {
    const v = this.ids.vmOf[p]!;
    const g = this.guests[v]!;
    if (g.dead) return;
    g.counters.freed++;
    this.release(g, p, true);
  }

  reset(v: number): void {
    this.ensureVm(v);
    const g = this.guests[v]!;
    if (g.dead) return;
    g.counters.resets++;
    this.releaseVm(g, v, true);
  }

  /** Releases everything guest page p holds; `report`: the freed guest frame is reported (--free-page-reporting). */
  private release(g: Guest, p: number, report: boolean): void {
    const st = this.gstate[p]!;
    this.gEvicted[p] = 0;
    if (st === 0) return;
    const s = g.counters;
    if ((st & RESIDENT) !== 0) {
      g.policy.remove(p);
      const f = this.gframe[p]!;
      g.pageOf[f] = FRAME_FREE;
      g.free.push(f);
      if (this.host.onEvict === null) this.host.onEvict = this.countFreedSwapOut;
      s.resident--;
      this.residentTotal--;
      if (report && this.two.freePageReporting) this.releaseBacking(g, f);
    }
    if ((st & SWAPPED) !== 0) {
      g.swapUsed--;
      s.swapSlots--;
      this.swapTotal--;
    }
    if ((st & COMMITTED) !== 0) s.committed--;
    this.gstate[p] = 0;
    // freed memory comes back as a zero page (its guest frame keeps its bytes at the host)
    if (this.sharing) this.gcontent[p] = 0;
  }

  private releaseVm(g: Guest, v: number, report: boolean): number {
    let frames = 0;
    const vmOf = this.ids.vmOf;
    for (let p = 0; p < this.ids.count; p++) {
      if (vmOf[p] === v && this.gstate[p] !== 0) {
        if ((this.gstate[p]! & RESIDENT) !== 0) frames++;
        this.release(g, p, report);
      }
    }
    return frames;
  }

  /** Guest swap is full and every guest frame holds a dirty page (SPEC 2 step 3 inside the guest). */
  private guestOutOfMemory(g: Guest, v: number, p: number, position: number): void {
    if (this.config.onOom === 'error') {
      const slots = g.swapSlots;
      throw new OutOfMemoryError(
        `out of memory: VM '${this.names[v] ?? v}' faulted on page 0x${toHex(this.ids.hiOf[p]!, this.ids.loOf[p]!)} at access ${position + 1}, ` +
          `every guest frame holds a dirty page and guest swap is full (${slots} slot${slots === 1 ? '' : 's'}); give more guest_swap or memory=, or use --on-oom=kill`,
      );
    }
    const s = g.counters;
    s.oomKills++;
    s.oomSkipped++;
    g.dead = true;
    const framesFreed = this.releaseVm(g, v, false);
    for (let f = 0; f < g.nextUnused; f++) {
      const h = g.hostOf[f]!;
      if (h >= 0) this.host.free(h);
    }
    this.oomEvents.push({ vm: v, position, framesFreed, cause: 'swap-full', level: 'guest' });
  }

  /** The host OOM-killed VM v (its host frames and slots are freed): the guest goes too. */
  private hostKilled(g: Guest, v: number): void {
    g.dead = true;
    // the killing touch was the host's last access; v touches the host no more
    this.hostFuture?.killed(v, this.host.position - 1);
    g.counters.oomKills++;
    const framesFreed = this.releaseVm(g, v, false);
    const e = this.host.oomEvents[this.host.oomEvents.length - 1];
    this.oomEvents.push({ vm: v, position: this.position - 1, framesFreed, cause: e?.cause ?? 'no-frame', level: 'host' });
  }
}

/**
 * The host's future for a host `--policy opt` (SPEC 2.1's OPT over the host's touches). With
 * `--reclaim swap` alone the guests never look at the host (no balloon to deflate, no cache to
 * decompress from), so the host's stream of touches is that of any run of the same guests,
 * except that a VM the host kills touches nothing after the touch that killed it. A first run
 * (recordHostTouches) records the stream; `live` is the engine's nextUse by host position.
 * When VM v is killed at host position t, its later touches are taken out of the positions
 * after t (keys stay positions of the recorded stream: OPT only compares them, and the order
 * of the remaining touches is unchanged).
 */
export class HostLookAhead {
  /** nextUse by host position in this run (the array the host engine reads) */
  readonly live: Int32Array;
  /** recorded index of the touch at each host position after a kill (null: the identity) */
  private order: Int32Array | null = null;
  private length: number;

  constructor(
    /** per recorded touch: the recorded index of the next touch of the same guest frame, -1 none */
    private readonly next: Int32Array,
    /** per recorded touch: its VM */
    private readonly vmOfTouch: Int32Array,
  ) {
    this.live = Int32Array.from(next);
    this.length = next.length;
  }

  killed(v: number, t: number): void {
    let order = this.order;
    if (order === null) {
      order = new Int32Array(this.length);
      for (let i = 0; i < order.length; i++) order[i] = i;
      this.order = order;
    }
    let k = t + 1;
    for (let i = t + 1; i < this.length; i++) {
      const r = order[i]!;
      if (this.vmOfTouch[r] === v) continue;
      order[k] = r;
      this.live[k] = this.next[r]!;
      k++;
    }
    this.length = k;
  }
}

/**
 * Whether the guests' accesses are independent of the host's choices under this ladder: `swap`,
 * after `share` or not (merging frames changes nothing a guest sees; a balloon to deflate or a
 * compression cache to decompress from would), so that the host's future is known in advance.
 */
export function hostChoicesUnseen(reclaim: readonly string[]): boolean {
  const rest = reclaim.filter((r) => r !== 'share');
  return rest.length === 1 && rest[0] === 'swap';
}

/** Host touches in order: the guest frame (as a recording run's host page id) and VM of each. */
class TouchLog {
  page = new Int32Array(1 << 16);
  vm = new Int32Array(1 << 16);
  length = 0;

  push(h: number, v: number): void {
    if (this.length === this.page.length) {
      this.page = grown(this.page, this.length + 1);
      this.vm = grown(this.vm, this.length + 1);
    }
    this.page[this.length] = h;
    this.vm[this.length++] = v;
  }

  lookAhead(pages: number): HostLookAhead {
    const n = this.length;
    const next = new Int32Array(n);
    const last = new Int32Array(pages).fill(-1);
    for (let i = n - 1; i >= 0; i--) {
      const h = this.page[i]!;
      next[i] = last[h]!;
      last[h] = i;
    }
    return new HostLookAhead(next, this.vm.slice(0, n));
  }
}

/**
 * A first run that records the host's touches (host `--policy opt`, `--reclaim swap` only):
 * the guests as configured, over a host that never kills (global lru, unbounded swap) and whose
 * choices the guests do not see. Replay the trace into `run`, then `finish()` gives the
 * look-ahead for the real run.
 */
export function hostRecorder(config: EngineConfig, ids: PageIds, nextUse: Int32Array | undefined): { run: TwoLevel; finish: () => HostLookAhead } {
  const two = config.twoLevel!;
  if (!hostChoicesUnseen(two.reclaim)) throw new Error('the host look-ahead needs --reclaim swap (or share,swap)');
  // (sharing at the host changes no guest's accesses: the recording run does without it)
  const run = new TwoLevel({ ...config, policy: 'lru', scheduler: 'global', swapSlots: Infinity, onOom: 'kill', vms: undefined, memory: undefined }, ids, nextUse);
  const log = new TouchLog();
  const host = run.host;
  const access = host.access.bind(host);
  host.access = (h: number, write: boolean): void => {
    log.push(h, run.hostIds.vmOf[h]!);
    access(h, write);
  };
  return { run, finish: () => log.lookAhead(run.hostIds.count) };
}

/** One VM's host-level figures (SPEC 3.1 two-level columns, JSON `levels`). */
export interface VmLevels {
  guestFrames: number;
  /** host faults: minor + major + decompressions */
  hostFaults: number;
  hostMinorFaults: number;
  hostMajorFaults: number;
  hostSwapIns: number;
  hostSwapOuts: number;
  hostHits: number;
  /** guest frames touched at the host */
  hostTouches: number;
  backedEnd: number;
  backedPeak: number;
  balloonEnd: number;
  balloonPeak: number;
  balloonInflations: number;
  balloonDeflations: number;
  compressedEnd: number;
  compressedPeak: number;
  compressions: number;
  decompressions: number;
  /** host frames held by its compression cache at the end */
  cacheFramesEnd: number;
  doublePaging: number;
  falseReads: number;
  freedSwapOuts: number;
  /** host frames the `share` rung freed by merging one of this VM's guest frames into an identical frame */
  shareReclaims: number;
  guestSwapEnd: number;
  hostSwapEnd: number;
}

export interface LevelsOutcome {
  reclaim: readonly string[];
  freePageReporting: boolean;
  /** per VM in output order */
  vms: VmLevels[];
  total: VmLevels;
  /** guest settings per VM in output order */
  guests: GuestSettings[];
}
