/**
 * The machine (SPEC 2): host frames, per-page state, swap slots, the replacement policy, and
 * the replay of page accesses - the only replay loop there is. Frames are counted here (the plain
 * store), or come from a frame store (src/memory/frames.ts: the memory model's buddy allocator,
 * huge pages, compaction and content sharing), where one frame may back several pages; the rules
 * below are written for frames of one or more pages, and a store only says where a frame comes
 * from and takes it back. Works on dense page ids (src/pages/page-ids.ts) and typed arrays only;
 * nothing is allocated per access.
 */
import { OutOfMemoryError } from '../errors.js';
import { policies } from '../policies/index.js';
import { grown, type Accept, type InlineQueue, type PolicyDefinition, type ReplacementPolicy } from '../policies/policy.js';
import { schedulers } from '../schedulers/index.js';
import { DEFAULT_VM_PARAMS, type Scheduler, type VmParams } from '../schedulers/scheduler.js';
import { OP_ALLOC, OP_FREE, OP_RESET, OP_WRITE } from '../trace/rows.js';
import { toHex } from '../trace/address.js';
import type { FrameStore } from '../memory/frames.js';
import type { MemoryModel } from '../memory/model.js';
import { COMMITTED, DIRTY, EVICTED, RESIDENT, SWAPPED } from '../pages/state.js';
import type { EngineConfig, VmSpec } from './config.js';
import type { PageBatch } from '../pages/expand.js';
import type { PageIds } from '../pages/page-ids.js';
import { VmCounters } from './stats.js';
import { SwapSlots } from './swap.js';

// Page state bits (src/pages/state.ts), re-exported for the engine's users.
export { COMMITTED, DIRTY, EVICTED, RESIDENT, SWAPPED };

export interface OomEvent {
  vm: number;
  /** position (0-based page-access index) of the access that could not get a frame */
  position: number;
  /** frames the kill released */
  framesFreed: number;
  /**
   * why there was no frame: every frame holds a dirty page and swap is full, or the scheduler
   * had none the VM may take (its limit or partition, reserves, priorities)
   */
  cause: 'swap-full' | 'no-frame';
}

/** How an access was served, for observers. */
export const HIT = 0;
export const MINOR = 1;
export const MAJOR = 2;

/**
 * Sees every mapping change, for models layered on the engine (translation, time series).
 * The engine calls it only when one is attached.
 */
export interface EngineObserver {
  /** page p of VM v was accessed and is in `frame`; `kind` HIT, MINOR or MAJOR; `previousFrame` the frame it was in before (-1 if never) */
  access(p: number, v: number, frame: number, kind: number, write: boolean, previousFrame: number): void;
  /** page p of VM v left `frame` (evicted, freed, reset or OOM-killed) */
  unmapped(p: number, v: number, frame: number): void;
  /** VM v executed RESET (after its pages were unmapped) */
  reset(v: number): void;
  /** page p of VM v is being released (F, RESET, OOM kill), resident or not; called before its unmapped() */
  released?(p: number, v: number): void;
  /** resident page p of VM v now lives in frame `to` instead of `from` (memory model: compaction, page merging, copy-on-write) */
  moved?(p: number, v: number, from: number, to: number): void;
}

export class Engine {
  readonly vms: VmCounters[] = [];
  readonly scheduler: Scheduler;
  private watcher: EngineObserver | null = null;
  /**
   * Every access takes fault(), not the hit path in access(): an observer is attached, or a
   * frame store is (a write to a resident page may have to copy a shared frame). One flag, so
   * that the plain hit path tests one field.
   */
  private slow = false;
  /** next page-access position (R and W page touches, of every VM) */
  position = 0;
  readonly oomEvents: OomEvent[] = [];
  /** VM names for messages and for finding declared VMs' parameters (index = VM) */
  vmNames: readonly string[] = [];
  /**
   * The host-memory model (page sharing, buddy allocator, huge pages), when configured
   * (MemoryModel.attach): it is then the frame store, and the engine hands it the content
   * changes sharing depends on (src/memory/model.ts).
   */
  memory: MemoryModel | null = null;
  /** where frames come from (src/memory/frames.ts); null: the plain store, counted inline below */
  private store: FrameStore | null = null;
  /** named swap slots, when a frame store is attached (a frame may back several pages); null: slots are only counted */
  private slots: SwapSlots | null = null;
  /**
   * the content token of the access being replayed (read only with content sharing); set by
   * replay(), or by two levels before each host touch (two-level.ts)
   */
  token = 0;
  /** the last storeFrame() joined a resident frame of the page's content (no read from swap) */
  private merged = false;
  /** each VM's scheduling parameters (index = VM) */
  readonly vmParams: VmParams[] = [];
  /**
   * Time series (--interval): `onSample` runs after the access that brings `position` to
   * `nextSample` (Infinity: never), so samples fall exactly on access boundaries.
   */
  nextSample = Infinity;
  onSample: (() => void) | null = null;
  private readonly declared = new Map<string, VmSpec>();
  /**
   * replay() may take the inline replay (replayQueue, replayPolicy) where it can; false: always
   * the general way (the tests that hold the two equal).
   */
  inline = true;
  /** the policy may be replayed inline (PolicyDefinition.engineFree or engineReads) */
  private readonly inlineable: boolean;
  /** it reads the engine's clock (engineReads 'now'): the inline replay keeps the position current */
  private readonly clocked: boolean;

  // per page (read by the frame store too)
  state = new Uint8Array(0);
  /** the frame a page is in, or was in last (for remap detection); kept with trackFrames only */
  frameOf = new Int32Array(0);
  pageCapacity = 0;
  /**
   * Keep the frame table (frameOf, frameOwner). Only observers (translation, the tests) and the
   * memory model look at which frame holds which page; a run without them sets this false before
   * its first access, and the engine then only counts frames: no frame table, and two cache
   * misses less per fault over many pages. The counts are the same either way.
   */
  trackFrames = true;

