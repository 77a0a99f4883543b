/**
 * The host-memory model: what a hypervisor does with its frames beyond paging (SPEC 2.6).
 *
 * - Content-based page sharing (`--dedup ideal|ksm`): pages of any VMs whose content tokens are
 *   equal share one host frame, write-protected; a write to a shared page is a copy-on-write
 *   fault that gives the writer a private frame. `ideal` merges at once (on every fault and
 *   content change); `ksm` merges only what a scanner finds, as Linux KSM: every `ksmInterval`
 *   accesses it visits `ksmPages` resident pages in page-id order, merging a page into a frame of
 *   the stable tree (frames it merged before) or with an identical page of the unstable tree
 *   (pages seen since the scan last wrapped).
 * - Host frames come from a buddy allocator (buddy.ts). With a host leaf page of 2^k engine
 *   pages (`--host-page 2MiB`: k = 9 for 4 KiB pages), the first page of a guest region of 2^k
 *   pages that needs a frame gets the region a whole aligned block of 2^k frames when one is free
 *   (else, with `--compaction`, after moving pages out of the cheapest range; else a counted
 *   fallback to single frames). Each page of the region lives at its offset in the block; the
 *   block is split back into single frames when one of its pages is evicted, merged or freed
 *   while others remain (as Linux splits a transparent huge page), and freed whole when its last
 *   page goes.
 *
 * It replaces the engine's replay loop when configured (Engine.replay hands batches over) and
 * follows the engine's paging rules (SPEC 2) exactly; only frames differ: a frame may back
 * several pages. Evicting a shared frame swaps one copy (one write, one slot shared by the
 * sharers) and unmaps every sharer; a fault of one of them restores that one mapping. Swap
 * slots are therefore reference counted here.
 *
 * Per-page and per-frame state is in typed arrays; nothing is allocated per access.
 */
import { COMMITTED, DIRTY, EVICTED, HIT, RESIDENT, SWAPPED, type Engine } from '../engine/engine.js';
import type { PageBatch } from '../pages/expand.js';
import { PageIds } from '../pages/page-ids.js';
import { grown, type Accept } from '../policies/policy.js';
import { OP_ALLOC, OP_FREE, OP_RESET, OP_WRITE } from '../trace/rows.js';
import { BuddyAllocator } from './buddy.js';
import type { MemoryConfig } from './config.js';

/** Region states. */
const NONE = 0;
const HUGE = 1;
const SMALL = 2;

/** Counters of one VM. */
export class MemoryVmCounters {
  /** writes (or content-setting allocations) to a shared page: the page got a private frame */
  cowFaults = 0;
  /** this VM's pages merged into a frame holding the same content (at a fault or write under ideal, by the scanner under ksm) */
  merges = 0;
  /** regions of this VM backed by a huge block */
  hugeAllocations = 0;
  /** regions of this VM that wanted a huge block and got single frames */
  hugeFallbacks = 0;
  /** huge blocks of this VM split back into single frames */
  hugeSplits = 0;
  /** this VM's pages moved by compaction */
  compactionMoves = 0;
}

export class MemoryModel {
  readonly buddy: BuddyAllocator;
  readonly counters: MemoryVmCounters[] = [];
  /** pages the KSM scanner visited (resident pages; Linux's pages_scanned) */
  ksmPagesScanned = 0;
  /** times the scanner went through every page (Linux's full_scans) */
  ksmFullScans = 0;
  /** compactions that produced a block, and frames they moved */
  compactions = 0;
  compactionFrames = 0;
  /** compactions given up (no range could be emptied) */
  compactionFailures = 0;

  // per frame
  /** pages mapped to the frame (0 = free or a hole of a huge block) */
  private readonly refs: Int32Array;
  private readonly frameContent: Int32Array;
  /** the region the frame was taken for, or -1 */
  private readonly frameRegion: Int32Array;
  /** 1 while the frame is part of a huge block */
  private readonly hugeFrame: Uint8Array;
  /** the other pages sharing a frame: frameOwner[frame] is the first, then nextSharer */
  private nextSharer = new Int32Array(0);
  private prevSharer = new Int32Array(0);