  // per frame, allocated as frames are first used: a host of `--memory 1TiB` (2^28 frames) costs
  // nothing until its frames hold pages, so memory follows the pages touched (SPEC 4).
  /** the page in each frame, -1 when free; frames at or above its length have never been used */
  frameOwner: Int32Array = new Int32Array(0);
  /** frames given back (F, RESET, OOM kill), a stack: reused before a never-used frame */
  private freedFrames = new Int32Array(0);
  private freedTop = 0;
  /** frames below this have been used; every frame from here up is free */
  private usedFrames = 0;

  // host
  swapUsed = 0;
  swapPeak = 0;
  framesPeak = 0;
  /**
   * [0]: sum over accesses of frames in use after the access (for the time average). A double
   * from the start: a number field that outgrows 2^31 would change the object's shape and
   * throw away the optimised code of every method.
   */
  private readonly sums = new Float64Array(1);
  dead = new Uint8Array(0);
  /** the last victim search wanted a page it could drop without a write (swap full) */
  victimFiltered = false;
  /** the page the current fault loads, for policies that look at it when naming a victim */
  readonly incoming = new Int32Array(1);
  private droppable: (page: number) => boolean;
  /** true while evict() removes its page from the scheduler (PolicyContext.evicting) */
  evicting = false;
  /**
   * Two levels (two-level.ts) only; the one-level engine leaves these alone.
   * heldFrames: host frames in use outside the pages (compression caches).
   * reclaim: tried when a frame is needed and none is free, before the policy's victim is
   * evicted: > 0 it freed a frame, 0 evict as usual, < 0 no frame may be had (out of memory).
   * onEvict: told of every eviction, and whether it wrote the page to swap.
   */
  heldFrames = 0;
  reclaim: ((v: number) => number) | null = null;
  onEvict: ((q: number, swapOut: boolean) => void) | null = null;

  constructor(
    readonly config: EngineConfig,
    readonly ids: PageIds,
    nextUse?: Int32Array,
  ) {
    let declaredReserve = 0;
    for (const spec of config.vms ?? []) {
      this.declared.set(spec.name, spec);
      declaredReserve += spec.reserve;
    }
    this.scheduler = schedulers[config.scheduler].create({
      view: this,
      policy: policies[config.policy],
      policyContext: {
        seed: config.seed,
        nextUse,
        incoming: this.incoming,
        capacity: () => config.frames,
        options: config.policyOptions,
        now: () => this.position - 1,
        vmOf: (page) => this.ids.vmOf[page]!,
        writeBack: (page) => this.writeBack(page),
        evicting: () => this.evicting,
        refault: (page) => (this.state[page]! & EVICTED) !== 0,
      },
      declaredReserve,
      idleTax: config.idleTax ?? null,
      rebalance: config.rebalance,
    });
    this.droppable = (page) => (this.state[page]! & DIRTY) === 0;
    const definition: PolicyDefinition = policies[config.policy];
    this.inlineable = definition.engineFree === true || definition.engineReads !== undefined;
    this.clocked = definition.engineReads?.includes('now') === true;
  }

  /** Sees every mapping change (translation, tests); null: none. */
  get observer(): EngineObserver | null {
    return this.watcher;
  }

  set observer(observer: EngineObserver | null) {
    this.watcher = observer;
    this.slow = observer !== null || this.store !== null;
  }

  /**
   * Makes the memory model the frame store (MemoryModel.attach, before any replay). Its frames
   * may back several pages: swap slots get names, and a victim can be dropped without a write
   * only when none of its frame's pages is dirty.
   */
  useMemory(model: MemoryModel): void {
    this.memory = model;
    this.store = model;
    this.frameOwner = model.frameOwner;
    this.slots = new SwapSlots();
    this.slots.ensurePages(this.pageCapacity);
    this.droppable = (page) => !this.frameDirty(this.frameOf[page]!);
    this.slow = true;
  }

  get vmOf(): Uint16Array {
    return this.ids.vmOf;
  }

  /** sum over accesses of frames in use after the access (for the time average) */
  get framesInUseSum(): number {
    return this.sums[0]!;
  }

  set framesInUseSum(sum: number) {
    this.sums[0] = sum;
  }

  /** the VM of page p; with one VM, without reading vmOf (a cache miss per access over many pages) */
  private vmOfPage(p: number): number {
    return this.vms.length === 1 ? 0 : this.ids.vmOf[p]!;
  }

  get frames(): number {
    return this.config.frames;
  }

  get framesInUse(): number {
    return (this.store !== null ? this.store.inUse : this.usedFrames - this.freedTop) + this.heldFrames;
  }

  /** a frame store has a free frame that no compression cache holds (heldFrames: two levels) */
  private storeHasFree(store: FrameStore): boolean {
    return store.hasFree() && (this.heldFrames === 0 || store.inUse + this.heldFrames < this.config.frames);
  }

  /**
   * Registers VM `v` (indices are dense, in order of first appearance) and the ones before it,
   * with the parameters declared for their names.
   */
  ensureVm(v: number): VmCounters {
    while (this.vms.length <= v) {
      const u = this.vms.length;
      this.vms.push(new VmCounters());
      const name = this.vmNames[u];
      const spec = name === undefined ? undefined : this.declared.get(name);
      const params: VmParams = spec
        ? { priority: spec.priority, weight: spec.weight, reserve: spec.reserve, limit: spec.limit }
        : { ...DEFAULT_VM_PARAMS };
      this.vmParams.push(params);
      this.scheduler.addVm(u, params);
    }
    if (this.dead.length < this.vms.length) this.dead = grown(this.dead, this.vms.length);
    return this.vms[v]!;
  }

  ensurePages(): void {
    const n = this.ids.count;
    if (n <= this.pageCapacity) return;
    let cap = Math.max(1024, this.pageCapacity);
    while (cap < n) cap *= 2;
    this.state = grown(this.state, cap);
    if (this.trackFrames) this.frameOf = grown(this.frameOf, cap, -1);
    this.scheduler.resize(cap);
    this.pageCapacity = cap;
    if (this.slots !== null) this.slots.ensurePages(cap);
    if (this.store !== null) this.store.ensurePages();
  }

  /** Replays a batch of page accesses: the one replay loop, whatever the frame store. */
  replay(batch: PageBatch): void {
    if (!this.trackFrames && this.slow) throw new Error('an engine with an observer or a memory model must track frames');
    this.ensurePages();
    let i = 0;
    const policy = this.inline ? this.inlinePolicy() : null;
    if (policy !== null) {
      // the inline replay, and the general way for each record it leaves (while one VM runs)
      const queue = policy.inlineQueue?.() ?? null;
      while (i < batch.length && this.vms.length === 1) {
        const stop = queue !== null ? this.replayQueue(batch, i, queue) : this.replayPolicy(batch, i, policy);
        if (stop > i) i = stop;
        else this.replayRecord(batch, i++);
      }
    }
    const op = batch.op;
    const page = batch.page;
    const store = this.store;
    // Content tokens matter to content sharing only.
    const content = store !== null && store.sharing ? batch.content : null;
    // The KSM scanner's wake-ups are counted in accesses; no other store has a clock.
    const scanner = store !== null && store.scanning ? store : null;
    for (; i < batch.length; i++) {
      const o = op[i]!;
      if (o <= OP_WRITE) {
        if (content !== null) this.token = content[i]!;
        this.access(page[i]!, o === OP_WRITE);
        if (scanner !== null) scanner.tick();
        // --interval: a sample after the access (and the scan it woke)
        if (this.position === this.nextSample) this.onSample!();
      } else this.replayOther(o, page[i]!, content !== null ? content[i]! : 0);
    }
  }

  /** Record i of a batch the general way, on the plain store (no content tokens, no scanner). */
  private replayRecord(batch: PageBatch, i: number): void {
    const o = batch.op[i]!;
    const p = batch.page[i]!;
    if (o <= OP_WRITE) {
      this.access(p, o === OP_WRITE);
      if (this.position === this.nextSample) this.onSample!();
    } else this.replayOther(o, p, 0);
  }

  /** An A, F or RESET record of page (VM, for RESET) `p`; `token`: an A record's content token. */
  private replayOther(o: number, p: number, token: number): void {
    if (o === OP_ALLOC) {
      this.allocate(p);
      if (token > 0) this.allocatedContent(p, token);
    } else if (o === OP_FREE) this.free(p);
    else if (o === OP_RESET) this.reset(p);
  }

  /**
   * The policy replay() may replay inline (replayQueue with its list, InlineQueue: lru, fifo,
   * clock; else replayPolicy), or null: the scheduler gives every victim to that one policy,
   * which reads nothing of the engine or only what the inline replay keeps true
   * (PolicyDefinition.engineFree, engineReads), one VM runs, the plain store
   * without a frame table holds the frames, and nothing else looks at an access (an observer,
   * two levels' hooks, --strict-alloc).
   */
  private inlinePolicy(): ReplacementPolicy | null {
    const plain = this.store === null && !this.slow && !this.trackFrames && this.heldFrames === 0;
    if (!plain || !this.inlineable || this.vms.length !== 1 || this.reclaim !== null || this.onEvict !== null || this.config.strictAlloc) return null;
    return this.scheduler.solePolicy?.() ?? null;
  }