  // per page
  /** content id: 0 the zero page, > 0 a trace token, < 0 a content no other page has */
  private contentOf = new Int32Array(0);
  /** reference-counted swap slot, -1 none */
  private slotOf = new Int32Array(0);
  /** region id (huge pages), -1 not looked up yet */
  private regionOf = new Int32Array(0);
  private capacity = 0;
  private nextUnique = -1;

  /** content id -> the frame holding it that pages merge into (ideal: every resident one; ksm: the stable tree), -1 */
  private table = new Int32Array(1024).fill(-1);
  private readonly unstable = new Map<number, number>();
  private scanCursor = 0;
  private ksmCountdown: number;

  // swap slots
  private slotRefs = new Int32Array(1024);
  private slotVm = new Int32Array(1024);
  private freeSlots: number[] = [];
  private slotsMade = 0;

  // regions (huge pages)
  private readonly regions = new PageIds();
  private regionState = new Uint8Array(1024);
  private regionBlock = new Int32Array(1024);
  /** frames taken for the region still in use (in its block, or single frames) */
  private regionFrames = new Int32Array(1024);
  private readonly hugeFrames: number;
  /** Linux's compaction deferral: after a failure, skip 2^failures attempts (at most 64) */
  private compactDefer = 0;
  private compactSkip = 0;

  private readonly droppable: (page: number) => boolean;

  constructor(
    private readonly engine: Engine,
    readonly config: MemoryConfig,
  ) {
    const frames = engine.config.frames;
    const maxOrder = Math.max(config.hugeOrder, Math.min(30, Math.max(0, Math.log2(2 ** 30 / engine.config.pageSize))));
    this.buddy = new BuddyAllocator(frames, maxOrder);
    this.refs = new Int32Array(frames);
    this.frameContent = new Int32Array(frames);
    this.frameRegion = new Int32Array(frames).fill(-1);
    this.hugeFrame = new Uint8Array(frames);
    this.hugeFrames = 2 ** config.hugeOrder;
    this.ksmCountdown = config.ksmInterval;
    this.droppable = (q) => !this.frameDirty(this.engine.frameOf[q]!);
  }

  /** Attaches a model to the engine (before any replay). */
  static attach(engine: Engine, config: MemoryConfig): MemoryModel {
    const model = new MemoryModel(engine, config);
    engine.memory = model;
    // The model hands out frames anywhere in host memory (buddy blocks): the engine's per-frame
    // owner table must cover them all from the start.
    engine.frameOwner = new Int32Array(engine.config.frames).fill(-1);
    return model;
  }

  get framesInUse(): number {
    return this.buddy.inUse;
  }

  private ensurePages(): void {
    const n = this.engine.pageCapacity;
    if (n <= this.capacity) return;
    this.contentOf = grown(this.contentOf, n);
    this.slotOf = grown(this.slotOf, n, -1);
    this.regionOf = grown(this.regionOf, n, -1);
    this.nextSharer = grown(this.nextSharer, n, -1);
    this.prevSharer = grown(this.prevSharer, n, -1);
    this.capacity = this.contentOf.length;
  }

  private vmCounters(v: number): MemoryVmCounters {
    while (this.counters.length <= v) this.counters.push(new MemoryVmCounters());
    return this.counters[v]!;
  }

  replay(batch: PageBatch): void {
    this.ensurePages();
    const e = this.engine;
    const ksm = this.config.dedup === 'ksm';
    for (let i = 0; i < batch.length; i++) {
      const o = batch.op[i]!;
      const p = batch.page[i]!;
      if (o <= OP_WRITE) {
        this.access(p, o === OP_WRITE, batch.content[i]!);
        if (ksm && --this.ksmCountdown === 0) {
          this.ksmCountdown = this.config.ksmInterval;
          this.scan();
        }
        // --interval: a sample after the access (and the scan it woke), as in the engine's loop
        if (e.position === e.nextSample) e.onSample!();
      } else if (o === OP_ALLOC) {
        e.allocate(p);
        if (this.config.dedup !== 'off' && batch.content[i]! > 0 && !e.isDead(e.ids.vmOf[p]!)) this.allocated(p, batch.content[i]!);
      } else if (o === OP_FREE) e.free(p);
      else if (o === OP_RESET) e.reset(p);
    }
  }

  /** One read or write (SPEC 2, steps 1-3), with frames shared by content. */
  private access(p: number, write: boolean, token: number): void {
    const e = this.engine;
    const position = e.position++;
    const v = e.ids.vmOf[p]!;
    const s = e.vms[v]!;
    let st = e.admit(p, v, s);
    if (st < 0) return;
    e.state[p] = st;
    let kind: number;
    let previousFrame = -1;
    if ((st & RESIDENT) !== 0) {
      s.hits++;
      e.scheduler.hit(p, v, position, write);
      kind = HIT;
    } else {
      previousFrame = e.frameOf[p]!;
      // A write fault places the page by the content it leaves (no copy-on-write of what was there).
      if (write && this.config.dedup !== 'off') this.contentOf[p] = token > 0 ? token : this.nextUnique--;
      const merged = this.fault(p, v);
      if (merged < 0) {
        e.outOfMemory(v, p, position);
        return;
      }
      // A page merged into a resident frame needs no read, even with a copy in swap.
      kind = e.loaded(p, v, s, position, (st & SWAPPED) !== 0 && merged === 0, write);
      st |= RESIDENT;
      if (this.buddy.inUse > e.framesPeak) e.framesPeak = this.buddy.inUse;
    }
    s.accesses++;
    if (write) {
      s.writes++;
      if ((st & SWAPPED) !== 0) {
        st &= ~SWAPPED;
        this.dropSlot(p);
      }
      st |= DIRTY;
      e.state[p] = st;
      if (kind === HIT && this.config.dedup !== 'off') {
        // A write without a token leaves a content no other page has.
        if (!this.changeContent(p, v, token > 0 ? token : this.nextUnique--, position)) return;
      }
    } else {
      s.reads++;
      e.state[p] = st;
    }
    e.framesInUseSum += this.buddy.inUse;
    if (e.observer !== null) {
      const frame = e.frameOf[p]!;
      e.observer.access(p, v, frame, kind, write, kind === HIT ? frame : previousFrame);
    }
  }

  /**
   * Maps non-resident page p into a frame: 1 when it merged into a resident frame of the same
   * content (ideal), 0 when it got a frame of its own, -1 when none could be had (OOM).
   */
  private fault(p: number, v: number): number {
    const c = this.contentOf[p]!;
    if (this.config.dedup === 'ideal' && c >= 0 && c < this.table.length) {
      const g = this.table[c]!;
      if (g >= 0) {
        this.attach(p, g);
        this.vmCounters(v).merges++;
        return 1;
      }
    }
    const frame = this.newFrame(p, v);
    if (frame < 0) return -1;
    this.attach(p, frame);
    this.frameContent[frame] = c;
    if (this.config.dedup === 'ideal' && c >= 0) this.setTable(c, frame);
    return 0;
  }

  /**
   * Page p's content becomes c (a write, or an allocation with a token). A shared frame is
   * copied first (a COW fault). Under ideal the page then merges with a frame that holds c.
   * False when the VM was OOM-killed getting the copy.
   */
  private changeContent(p: number, v: number, c: number, position: number): boolean {
    const e = this.engine;
    const f = e.frameOf[p]!;
    const old = this.contentOf[p]!;
    this.contentOf[p] = c;
    const ideal = this.config.dedup === 'ideal';
    if (this.refs[f]! > 1) {
      this.vmCounters(v).cowFaults++;
      this.detach(p, f);
      const g = ideal && c >= 0 && c < this.table.length ? this.table[c]! : -1;
      if (g >= 0) {
        this.attach(p, g);
        this.vmCounters(v).merges++;
        this.notifyMoved(p, v, f, g);
        return true;
      }
      // The copy may evict; p is out of the policy's sight meanwhile, so it cannot be the victim.
      e.scheduler.remove(p, v);
      const frame = this.newFrame(p, v);
      if (frame < 0) {
        e.state[p]! &= ~RESIDENT;
        e.vms[v]!.resident--;
        e.outOfMemory(v, p, position);
        return false;
      }
      e.scheduler.insert(p, v, position, true);
      this.attach(p, frame);
      this.frameContent[frame] = c;
      if (ideal && c >= 0) this.setTable(c, frame);
      if (this.buddy.inUse > e.framesPeak) e.framesPeak = this.buddy.inUse;
      this.notifyMoved(p, v, f, frame);
      return true;
    }
    // A private frame changes in place; it leaves the table under its old content.
    if (old >= 0 && old < this.table.length && this.table[old] === f) this.table[old] = -1;
    this.frameContent[f] = c;
    if (ideal && c >= 0) {
      const g = c < this.table.length ? this.table[c]! : -1;
      if (g >= 0 && g !== f) {
        this.detach(p, f);
        this.attach(p, g);
        this.vmCounters(v).merges++;
        this.notifyMoved(p, v, f, g);
        this.freeFrame(f);
      } else this.setTable(c, f);
    }
    return true;
  }