  /**
   * replay() of one VM's accesses where every victim comes from one list (InlineQueue: lru,
   * fifo, clock): access() and fault() with the list's operations written out and the list's
   * ends, the hand, the position, the frames in use and the VM's counters in locals, so that
   * nothing is called or stored to an object per access. Stops at the first record it leaves to
   * the general way - an A, F or RESET record, a fault with swap full, with no page to evict or
   * with a frame given back to reuse, an access of a killed VM - or after the access a sample
   * falls on, with its state back in the fields, and returns that record's index (`n`: the
   * batch is done). Every count the same, in the same order, as the general way
   * (test/engine/inline-replay.test.ts holds it, with `inline` off).
   */
  private replayQueue(batch: PageBatch, from: number, queue: InlineQueue): number {
    const end = this.inlineEnd(batch.length, from);
    if (end < 0) return from;
    const frames = this.config.frames;
    const inUse0 = this.usedFrames - this.freedTop;
    let sum = this.sums[0]!;
    const op = batch.op;
    const page = batch.page;
    const list = queue.list;
    const moves = queue.movesOnHit;
    const clock = queue.clock;
    const isClock = clock !== null;
    const state = this.state;
    // (read only for clock; any Uint8Array keeps the local one type)
    const ref = isClock ? clock.ref : state;
    const links = list.links;
    // slots the loop may take before swap is full
    const swapRoom = this.config.swapSlots - this.swapUsed;
    // the state bits and the op as locals (an imported binding is read at each use)
    const resident_ = RESIDENT;
    const dirty_ = DIRTY;
    const swapped_ = SWAPPED;
    const committed_ = COMMITTED;
    const evicted_ = EVICTED;
    const write_ = OP_WRITE;
    // Only what the loop cannot work out afterwards is counted in it (few locals, so that they
    // stay in registers): hits are accesses less faults, reads accesses less writes, and the
    // frames in use only grow here, so their peak is where they end.
    let head = list.head;
    let tail = list.tail;
    let hand = isClock ? clock.hand : -1;
    let inUse = inUse0;
    let summed = from;
    let writes = 0;
    let faults = 0;
    let major = 0;
    let swapOuts = 0;
    let evictions = 0;
    let committed = 0;
    // swap slots taken less given back, and its highest
    let slots = 0;
    let slotsTop = 0;
    let i = from;
    for (; i < end; i++) {
      const o = op[i]!;
      if (o > write_) break;
      const p = page[i]!;
      let st = state[p]!;
      if ((st & resident_) !== 0) {
        // access() and, for a write of a page with a swap copy, fault(): a hit
        if (o === write_) {
          writes++;
          if ((st & swapped_) !== 0) {
            // The swap copy is stale once the page is written: release the slot.
            st &= ~swapped_;
            slots--;
          }
          state[p] = st | dirty_;
        }
        if (isClock) ref[p] = 1;
        else if (moves && p !== tail) {
          // PageList.moveToBack; p has a next page
          const a = links[2 * p]!;
          const b = links[2 * p + 1]!;
          if (a >= 0) links[2 * a + 1] = b;
          else head = b;
          links[2 * b] = a;
          links[2 * p] = tail;
          links[2 * p + 1] = -1;
          links[2 * tail + 1] = p;
          tail = p;
        }
        continue;
      }
      if (inUse >= frames && (head < 0 || slots >= swapRoom)) break;
      // fault(): admit, a never-used frame or the head's (evict), loaded
      if ((st & committed_) === 0) {
        st |= committed_;
        committed++;
      }
      if (inUse < frames) {
        sum += inUse * (i - summed);
        summed = i;
        inUse++;
      } else {
        let q = head;
        if (isClock) {
          // Clock.victim: the hand passes over pages with their bit set, clearing it
          q = hand;
          while (ref[q] !== 0) {
            ref[q] = 0;
            q = links[2 * q + 1]!;
            if (q < 0) q = head;
          }
          // Clock.remove: the hand to the page after q (none when q is the only page)
          const a = links[2 * q]!;
          const b = links[2 * q + 1]!;
          hand = b >= 0 ? b : head;
          if (hand === q) hand = -1;
          // PageList.unlink
          if (a >= 0) links[2 * a + 1] = b;
          else head = b;
          if (b >= 0) links[2 * b] = a;
          else tail = a;
        } else {
          // PageList.unlink of the head
          head = links[2 * q + 1]!;
          if (head >= 0) links[2 * head] = -1;
          else tail = -1;
        }
        let sq = state[q]!;
        if ((sq & dirty_) !== 0) {
          swapOuts++;
          // chargeSlot()
          if ((sq & swapped_) === 0 && ++slots > slotsTop) slotsTop = slots;
          sq = (sq & ~dirty_) | swapped_;
        }
        state[q] = (sq & ~resident_) | evicted_;
        evictions++;
      }
      faults++;
      if ((st & swapped_) !== 0) major++;
      if (isClock && hand >= 0) {
        // Clock.insert: PageList.insertBefore the hand, bit clear
        ref[p] = 0;
        const before = links[2 * hand]!;
        links[2 * p] = before;
        links[2 * p + 1] = hand;
        links[2 * hand] = p;
        if (before >= 0) links[2 * before + 1] = p;
        else head = p;
      } else {
        // PageList.pushBack (Clock.insert into an empty list: the hand too)
        if (isClock) {
          ref[p] = 0;
          hand = p;
        }
        links[2 * p] = tail;
        links[2 * p + 1] = -1;
        if (tail >= 0) links[2 * tail + 1] = p;
        else head = p;
        tail = p;
      }
      st |= resident_;
      if (o === write_) {
        writes++;
        if ((st & swapped_) !== 0) {
          st &= ~swapped_;
          slots--;
        }
        st |= dirty_;
      }
      state[p] = st;
    }
    list.head = head;
    list.tail = tail;
    list.size += faults - evictions;
    if (isClock) clock.hand = hand;
    this.settle(i - from, sum + inUse * (i - summed), inUse - inUse0, writes, faults, major, swapOuts, evictions, committed, slots, slotsTop);
    return i;
  }

  /**
   * Where an inline replay from record `from` of a batch of `n` stops: after the access a sample
   * falls on (each record it takes is one access, one position), else at n; -1 when it may not
   * start - a killed VM's accesses, a frame given back to reuse, or a sum of frames in use that
   * could pass 2^53: it adds inUse x a run of accesses at once, the same as one at a time only
   * while every sum is an integer below 2^53.
   */
  private inlineEnd(n: number, from: number): number {
    const frames = this.config.frames;
    if (this.dead[0] !== 0 || (this.freedTop !== 0 && this.usedFrames - this.freedTop < frames)) return -1;
    if (this.sums[0]! + frames * (n - from) > Number.MAX_SAFE_INTEGER) return -1;
    const left = this.nextSample - this.position;
    return left <= n - from ? from + left : n;
  }

  /**
   * The end of an inline replay of `accesses` accesses (replayQueue, replayPolicy): what it
   * counted added to the fields and to VM 0's counters (`sum` the new sum of frames in use,
   * `grown` the frames it took that had never been used, `slots` the swap slots it took less
   * those it gave back and `slotsTop` that count's highest), then the sample it stopped for.
   * Hits are accesses less faults, reads accesses less writes, and the frames in use only grow
   * in an inline replay, so their peak is where they end.
   */
  private settle(
    accesses: number,
    sum: number,
    grown: number,
    writes: number,
    faults: number,
    major: number,
    swapOuts: number,
    evictions: number,
    committed: number,
    slots: number,
    slotsTop: number,
  ): void {
    this.position += accesses;
    this.sums[0] = sum;
    this.usedFrames += grown;
    const inUse = this.usedFrames - this.freedTop;
    if (inUse > this.framesPeak) this.framesPeak = inUse;
    if (this.swapUsed + slotsTop > this.swapPeak) this.swapPeak = this.swapUsed + slotsTop;
    this.swapUsed += slots;
    if (evictions > 0) this.victimFiltered = false;
    const s = this.vms[0]!;
    if (s.swapSlots + slotsTop > s.swapPeak) s.swapPeak = s.swapSlots + slotsTop;
    s.swapSlots += slots;
    s.resident += grown;
    if (s.resident > s.residentPeak) s.residentPeak = s.resident;
    s.accesses += accesses;
    s.hits += accesses - faults;
    s.writes += writes;
    s.reads += accesses - writes;
    s.faults += faults;
    s.majorFaults += major;
    s.swapIns += major;
    s.minorFaults += faults - major;
    s.swapOuts += swapOuts;
    s.swapOutWaits += swapOuts;
    s.evictions += evictions;
    if (committed > 0) {
      s.committed += committed;
      if (s.committed > s.committedPeak) s.committedPeak = s.committed;
    }
    if (accesses > 0 && this.position === this.nextSample) this.onSample!();
  }