  /** An allocation row with a content token: a resident page changes content, another just records it. */
  private allocated(p: number, token: number): void {
    const e = this.engine;
    if ((e.state[p]! & RESIDENT) === 0) {
      this.contentOf[p] = token;
      return;
    }
    if (this.contentOf[p] === token) return;
    this.changeContent(p, e.ids.vmOf[p]!, token, e.position);
  }

  private notifyMoved(p: number, v: number, from: number, to: number): void {
    this.engine.observer?.moved?.(p, v, from, to);
  }

  /** A frame of p's own: in its region's huge block, or a single frame, evicting as needed; -1 when none. */
  private newFrame(p: number, v: number): number {
    const e = this.engine;
    let region = -1;
    if (this.config.hugeOrder > 0) {
      region = this.regionFor(p);
      if (this.regionState[region] === NONE) this.backRegion(region, v);
      if (this.regionState[region] === HUGE) {
        const frame = this.regionBlock[region]! + (e.ids.loOf[p]! & (this.hugeFrames - 1));
        if (this.refs[frame] === 0) {
          this.regionFrames[region]!++;
          return frame;
        }
        // Its slot holds the frame it shared and is leaving (a copy-on-write after another page
        // merged into it): the block is split, as Linux splits a huge page one of whose pages
        // is merged, and the copy takes a single frame below.
        this.split(region);
      }
    }
    for (;;) {
      if (this.buddy.freeFrames > 0 && e.scheduler.mayTakeFree(v)) {
        const frame = this.buddy.take();
        this.frameRegion[frame] = region;
        if (region >= 0) this.regionFrames[region]!++;
        return frame;
      }
      // Swap full: only victims that can be dropped without a write will do (SPEC 2 step 3).
      const accept: Accept = e.swapUsed >= e.config.swapSlots ? this.droppable : null;
      e.victimFiltered = accept !== null;
      e.incoming[0] = p;
      const victim = e.scheduler.victim(v, accept);
      if (victim < 0) return -1;
      this.evictFrame(victim, v);
    }
  }

  /** The region id of page p (its page number without the low hugeOrder bits). */
  private regionFor(p: number): number {
    let r = this.regionOf[p]!;
    if (r >= 0) return r;
    const ids = this.engine.ids;
    const k = this.config.hugeOrder;
    const hi = ids.hiOf[p]!;
    const lo = ids.loOf[p]!;
    r = this.regions.id(ids.vmOf[p]!, hi >>> k, ((lo >>> k) | (hi << (32 - k))) >>> 0);
    this.regionOf[p] = r;
    if (r >= this.regionState.length) {
      this.regionState = grown(this.regionState, r + 1);
      this.regionBlock = grown(this.regionBlock, r + 1);
      this.regionFrames = grown(this.regionFrames, r + 1);
    }
    return r;
  }

  /** A region's first frame is wanted: back it with a huge block if one is free (or can be compacted). */
  private backRegion(region: number, v: number): void {
    const k = this.config.hugeOrder;
    let block = this.buddy.allocate(k);
    if (block < 0 && this.config.compaction) block = this.compact(k);
    const c = this.vmCounters(v);
    if (block < 0) {
      this.regionState[region] = SMALL;
      c.hugeFallbacks++;
      return;
    }
    this.regionState[region] = HUGE;
    this.regionBlock[region] = block;
    this.regionFrames[region] = 0;
    for (let f = block; f < block + this.hugeFrames; f++) {
      this.hugeFrame[f] = 1;
      this.frameRegion[f] = region;
    }
    c.hugeAllocations++;
  }