  /**
   * replayQueue() for a policy the engine does not drive itself but that reads nothing of the
   * engine while it runs, or only its clock, its evicting flag and the pages' states
   * (PolicyDefinition.engineFree: lfu, opt, arc, ...; engineReads: nru, aging, linux): the same loop, with
   * the policy's own hit(), victim(), remove() and insert() called where the general way's
   * scheduler would call them, in the same order and with the same arguments.
   */
  private replayPolicy(batch: PageBatch, from: number, policy: ReplacementPolicy): number {
    const end = this.inlineEnd(batch.length, from);
    if (end < 0) return from;
    const frames = this.config.frames;
    const inUse0 = this.usedFrames - this.freedTop;
    // the position of record i is position + i
    const position = this.position - from;
    const op = batch.op;
    const page = batch.page;
    const state = this.state;
    const incoming = this.incoming;
    const clocked = this.clocked;
    const swapRoom = this.config.swapSlots - this.swapUsed;
    const resident_ = RESIDENT;
    const dirty_ = DIRTY;
    const swapped_ = SWAPPED;
    const committed_ = COMMITTED;
    const evicted_ = EVICTED;
    const write_ = OP_WRITE;
    let inUse = inUse0;
    let summed = from;
    let partial = this.sums[0]!;
    let writes = 0;
    let faults = 0;
    let major = 0;
    let swapOuts = 0;
    let evictions = 0;
    let committed = 0;
    let slots = 0;
    let slotsTop = 0;
    let i = from;
    for (; i < end; i++) {
      const o = op[i]!;
      if (o > write_) break;
      const p = page[i]!;
      const write = o === write_;
      let st = state[p]!;
      if ((st & resident_) !== 0) {
        if (write) {
          writes++;
          if ((st & swapped_) !== 0) {
            st &= ~swapped_;
            slots--;
          }
          state[p] = st | dirty_;
        }
        // the access's position, for a policy that reads the clock (PolicyContext.now)
        if (clocked) this.position = position + i + 1;
        policy.hit(p, position + i, write);
        continue;
      }
      // (with every frame in use the policy holds that many pages: it has a victim)
      if (inUse >= frames && slots >= swapRoom) break;
      if ((st & committed_) === 0) {
        st |= committed_;
        committed++;
      }
      incoming[0] = p;
      if (clocked) this.position = position + i + 1;
      if (inUse < frames) {
        partial += inUse * (i - summed);
        summed = i;
        inUse++;
      } else {
        const q = policy.victim(null);
        // evict(): remove() is told it is an eviction (PolicyContext.evicting)
        this.evicting = true;
        policy.remove(q);
        this.evicting = false;
        let sq = state[q]!;
        if ((sq & dirty_) !== 0) {
          swapOuts++;
          if ((sq & swapped_) === 0 && ++slots > slotsTop) slotsTop = slots;
          sq = (sq & ~dirty_) | swapped_;
        }
        state[q] = (sq & ~resident_) | evicted_;
        evictions++;
      }
      faults++;
      if ((st & swapped_) !== 0) major++;
      policy.insert(p, position + i, write);
      st |= resident_;
      if (write) {
        writes++;
        if ((st & swapped_) !== 0) {
          st &= ~swapped_;
          slots--;
        }
        st |= dirty_;
      }
      state[p] = st;
    }
    // settle() moves the position on
    this.position = position + from;
    this.settle(i - from, partial + inUse * (i - summed), inUse - inUse0, writes, faults, major, swapOuts, evictions, committed, slots, slotsTop);
    return i;
  }

  /**
   * One read or write of page `p` (SPEC 2, steps 1-3). The hit of a resident page is handled
   * here; everything else in fault(). Kept small on purpose: V8 inlines the policy's hit path
   * into it only while the function stays under its inlining budget.
   */
  access(p: number, write: boolean): void {
    const st = this.state[p]!;
    // A resident page is committed and its VM alive (a kill releases every page).
    if ((st & RESIDENT) === 0 || (write && (st & SWAPPED) !== 0) || this.slow) {
      this.fault(p, write);
      return;
    }
    const position = this.position++;
    const v = this.vmOfPage(p);
    const s = this.vms[v]!;
    s.hits++;
    s.accesses++;
    if (write) {
      s.writes++;
      this.state[p] = st | DIRTY;
    } else s.reads++;
    this.scheduler.hit(p, v, position, write);
    this.sums[0] += this.usedFrames - this.freedTop;
  }

  /** Every access the hit path in access() does not take: faults, writes of swapped pages, observed runs, runs with a frame store. */
  private fault(p: number, write: boolean): void {
    const position = this.position++;
    const v = this.vmOfPage(p);
    const s = this.vms[v]!;
    let st = this.admit(p, v, s);
    if (st < 0) return;
    const store = this.store;
    const observer = this.watcher;
    let kind: number;
    let previousFrame = -1;
    if ((st & RESIDENT) !== 0) {
      s.hits++;
      this.scheduler.hit(p, v, position, write);
      kind = HIT;
    } else {
      // Only observers want the frame a page was in before (reading it costs a cache miss).
      if (observer !== null) previousFrame = this.frameOf[p]!;
      this.incoming[0] = p;
      const frame = store === null ? this.takeFrame(v) : this.storeFrame(p, v, st, write, store);
      if (frame < 0) {
        this.state[p] = st;
        this.outOfMemory(v, p, position);
        return;
      }
      if (store === null && this.trackFrames) {
        this.frameOwner[frame] = p;
        this.frameOf[p] = frame;
      }
      // Major fault: read back from swap; the page is clean and keeps its slot. A page merged
      // into a resident frame needs no read, even with a copy in swap.
      kind = this.loaded(p, v, s, position, (st & SWAPPED) !== 0 && (store === null || !this.merged), write);
      st |= RESIDENT;
      const inUse = store !== null ? store.inUse : this.usedFrames - this.freedTop;
      if (inUse > this.framesPeak) this.framesPeak = inUse;
    }
    s.accesses++;
    if (write) {
      s.writes++;
      if ((st & SWAPPED) !== 0) {
        // The swap copy is stale once the page is written: release the slot.
        st &= ~SWAPPED;
        if (this.slots === null) {
          this.swapUsed--;
          s.swapSlots--;
        } else this.dropSlot(p);
      }
      st |= DIRTY;
    } else s.reads++;
    this.state[p] = st;
    if (store !== null) {
      // A write to a resident page changes its content: a shared frame is copied first.
      if (write && kind === HIT && store.sharing && !this.contentChanged(p, v, this.token, position)) return;
      this.sums[0] += store.inUse;
    } else this.sums[0] += this.usedFrames - this.freedTop;
    if (observer !== null) {
      const frame = this.frameOf[p]!;
      observer.access(p, v, frame, kind, write, kind === HIT ? frame : previousFrame);
    }
  }

  /**
   * The frame store's part of a fault of page p of VM v (state `st`): the content a write fault
   * leaves, a resident frame of the same content to join (`merged`), else a frame of its own.
   * Returns the frame, -1 when none can be had.
   */
  private storeFrame(p: number, v: number, st: number, write: boolean, store: FrameStore): number {
    // The page is committed while a frame is found for it.
    this.state[p] = st;
    // A write fault places the page by the content it leaves (no copy-on-write of what was there).
    if (write) store.written(p, this.token);
    // Content sharing: a resident frame with the page's content takes it in.
    let frame = store.sharedFrame(p, v);
    this.merged = frame >= 0;
    if (this.merged) return frame;
    frame = this.takeStoreFrame(p, v, store);
    if (frame < 0) return -1;
    store.map(p, frame);
    this.frameOf[p] = frame;
    return frame;
  }

  /**
   * The start of every access that is not a plain hit (SPEC 2 step 1): a killed VM's access is
   * skipped; a first touch commits the page, or under --strict-alloc is invalid. Returns the
   * page's state, or -1 when the access goes no further.
   */
  admit(p: number, v: number, s: VmCounters): number {
    if (this.dead[v] !== 0) {
      s.oomSkipped++;
      return -1;
    }
    let st = this.state[p]!;
    if ((st & COMMITTED) === 0) {
      if (this.config.strictAlloc) {
        s.invalid++;
        return -1;
      }
      st |= COMMITTED;
      if (++s.committed > s.committedPeak) s.committedPeak = s.committed;
    }
    return st;
  }

  /**
   * Page p of VM v has been given a frame by a fault at `position`: counts the fault, major
   * when its content is read back from swap, and hands the page to the scheduler. Returns MAJOR
   * or MINOR.
   */
  loaded(p: number, v: number, s: VmCounters, position: number, fromSwap: boolean, write: boolean): number {
    s.faults++;
    let kind = MINOR;
    if (fromSwap) {
      s.majorFaults++;
      s.swapIns++;
      kind = MAJOR;
    } else s.minorFaults++;
    this.scheduler.insert(p, v, position, write);
    if (++s.resident > s.residentPeak) s.residentPeak = s.resident;
    return kind;
  }

  /**
   * Resident page p of VM v gets content `token` (a write, or an allocation row with a token;
   * 0 for a write without one). The frame store changes the frame in place or merges it with
   * an equal one; a frame shared with other pages is first copied (copy-on-write), which needs
   * a frame of p's own and may evict or run out of memory. False when VM v was OOM-killed.
   */
  private contentChanged(p: number, v: number, token: number, position: number): boolean {
    const store = this.store!;
    const from = this.frameOf[p]!;
    if (store.rewrite(p, v, token)) return true;
    // The copy may evict; p is out of the policy's sight meanwhile, so it cannot be the victim.
    this.scheduler.remove(p, v);
    const frame = this.takeStoreFrame(p, v, store);
    if (frame < 0) {
      this.state[p]! &= ~RESIDENT;
      this.vms[v]!.resident--;
      this.outOfMemory(v, p, position);
      return false;
    }
    this.scheduler.insert(p, v, position, true);
    store.map(p, frame);
    this.frameOf[p] = frame;
    const inUse = store.inUse;
    if (inUse > this.framesPeak) this.framesPeak = inUse;
    this.watcher?.moved?.(p, v, from, frame);
    return true;
  }

  /**
   * An allocation row with a content token (content sharing): a resident page changes content,
   * another just records it. Public for two levels, where a guest page's new content is its
   * guest frame's (a host page's).
   */
  allocatedContent(p: number, token: number): void {
    const v = this.ids.vmOf[p]!;
    if (this.dead[v] !== 0) return;
    const store = this.store!;
    if ((this.state[p]! & RESIDENT) === 0) store.recordContent(p, token);
    else if (store.contentOf(p) !== token) this.contentChanged(p, v, token, this.position);
  }

  /** A free frame, or one freed by evicting the victim the policy names; -1 when none can be (the plain store). */
  private takeFrame(v: number): number {
    if (this.usedFrames - this.freedTop + this.heldFrames < this.config.frames && this.scheduler.mayTakeFree(v)) return this.freeFrame();
    if (this.reclaim !== null) {
      const got = this.reclaim(v);
      if (got < 0) return -1;
      if (got > 0 && this.usedFrames - this.freedTop + this.heldFrames < this.config.frames && this.scheduler.mayTakeFree(v)) return this.freeFrame();
    }
    const victim = this.victim(v);
    if (victim < 0) return -1;
    return this.evict(victim, v);
  }

  /**
   * The victim the policy names for a fault of VM v (SPEC 2 step 3: with swap full, only a page
   * that can be dropped without a write will do), -1 when there is none.
   */
  private victim(v: number): number {
    const accept: Accept = this.swapUsed >= this.config.swapSlots ? this.droppable : null;
    this.victimFiltered = accept !== null;
    return this.scheduler.victim(v, accept);
  }

  /** A free frame of the plain store (there is one): lowest first, a frame given back reused first. */
  private freeFrame(): number {
    if (this.freedTop > 0) return this.freedFrames[--this.freedTop]!;
    const frame = this.usedFrames++;
    if (this.trackFrames && frame >= this.frameOwner.length) this.frameOwner = grown(this.frameOwner, Math.min(frame + 1, this.config.frames), -1);
    return frame;
  }