  /**
   * Compaction for an order-k block: picks the aligned range of 2^k frames that holds no huge
   * block and the fewest pages, and moves its pages to free frames outside it (each moved page
   * a remap). -1 when free memory is short of 2^k frames or no range can be emptied; after a
   * failure the next 2^n attempts are skipped (n failures in a row, at most 64), as Linux
   * defers compaction.
   */
  private compact(k: number): number {
    const size = 2 ** k;
    const buddy = this.buddy;
    if (buddy.freeFrames < size) return -1;
    if (this.compactSkip > 0) {
      this.compactSkip--;
      return -1;
    }
    let best = -1;
    let bestUsed = Infinity;
    for (let a = 0; a + size <= buddy.frames; a += size) {
      let used = 0;
      let f = a;
      while (f < a + size) {
        const order = buddy.orderOfFreeHead(f);
        if (order >= 0) f += 2 ** order;
        else if (this.refs[f]! > 0 && this.hugeFrame[f] === 0) {
          used++;
          f++;
        } else break;
      }
      if (f >= a + size && used < bestUsed) {
        best = a;
        bestUsed = used;
      }
    }
    if (best < 0) {
      this.compactionFailures++;
      this.compactDefer = Math.min(this.compactDefer + 1, 6);
      this.compactSkip = 2 ** this.compactDefer;
      return -1;
    }
    this.compactDefer = 0;
    buddy.claimFree(best, k);
    for (let f = best; f < best + size; f++) {
      if (this.refs[f]! === 0) continue;
      const to = buddy.take();
      this.moveFrame(f, to);
      this.compactionFrames++;
    }
    this.compactions++;
    return best;
  }

  /** Moves a frame's content and every mapping of it to free frame `to` (compaction). */
  private moveFrame(from: number, to: number): void {
    const e = this.engine;
    this.refs[to] = this.refs[from]!;
    this.frameContent[to] = this.frameContent[from]!;
    this.frameRegion[to] = this.frameRegion[from]!;
    e.frameOwner[to] = e.frameOwner[from]!;
    const c = this.frameContent[from]!;
    if (c >= 0 && c < this.table.length && this.table[c] === from) this.table[c] = to;
    this.refs[from] = 0;
    this.frameRegion[from] = -1;
    e.frameOwner[from] = -1;
    for (let q = e.frameOwner[to]!; q >= 0; q = this.nextSharer[q]!) {
      e.frameOf[q] = to;
      const v = e.ids.vmOf[q]!;
      this.vmCounters(v).compactionMoves++;
      this.notifyMoved(q, v, from, to);
    }
  }

  /** Evicts the frame of resident page q for a fault of VM v: every sharer leaves; one swap-out when any is dirty. */
  private evictFrame(q: number, v: number): void {
    const e = this.engine;
    const f = e.frameOf[q]!;
    const u = e.ids.vmOf[q]!;
    let slot = -1;
    if (this.frameDirty(f)) {
      slot = this.newSlot(u);
      e.vms[u]!.swapOuts++;
      e.vms[v]!.swapOutWaits++;
    }
    let s = e.frameOwner[f]!;
    while (s >= 0) {
      const next = this.nextSharer[s]!;
      const w = e.ids.vmOf[s]!;
      const owner = e.vms[w]!;
      e.evicting = true;
      e.scheduler.remove(s, w);
      e.evicting = false;
      let st = e.state[s]!;
      if ((st & DIRTY) !== 0) {
        this.slotOf[s] = slot;
        this.slotRefs[slot]!++;
        st = (st & ~DIRTY) | SWAPPED;
      }
      e.state[s] = (st & ~RESIDENT) | EVICTED;
      owner.resident--;
      owner.evictions++;
      if (w !== v) {
        owner.stolen++;
        e.vms[v]!.stole++;
      }
      this.nextSharer[s] = -1;
      this.prevSharer[s] = -1;
      if (e.observer !== null) e.observer.unmapped(s, w, f);
      s = next;
    }
    e.frameOwner[f] = -1;
    this.refs[f] = 0;
    this.freeFrame(f);
  }

  /**
   * A policy's write-back ahead of eviction (wsclock, Engine.writeBack): the frame of resident page
   * p is written to one swap slot, as evictFrame writes it, and its sharers stay resident, clean,
   * with that copy. True when the frame is now clean; false when swap is full.
   */
  writeBack(p: number): boolean {
    const e = this.engine;
    if ((e.state[p]! & RESIDENT) === 0) return false;
    const f = e.frameOf[p]!;
    if (!this.frameDirty(f)) return true;
    if (e.swapUsed >= e.config.swapSlots) return false;
    const u = e.ids.vmOf[p]!;
    const slot = this.newSlot(u);
    e.vms[u]!.swapOuts++;
    for (let s = e.frameOwner[f]!; s >= 0; s = this.nextSharer[s]!) {
      const st = e.state[s]!;
      if ((st & DIRTY) === 0) continue;
      this.slotOf[s] = slot;
      this.slotRefs[slot]!++;
      e.state[s] = (st & ~DIRTY) | SWAPPED;
    }
    return true;
  }

  /** Whether evicting the frame needs a write (a sharer's content is not in swap). */
  private frameDirty(f: number): boolean {
    const e = this.engine;
    for (let s = e.frameOwner[f]!; s >= 0; s = this.nextSharer[s]!) if ((e.state[s]! & DIRTY) !== 0) return true;
    return false;
  }

  /** Releases everything page p holds (F, RESET, OOM kill); called by the engine. */
  release(p: number): void {
    const e = this.engine;
    const st = e.state[p]!;
    if (st === 0) return;
    this.ensurePages();
    const v = e.ids.vmOf[p]!;
    const s = e.vms[v]!;
    if (e.observer !== null) e.observer.released?.(p, v);
    if ((st & RESIDENT) !== 0) {
      e.scheduler.remove(p, v);
      const frame = e.frameOf[p]!;
      this.detach(p, frame);
      s.resident--;
      if (e.observer !== null) e.observer.unmapped(p, v, frame);
      if (this.refs[frame] === 0) this.freeFrame(frame);
    }
    if ((st & SWAPPED) !== 0) this.dropSlot(p);
    if ((st & COMMITTED) !== 0) s.committed--;
    e.state[p] = 0;
    e.frameOf[p] = -1;
    // Freed memory comes back as a fresh zero page.
    this.contentOf[p] = 0;
  }

  /** Puts p into frame f's sharers (after the first, so the first mapper stays the holder). */
  private attach(p: number, f: number): void {
    const e = this.engine;
    const head = e.frameOwner[f]!;
    if (head < 0) {
      e.frameOwner[f] = p;
      this.prevSharer[p] = -1;
      this.nextSharer[p] = -1;
    } else {
      const n = this.nextSharer[head]!;
      this.nextSharer[p] = n;
      this.prevSharer[p] = head;
      if (n >= 0) this.prevSharer[n] = p;
      this.nextSharer[head] = p;
    }
    this.refs[f]!++;
    e.frameOf[p] = f;
  }

  private detach(p: number, f: number): void {
    const e = this.engine;
    const a = this.prevSharer[p]!;
    const b = this.nextSharer[p]!;
    if (a >= 0) this.nextSharer[a] = b;
    else e.frameOwner[f] = b;
    if (b >= 0) this.prevSharer[b] = a;
    this.prevSharer[p] = -1;
    this.nextSharer[p] = -1;
    this.refs[f]!--;
  }

  /** Frame f has no mapping left: back to the allocator (or its huge block). */
  private freeFrame(f: number): void {
    const c = this.frameContent[f]!;
    if (c >= 0 && c < this.table.length && this.table[c] === f) this.table[c] = -1;
    const region = this.frameRegion[f]!;
    if (region >= 0) {
      this.regionFrames[region]!--;
      if (this.hugeFrame[f] !== 0) {
        if (this.regionFrames[region] === 0) {
          const block = this.regionBlock[region]!;
          for (let x = block; x < block + this.hugeFrames; x++) {
            this.hugeFrame[x] = 0;
            this.frameRegion[x] = -1;
          }
          this.regionState[region] = NONE;
          this.buddy.free(block, this.config.hugeOrder);
        } else this.split(region);
        return;
      }
      this.frameRegion[f] = -1;
      if (this.regionFrames[region] === 0) this.regionState[region] = NONE;
    }
    this.buddy.free(f, 0);
  }

  /** A huge block becomes single frames: the ones in use stay, the rest are freed. */
  private split(region: number): void {
    const block = this.regionBlock[region]!;
    for (let x = block; x < block + this.hugeFrames; x++) {
      this.hugeFrame[x] = 0;
      if (this.refs[x] === 0) {
        this.frameRegion[x] = -1;
        this.buddy.free(x, 0);
      }
    }
    this.regionState[region] = SMALL;
    this.vmCounters(this.regions.vmOf[region]!).hugeSplits++;
  }