  /**
   * takeFrame() with a frame store: one the store set aside for page p, a free one the scheduler
   * lets v take, or one freed by evicting the victim the policy names; -1 when none can be had.
   * An evicted frame goes back to the store (a huge block may split, a buddy merge), which then
   * hands out the frame it picks.
   */
  private takeStoreFrame(p: number, v: number, store: FrameStore): number {
    const frame = store.reserved(p, v);
    if (frame >= 0) return frame;
    this.incoming[0] = p;
    for (;;) {
      if (this.storeHasFree(store) && this.scheduler.mayTakeFree(v)) return store.take(p);
      // two levels: the --reclaim ladder's rungs before the policy's victim (as takeFrame)
      if (this.reclaim !== null) {
        const got = this.reclaim(v);
        if (got < 0) return -1;
        if (got > 0 && this.storeHasFree(store) && this.scheduler.mayTakeFree(v)) return store.take(p);
      }
      const victim = this.victim(v);
      if (victim < 0) return -1;
      store.reclaim(this.evictShared(victim, v));
    }
  }

  /** Evicts resident page q for a fault of VM v (the plain store); returns its frame. */
  private evict(q: number, v: number): number {
    const u = this.vmOfPage(q);
    const owner = this.vms[u]!;
    let st = this.state[q]!;
    this.evicting = true;
    this.scheduler.remove(q, u);
    this.evicting = false;
    const dirty = (st & DIRTY) !== 0;
    if (dirty) {
      owner.swapOuts++;
      this.vms[v]!.swapOutWaits++;
      if ((st & SWAPPED) === 0) this.chargeSlot(owner);
      st = (st & ~DIRTY) | SWAPPED;
    }
    // Clean with a swap copy: dropped, no I/O. Clean and never written: dropped (zero page).
    this.state[q] = (st & ~RESIDENT) | EVICTED;
    owner.resident--;
    owner.evictions++;
    if (u !== v) {
      owner.stolen++;
      this.vms[v]!.stole++;
    }
    if (this.onEvict !== null) this.onEvict(q, dirty);
    if (!this.trackFrames) return 0;
    const frame = this.frameOf[q]!;
    this.frameOwner[frame] = -1;
    if (this.watcher !== null) this.watcher.unmapped(q, u, frame);
    return frame;
  }

  /**
   * evict() with a frame store: every page of q's frame leaves it; its content is written to swap
   * once, to one slot charged to q's VM, when any of those pages is dirty (SPEC 2 step 3, SPEC 2.6).
   */
  private evictShared(q: number, v: number): number {
    const store = this.store!;
    const frame = this.frameOf[q]!;
    const u = this.vmOfPage(q);
    let slot = -1;
    if (this.frameDirty(frame)) {
      slot = this.newSlot(u);
      this.vms[u]!.swapOuts++;
      this.vms[v]!.swapOutWaits++;
    }
    for (let s = store.frameOwner[frame]!; s >= 0; ) {
      const next = store.nextSharer(s);
      const w = this.vmOfPage(s);
      const owner = this.vms[w]!;
      this.evicting = true;
      this.scheduler.remove(s, w);
      this.evicting = false;
      let st = this.state[s]!;
      if ((st & DIRTY) !== 0) {
        this.slots!.hold(s, slot);
        st = (st & ~DIRTY) | SWAPPED;
      }
      this.state[s] = (st & ~RESIDENT) | EVICTED;
      owner.resident--;
      owner.evictions++;
      if (w !== v) {
        owner.stolen++;
        this.vms[v]!.stole++;
      }
      if (this.watcher !== null) this.watcher.unmapped(s, w, frame);
      // the one write of the frame is q's (the page named victim)
      if (this.onEvict !== null) this.onEvict(s, slot >= 0 && s === q);
      s = next;
    }
    return frame;
  }

  /** A new named swap slot charged to VM u (frame stores): one slot in use. */
  private newSlot(u: number): number {
    this.chargeSlot(this.vms[u]!);
    return this.slots!.create(u);
  }

  /** One more swap slot in use, charged to `owner`: the total's and the VM's counts and peaks. */
  private chargeSlot(owner: VmCounters): void {
    if (++this.swapUsed > this.swapPeak) this.swapPeak = this.swapUsed;
    if (++owner.swapSlots > owner.swapPeak) owner.swapPeak = owner.swapSlots;
  }

  /**
   * Non-resident page p of VM u goes to swap without an eviction, for a fault of VM v (two
   * levels: a compression cache's oldest page): a swap-out of u that takes a slot.
   */
  swapOutDetached(p: number, v: number): void {
    const u = this.ids.vmOf[p]!;
    const c = this.vms[u]!;
    this.state[p] = COMMITTED | SWAPPED;
    if (++c.committed > c.committedPeak) c.committedPeak = c.committed;
    c.swapOuts++;
    this.vms[v]!.swapOutWaits++;
    if (this.slots !== null) this.slots.hold(p, this.newSlot(u));
    else this.chargeSlot(c);
  }

  /** Page p lets go of its named swap slot (frame stores); a shared slot is free when its last page lets go. */
  private dropSlot(p: number): void {
    const u = this.slots!.drop(p);
    if (u >= 0) {
      this.swapUsed--;
      this.vms[u]!.swapSlots--;
    }
  }

  /** Whether evicting frame f of a frame store needs a write: one of its pages' content is not in swap. */
  private frameDirty(f: number): boolean {
    const store = this.store!;
    for (let s = store.frameOwner[f]!; s >= 0; s = store.nextSharer(s)) if ((this.state[s]! & DIRTY) !== 0) return true;
    return false;
  }

  /** swap slots some page holds (the memory model's invariant checks) */
  slotsHeld(): number {
    return this.slots !== null ? this.slots.held() : this.swapUsed;
  }