  private setTable(c: number, frame: number): void {
    if (c >= this.table.length) this.table = grown(this.table, c + 1, -1);
    this.table[c] = frame;
  }

  private newSlot(v: number): number {
    const e = this.engine;
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.slotsMade++;
      if (slot >= this.slotRefs.length) {
        this.slotRefs = grown(this.slotRefs, slot + 1);
        this.slotVm = grown(this.slotVm, slot + 1);
      }
    }
    this.slotRefs[slot] = 0;
    this.slotVm[slot] = v;
    e.swapUsed++;
    if (e.swapUsed > e.swapPeak) e.swapPeak = e.swapUsed;
    const s = e.vms[v]!;
    if (++s.swapSlots > s.swapPeak) s.swapPeak = s.swapSlots;
    return slot;
  }

  /** Page p lets go of its swap slot; the slot is free when no page holds it. */
  private dropSlot(p: number): void {
    const slot = this.slotOf[p]!;
    this.slotOf[p] = -1;
    if (slot < 0) return;
    if (--this.slotRefs[slot]! === 0) {
      const e = this.engine;
      e.swapUsed--;
      e.vms[this.slotVm[slot]!]!.swapSlots--;
      this.freeSlots.push(slot);
    }
  }

  /**
   * One wake-up of the KSM scanner: visits up to ksmPages resident pages from where it stopped.
   * A private page merges into the stable frame of its content, or with an identical private
   * page of the unstable tree (the pair's frame becomes stable); else it enters the unstable
   * tree. The unstable tree is emptied whenever the scan wraps round, as in Linux. Unlike Linux,
   * a page is not required to keep its checksum over one full scan before it may merge.
   */
  private scan(): void {
    const e = this.engine;
    const count = e.ids.count;
    let visited = 0;
    for (let steps = 0; steps < count && visited < this.config.ksmPages; steps++) {
      if (this.scanCursor >= count) {
        this.scanCursor = 0;
        this.ksmFullScans++;
        this.unstable.clear();
      }
      const p = this.scanCursor++;
      if ((e.state[p]! & RESIDENT) === 0) continue;
      visited++;
      this.ksmPagesScanned++;
      const f = e.frameOf[p]!;
      const c = this.contentOf[p]!;
      if (this.refs[f]! > 1 || c < 0) continue;
      const g = c < this.table.length ? this.table[c]! : -1;
      if (g === f) continue;
      if (g >= 0) {
        this.mergeInto(p, f, g);
        continue;
      }
      const r = this.unstable.get(c);
      if (r !== undefined && r !== p && (e.state[r]! & RESIDENT) !== 0 && this.contentOf[r] === c) {
        const h = e.frameOf[r]!;
        if (h !== f && this.refs[h] === 1) {
          this.mergeInto(p, f, h);
          this.setTable(c, h);
          this.unstable.delete(c);
          continue;
        }
      }
      this.unstable.set(c, p);
    }
  }

  private mergeInto(p: number, f: number, g: number): void {
    const v = this.engine.ids.vmOf[p]!;
    this.detach(p, f);
    this.attach(p, g);
    this.vmCounters(v).merges++;
    this.notifyMoved(p, v, f, g);
    this.freeFrame(f);
  }

  /** Whether resident page p is mapped by a huge block of its own region (its walk is one host level shorter). */
  hugeMapped(p: number): boolean {
    const f = this.engine.frameOf[p]!;
    return f >= 0 && this.hugeFrame[f] !== 0 && this.frameRegion[f] === this.regionOf[p];
  }

  /** Checks the model's invariants (tests; not the hot path); throws on the first broken one. */
  check(): void {
    const e = this.engine;
    const fail = (what: string): never => {
      throw new Error(`memory model: ${what}`);
    };
    const holder = new Map<number, number>();
    let used = 0;
    for (let f = 0; f < this.buddy.frames; f++) {
      let n = 0;
      for (let q = e.frameOwner[f]!; q >= 0; q = this.nextSharer[q]!) {
        n++;
        if (e.frameOf[q] !== f) fail(`page ${q} is listed in frame ${f} but is in ${e.frameOf[q]}`);
        if ((e.state[q]! & RESIDENT) === 0) fail(`page ${q} is listed in frame ${f} but not resident`);
        if (this.config.dedup !== 'off' && this.contentOf[q] !== this.frameContent[f]) fail(`page ${q} shares frame ${f} with other content`);
      }
      if (n !== this.refs[f]) fail(`frame ${f} has ${n} sharers listed, ${this.refs[f]} counted`);
      if (n > 0 || this.hugeFrame[f] !== 0) used++;
      const c = this.frameContent[f]!;
      if (n > 0 && this.config.dedup === 'ideal' && c >= 0) {
        if (holder.has(c)) fail(`content ${c} is in frames ${holder.get(c)} and ${f} under ideal dedup`);
        holder.set(c, f);
      }
    }
    if (used !== this.buddy.inUse) fail(`${used} frames in use or reserved, the allocator says ${this.buddy.inUse}`);
    let resident = 0;
    for (let p = 0; p < e.ids.count; p++) if ((e.state[p]! & RESIDENT) !== 0) resident++;
    let counted = 0;
    for (const c of e.vms) counted += c.resident;
    if (resident !== counted) fail(`${resident} pages resident, ${counted} counted`);
    let slots = 0;
    for (let k = 0; k < this.slotsMade; k++) if (this.slotRefs[k]! > 0) slots++;
    if (slots !== e.swapUsed) fail(`${slots} slots referenced, ${e.swapUsed} in use`);
  }

  /**
   * Sharing and huge-page figures per VM (index = VM) at this moment, by one pass over the pages
   * (resident pages only: a frame's first mapper counts it in pagesShared, every further mapper
   * in pagesSharing; the same attribution as snapshot). For the --interval series.
   */
  pageFigures(vms: number): { pagesShared: Int32Array; pagesSharing: Int32Array; hugePages: Int32Array } {
    const e = this.engine;
    const pagesShared = new Int32Array(vms);
    const pagesSharing = new Int32Array(vms);
    const hugePages = new Int32Array(vms);
    const huge = this.config.hugeOrder > 0;
    for (let p = 0; p < e.ids.count; p++) {
      if ((e.state[p]! & RESIDENT) === 0) continue;
      const v = e.ids.vmOf[p]!;
      const f = e.frameOf[p]!;
      if (this.refs[f]! > 1) {
        if (e.frameOwner[f] === p) pagesShared[v]!++;
        else pagesSharing[v]!++;
      }
      if (huge && this.hugeMapped(p)) hugePages[v]!++;
    }
    return { pagesShared, pagesSharing, hugePages };
  }

  /** The figures at the end of the run. */
  snapshot(vms: number): MemorySnapshot {
    const e = this.engine;
    const perVm = Array.from({ length: vms }, () => ({ pagesShared: 0, pagesSharing: 0, hugePages: 0 }));
    let pagesShared = 0;
    let pagesSharing = 0;
    for (let f = 0; f < this.buddy.frames; f++) {
      if (this.refs[f]! < 2) continue;
      pagesShared++;
      const head = e.frameOwner[f]!;
      perVm[e.ids.vmOf[head]!]!.pagesShared++;
      for (let q = this.nextSharer[head]!; q >= 0; q = this.nextSharer[q]!) {
        pagesSharing++;
        perVm[e.ids.vmOf[q]!]!.pagesSharing++;
      }
    }
    let hugePages = 0;
    if (this.config.hugeOrder > 0) {
      for (let p = 0; p < e.ids.count; p++) {
        if ((e.state[p]! & RESIDENT) !== 0 && this.hugeMapped(p)) {
          perVm[e.ids.vmOf[p]!]!.hugePages++;
          hugePages++;
        }
      }
    }
    return {
      pagesShared,
      pagesSharing,
      hugePages,
      perVm,
      freeBlocks: Array.from(this.buddy.freeBlocks),
      freeFrames: this.buddy.freeFrames,
    };
  }
}

export interface MemorySnapshot {
  /** frames backing two or more pages (Linux KSM's pages_shared) */
  pagesShared: number;
  /** mappings beyond the first of those frames: frames saved (KSM's pages_sharing) */
  pagesSharing: number;
  /** resident pages mapped by a huge block */
  hugePages: number;
  /** per VM: a shared frame counts for the VM of its first mapper, each further mapping for its own VM */
  perVm: { pagesShared: number; pagesSharing: number; hugePages: number }[];
  /** free blocks per order, 0 .. maxOrder */
  freeBlocks: number[];
  freeFrames: number;
}