  /**
   * Writes resident dirty page p to swap ahead of its eviction, at a policy's request (wsclock):
   * a swap-out of p's VM, which takes a slot; p stays resident, clean, with a valid swap copy
   * (SPEC 2: kept until p is written again). No faulting access waits for it (the write is
   * asynchronous, as the pageout daemon's), so it is not counted in swapOutWaits. With a frame
   * store, p's frame is written, to one slot, and every dirty page of it becomes clean with that
   * copy. True when p is now clean (written, or it was clean); false when swap is full.
   */
  writeBack(p: number): boolean {
    const st = this.state[p]!;
    if ((st & RESIDENT) === 0) return false;
    const store = this.store;
    if (store !== null) {
      const f = this.frameOf[p]!;
      if (!this.frameDirty(f)) return true;
      if (this.swapUsed >= this.config.swapSlots) return false;
      const u = this.vmOfPage(p);
      const slot = this.newSlot(u);
      this.vms[u]!.swapOuts++;
      for (let s = store.frameOwner[f]!; s >= 0; s = store.nextSharer(s)) {
        const t = this.state[s]!;
        if ((t & DIRTY) === 0) continue;
        this.slots!.hold(s, slot);
        this.state[s] = (t & ~DIRTY) | SWAPPED;
      }
      return true;
    }
    if ((st & DIRTY) === 0) return true;
    if (this.swapUsed >= this.config.swapSlots) return false;
    const owner = this.vms[this.vmOfPage(p)]!;
    owner.swapOuts++;
    // A dirty page has no slot (a write releases it as stale).
    this.chargeSlot(owner);
    this.state[p] = (st & ~DIRTY) | SWAPPED;
    return true;
  }

  /** Releases everything page p holds (F, RESET, OOM kill). */
  private release(p: number): void {
    const st = this.state[p]!;
    if (st === 0) return;
    const v = this.ids.vmOf[p]!;
    const s = this.vms[v]!;
    const store = this.store;
    if (this.watcher !== null) this.watcher.released?.(p, v);
    if ((st & RESIDENT) !== 0) {
      this.scheduler.remove(p, v);
      let frame = 0;
      if (store !== null) {
        frame = this.frameOf[p]!;
        store.release(p, frame);
      } else {
        if (this.trackFrames) {
          frame = this.frameOf[p]!;
          this.frameOwner[frame] = -1;
        }
        if (this.freedTop >= this.freedFrames.length) this.freedFrames = grown(this.freedFrames, this.freedTop + 1);
        this.freedFrames[this.freedTop++] = frame;
      }
      s.resident--;
      if (this.watcher !== null) this.watcher.unmapped(p, v, frame);
    }
    if ((st & SWAPPED) !== 0) {
      if (this.slots === null) {
        this.swapUsed--;
        s.swapSlots--;
      } else this.dropSlot(p);
    }
    if ((st & COMMITTED) !== 0) s.committed--;
    this.state[p] = 0;
    // Freed: the page has no previous frame any more (observers see -1 on its next load).
    if (this.trackFrames) this.frameOf[p] = -1;
    // Freed memory comes back as a fresh zero page.
    if (store !== null) store.recordContent(p, 0);
  }

  allocate(p: number): void {
    const v = this.ids.vmOf[p]!;
    const s = this.vms[v]!;
    if (this.dead[v] !== 0) return;
    s.allocated++;
    if ((this.state[p]! & COMMITTED) === 0) {
      this.state[p]! |= COMMITTED;
      if (++s.committed > s.committedPeak) s.committedPeak = s.committed;
    }
  }

  free(p: number): void {
    const v = this.ids.vmOf[p]!;
    if (this.dead[v] !== 0) return;
    this.vms[v]!.freed++;
    this.release(p);
  }

  /** RESET: the VM gives back everything it holds. */
  reset(v: number): void {
    this.ensureVm(v);
    if (this.dead[v] !== 0) return;
    this.vms[v]!.resets++;
    this.releaseVm(v);
    if (this.watcher !== null) this.watcher.reset(v);
  }

  private releaseVm(v: number): number {
    let frames = 0;
    const vmOf = this.ids.vmOf;
    for (let p = 0; p < this.ids.count; p++) {
      if (vmOf[p] === v && this.state[p] !== 0) {
        if ((this.state[p]! & RESIDENT) !== 0) frames++;
        this.release(p);
      }
    }
    return frames;
  }

  outOfMemory(v: number, p: number, position: number): void {
    const s = this.vms[v]!;
    const swapFull = this.victimFiltered && !this.anyCleanResident();
    if (this.config.onOom === 'error') {
      const slots = this.config.swapSlots;
      const where = `out of memory: VM '${this.vmNames[v] ?? v}' faulted on page 0x${toHex(this.ids.hiOf[p]!, this.ids.loOf[p]!)} at access ${position + 1}`;
      throw new OutOfMemoryError(
        swapFull
          ? `${where}, every frame holds a dirty page and swap is full (${slots} slot${slots === 1 ? '' : 's'}); give more --swap or --frames, or use --on-oom=kill`
          : `${where}, and scheduler ${this.config.scheduler} leaves it no frame it may take (its partition or limit, ` +
              `other VMs' reserves, or stronger priorities); change the VMs' parameters, or use --on-oom=kill`,
      );
    }
    s.oomKills++;
    s.oomSkipped++;
    this.dead[v] = 1;
    const framesFreed = this.releaseVm(v);
    this.scheduler.killed(v);
    this.oomEvents.push({ vm: v, position, framesFreed, cause: swapFull ? 'swap-full' : 'no-frame' });
  }

  /** some frame holds a page that could be dropped without a write (OOM path only: O(frames) or O(pages)) */
  private anyCleanResident(): boolean {
    if (!this.trackFrames) {
      for (let p = 0; p < this.ids.count; p++) if ((this.state[p]! & (RESIDENT | DIRTY)) === RESIDENT) return true;
      return false;
    }
    for (let f = 0; f < this.config.frames; f++) {
      const q = this.frameOwner[f]!;
      if (q >= 0 && (this.state[q]! & DIRTY) === 0) return true;
    }
    return false;
  }

  isDead(v: number): boolean {
    return this.dead[v] !== 0;
  }
}
