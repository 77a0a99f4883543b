/**
 * The host-memory model: what a hypervisor does with its frames beyond paging (SPEC 2.6). It is
 * a frame store (frames.ts) the engine asks for frames; the engine keeps every paging rule and
 * the one replay loop, and tells the model of content changes.
 *
 * - Host frames come from a buddy allocator (buddy.ts). With a host leaf page of 2^k engine
 *   pages (`--host-page 2MiB`: k = 9 for 4 KiB pages), the first page of a guest region of 2^k
 *   pages that needs a frame gets the region a whole aligned block of 2^k frames when one is free
 *   (else, with `--compaction`, after moving pages out of the cheapest range; else a counted
 *   fallback to single frames). Each page of the region lives at its offset in the block; the
 *   block is split back into single frames when one of its pages is evicted, merged or freed
 *   while others remain (as Linux splits a transparent huge page), and freed whole when its last
 *   page goes.
 * - Content-based page sharing (`--dedup ideal|ksm`), layered over those frames: pages of any
 *   VMs whose content tokens are equal share one host frame, write-protected; a write to a shared
 *   page is a copy-on-write fault that gives the writer a private frame. `ideal` merges at once
 *   (on every fault and content change); `ksm` merges only what a scanner finds, as Linux KSM:
 *   every `ksmInterval` accesses it visits `ksmPages` resident pages in page-id order, merging a
 *   page into a frame of the stable tree (frames it merged before) or with an identical page of
 *   the unstable tree (pages seen since the scan last wrapped).
 * - Merging on demand (shareOne, two levels' `share` rung): any two frames holding the same
 *   content become one, through an index of frames by content kept once it is first asked for.
 *
 * A frame may back several pages: frameOwner[frame] is the first, nextSharer links the others.
 * Evicting a shared frame (the engine's rule) swaps one copy and unmaps every sharer; a fault of
 * one of them restores that one mapping.
 *
 * Per-page and per-frame state is in typed arrays; nothing is allocated per access.
 */
import { PageIds } from '../pages/page-ids.js';
import { RESIDENT } from '../pages/state.js';
import { grown } from '../policies/policy.js';
import { BuddyAllocator } from './buddy.js';
import type { MemoryConfig } from './config.js';
import type { FrameStore } from './frames.js';

/** Region states. */
const NONE = 0;
const HUGE = 1;
const SMALL = 2;

/**
 * What the model sees of the pager it backs (the Engine is one): its page table, to move pages
 * between frames (compaction, merging) and to scan them, and its observer, told of each move.
 */
export interface Pager {
  readonly config: { readonly frames: number; readonly pageSize: number };
  readonly ids: PageIds;
  readonly pageCapacity: number;
  readonly state: Uint8Array;
  readonly frameOf: Int32Array;
  readonly vms: readonly { readonly resident: number }[];
  readonly swapUsed: number;
  readonly observer: { moved?(p: number, v: number, from: number, to: number): void } | null;
  /** makes the model its frame store */
  useMemory(model: MemoryModel): void;
  /** swap slots some page holds */
  slotsHeld(): number;
}

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

export class MemoryModel implements FrameStore {
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
  /** content sharing is on (`--dedup ideal|ksm`): the engine then reports content changes */
  readonly sharing: boolean;
  /** the KSM scanner runs (`--dedup ksm`): the engine calls tick() after each access */
  readonly scanning: boolean;
  private readonly ideal: boolean;
  private readonly ksm: boolean;

  // per frame
  /** the first page mapped to the frame, -1 when free; the others follow it in nextSharer */
  readonly frameOwner: Int32Array;
  /** pages mapped to the frame (0 = free or a hole of a huge block) */
  private readonly refs: Int32Array;
  private readonly frameContent: Int32Array;
  /** the region the frame was taken for, or -1 */
  private readonly frameRegion: Int32Array;
  /** 1 while the frame is part of a huge block */
  private readonly hugeFrame: Uint8Array;
  /** the other pages sharing a frame: frameOwner[frame] is the first, then nextSharer */
  private nextSharers = new Int32Array(0);
  private prevSharer = new Int32Array(0);

  // per page
  /** content id: 0 the zero page, > 0 a trace token, < 0 a content no other page has */
  private contents = new Int32Array(0);
  /** region id (huge pages), -1 not looked up yet */
  private regionOf = new Int32Array(0);
  private capacity = 0;
  private nextUnique = -1;

  /** content id -> the frame holding it that pages merge into (ideal: every resident one; ksm: the stable tree), -1 */
  private table = new Int32Array(1024).fill(-1);
  private readonly unstable = new Map<number, number>();
  private scanCursor = 0;
  private ksmCountdown: number;

  // Frames by content, for merging on demand (two levels' `share` rung, shareOne()): built at
  // the first call, then kept as frames change content. Per frame: linked into its content's
  // list (a content id >= 0: one a trace token or the zero page gives, which other frames may
  // hold too); per content: the list's head and length; the contents whose list may hold two
  // frames or more, a stack checked lazily.
  private sameIndex = false;
  private sameNext = new Int32Array(0);
  private samePrev = new Int32Array(0);
  /** per frame: the content it is listed under, -1 none */
  private sameListed = new Int32Array(0);
  private sameHead = new Int32Array(0);
  private sameCount = new Int32Array(0);
  private sameQueued = new Uint8Array(0);
  private readonly sameCandidates: number[] = [];
  /** frames shareOne() freed */
  demandMerges = 0;

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

  constructor(
    private readonly pager: Pager,
    readonly config: MemoryConfig,
  ) {
    const frames = pager.config.frames;
    const maxOrder = Math.max(config.hugeOrder, Math.min(30, Math.max(0, Math.log2(2 ** 30 / pager.config.pageSize))));
    this.buddy = new BuddyAllocator(frames, maxOrder);
    // The model hands out frames anywhere in host memory (buddy blocks): its per-frame tables
    // cover them all from the start.
    this.frameOwner = new Int32Array(frames).fill(-1);
    this.refs = new Int32Array(frames);
    this.frameContent = new Int32Array(frames);
    this.frameRegion = new Int32Array(frames).fill(-1);
    this.hugeFrame = new Uint8Array(frames);
    this.hugeFrames = 2 ** config.hugeOrder;
    this.ksmCountdown = config.ksmInterval;
    this.sharing = config.dedup !== 'off';
    this.ideal = config.dedup === 'ideal';
    this.ksm = config.dedup === 'ksm';
    this.scanning = this.ksm;
  }

  /** Makes a model the engine's frame store (before any replay). */
  static attach(pager: Pager, config: MemoryConfig): MemoryModel {
    const model = new MemoryModel(pager, config);
    pager.useMemory(model);
    model.ensurePages();
    return model;
  }

  get framesInUse(): number {
    return this.buddy.inUse;
  }

  get inUse(): number {
    return this.buddy.inUse;
  }

  /** Follows the pager's page capacity (it calls this as it grows). */
  ensurePages(): void {
    const n = this.pager.pageCapacity;
    if (n <= this.capacity) return;
    this.contents = grown(this.contents, n);
    this.regionOf = grown(this.regionOf, n, -1);
    this.nextSharers = grown(this.nextSharers, n, -1);
    this.prevSharer = grown(this.prevSharer, n, -1);
    this.capacity = this.contents.length;
  }

  private vmCounters(v: number): MemoryVmCounters {
    while (this.counters.length <= v) this.counters.push(new MemoryVmCounters());
    return this.counters[v]!;
  }

  /** The page after p in its frame's sharers, -1 at the end. */
  nextSharer(p: number): number {
    return this.nextSharers[p]!;
  }

  /** page p's content id */
  contentOf(p: number): number {
    return this.contents[p]!;
  }

  /** Non-resident page p has content c (an allocation row's token, or 0: freed, a zero page again). */
  recordContent(p: number, c: number): void {
    this.contents[p] = c;
  }

  /** One access done (the KSM scanner's clock: it wakes every ksmInterval accesses). */
  tick(): void {
    if (this.ksm && --this.ksmCountdown === 0) {
      this.ksmCountdown = this.config.ksmInterval;
      this.scan();
    }
  }

  /** A write fault of page p with content `token` (0: none, a content no other page has). */
  written(p: number, token: number): void {
    if (this.sharing) this.contents[p] = token > 0 ? token : this.nextUnique--;
  }

  /** Under ideal sharing, maps faulting page p into the resident frame that holds its content; -1 when there is none. */
  sharedFrame(p: number, v: number): number {
    if (!this.ideal) return -1;
    const c = this.contents[p]!;
    if (c < 0 || c >= this.table.length) return -1;
    const g = this.table[c]!;
    if (g < 0) return -1;
    this.attach(p, g);
    this.vmCounters(v).merges++;
    return g;
  }

  map(p: number, frame: number): void {
    this.attach(p, frame);
    // Without sharing every content is 0 (a zero page) and stays so: nothing to record.
    if (!this.sharing) return;
    const c = this.contents[p]!;
    this.frameContent[frame] = c;
    if (this.sameIndex) this.relink(frame);
    if (this.ideal && c >= 0) this.setTable(c, frame);
  }

  /**
   * Resident page p of VM v gets content `token` (0: a content no other page has). A private
   * frame changes in place, and under ideal the page then merges with a frame that holds that
   * content. A shared frame is left (a COW fault): p merges with a frame holding the content,
   * or returns false, and the engine gives it a frame of its own (map).
   */
  rewrite(p: number, v: number, token: number): boolean {
    const c = token > 0 ? token : this.nextUnique--;
    const f = this.pager.frameOf[p]!;
    const old = this.contents[p]!;
    this.contents[p] = c;
    const ideal = this.ideal;
    if (this.refs[f]! > 1) {
      this.vmCounters(v).cowFaults++;
      this.detach(p, f);
      const g = ideal && c >= 0 && c < this.table.length ? this.table[c]! : -1;
      if (g < 0) return false;
      this.attach(p, g);
      this.vmCounters(v).merges++;
      this.notifyMoved(p, v, f, g);
      return true;
    }
    // A private frame changes in place; it leaves the table under its old content.
    if (old >= 0 && old < this.table.length && this.table[old] === f) this.table[old] = -1;
    this.frameContent[f] = c;
    if (this.sameIndex) this.relink(f);
    if (ideal && c >= 0) {
      const g = c < this.table.length ? this.table[c]! : -1;
      if (g >= 0 && g !== f) {
        this.moveSharer(p, v, f, g);
        this.freeFrame(f);
      } else this.setTable(c, f);
    }
    return true;
  }

  private notifyMoved(p: number, v: number, from: number, to: number): void {
    this.pager.observer?.moved?.(p, v, from, to);
  }

  /** Page p's slot in its region's huge block (backing the region first if it has no backing yet); -1 when it has none. */
  reserved(p: number, v: number): number {
    if (this.config.hugeOrder === 0) return -1;
    const region = this.regionFor(p);
    if (this.regionState[region] === NONE) this.backRegion(region, v);
    if (this.regionState[region] === HUGE) {
      const frame = this.regionBlock[region]! + (this.pager.ids.loOf[p]! & (this.hugeFrames - 1));
      if (this.refs[frame] === 0) {
        this.regionFrames[region]!++;
        return frame;
      }
      // Its slot holds the frame it shared and is leaving (a copy-on-write after another page
      // merged into it): the block is split, as Linux splits a huge page one of whose pages
      // is merged, and the copy takes a single frame.
      this.split(region);
    }
    return -1;
  }

  hasFree(): boolean {
    return this.buddy.freeFrames > 0;
  }

  take(p: number): number {
    const frame = this.buddy.take();
    const region = this.config.hugeOrder > 0 ? this.regionOf[p]! : -1;
    this.frameRegion[frame] = region;
    if (region >= 0) this.regionFrames[region]!++;
    return frame;
  }

  unmap(p: number, frame: number): void {
    this.detach(p, frame);
  }

  release(p: number, frame: number): void {
    this.detach(p, frame);
    if (this.refs[frame] === 0) this.freeFrame(frame);
  }

  /** Every sharer of evicted `frame` has left: it goes back to the allocator (or its huge block); the engine asks again. */
  reclaim(frame: number): void {
    // Unlinks the sharers (a page in no frame has no sharer links): the first has no previous
    // one, each further one loses it as the one before it lets go.
    for (let s = this.frameOwner[frame]!, next = this.nextSharers[s]!; next >= 0; s = next, next = this.nextSharers[s]!) {
      this.nextSharers[s] = -1;
      this.prevSharer[next] = -1;
    }
    this.frameOwner[frame] = -1;
    this.refs[frame] = 0;
    this.freeFrame(frame);
  }

  /** The region id of page p (its page number without the low hugeOrder bits). */
  private regionFor(p: number): number {
    let r = this.regionOf[p]!;
    if (r >= 0) return r;
    const ids = this.pager.ids;
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
    const e = this.pager;
    this.refs[to] = this.refs[from]!;
    this.frameContent[to] = this.frameContent[from]!;
    this.frameRegion[to] = this.frameRegion[from]!;
    this.frameOwner[to] = this.frameOwner[from]!;
    const c = this.frameContent[from]!;
    if (c >= 0 && c < this.table.length && this.table[c] === from) this.table[c] = to;
    this.refs[from] = 0;
    this.frameRegion[from] = -1;
    this.frameOwner[from] = -1;
    if (this.sameIndex) {
      this.unlinkSame(from);
      this.relink(to);
    }
    for (let q = this.frameOwner[to]!; q >= 0; q = this.nextSharers[q]!) {
      e.frameOf[q] = to;
      const v = e.ids.vmOf[q]!;
      this.vmCounters(v).compactionMoves++;
      this.notifyMoved(q, v, from, to);
    }
  }

  /** Puts p into frame f's sharers (after the first, so the first mapper stays the holder). */
  private attach(p: number, f: number): void {
    const e = this.pager;
    const head = this.frameOwner[f]!;
    // p is in no frame: its sharer links are -1 already (detach and reclaim leave them so).
    if (head < 0) this.frameOwner[f] = p;
    else {
      const n = this.nextSharers[head]!;
      this.nextSharers[p] = n;
      this.prevSharer[p] = head;
      if (n >= 0) this.prevSharer[n] = p;
      this.nextSharers[head] = p;
    }
    this.refs[f]!++;
    e.frameOf[p] = f;
  }

  private detach(p: number, f: number): void {
    const a = this.prevSharer[p]!;
    const b = this.nextSharers[p]!;
    if (a >= 0) this.nextSharers[a] = b;
    else this.frameOwner[f] = b;
    if (b >= 0) this.prevSharer[b] = a;
    this.prevSharer[p] = -1;
    this.nextSharers[p] = -1;
    this.refs[f]!--;
  }

  /** Frame f has no mapping left: back to the allocator (or its huge block). */
  private freeFrame(f: number): void {
    if (this.sameIndex) this.unlinkSame(f);
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

  /**
   * One wake-up of the KSM scanner: visits up to ksmPages resident pages from where it stopped.
   * A private page merges into the stable frame of its content, or with an identical private
   * page of the unstable tree (the pair's frame becomes stable); else it enters the unstable
   * tree. The unstable tree is emptied whenever the scan wraps round, as in Linux. Unlike Linux,
   * a page is not required to keep its checksum over one full scan before it may merge.
   */
  private scan(): void {
    const e = this.pager;
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
      const c = this.contents[p]!;
      if (this.refs[f]! > 1 || c < 0) continue;
      const g = c < this.table.length ? this.table[c]! : -1;
      if (g === f) continue;
      if (g >= 0) {
        this.mergeInto(p, f, g);
        continue;
      }
      const r = this.unstable.get(c);
      if (r !== undefined && r !== p && (e.state[r]! & RESIDENT) !== 0 && this.contents[r] === c) {
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

  /** Page p's only frame f joins frame g of the same content (a merge); f is freed. */
  private mergeInto(p: number, f: number, g: number): void {
    this.moveSharer(p, this.pager.ids.vmOf[p]!, f, g);
    this.freeFrame(f);
  }

  /** Page p (of VM v) leaves frame f for frame g of the same content: a merge of v's. */
  private moveSharer(p: number, v: number, f: number, g: number): void {
    this.detach(p, f);
    this.attach(p, g);
    this.vmCounters(v).merges++;
    this.notifyMoved(p, v, f, g);
  }

  /** Whether resident page p's frame backs other pages too. */
  isShared(p: number): boolean {
    return this.refs[this.pager.frameOf[p]!]! > 1;
  }

  /**
   * Merging on demand (two levels' `share` rung, SPEC 2.7 host step 4): two frames in use that
   * hold the same content become one (every page of the one joins the other, as a KSM merge;
   * the stable frame of the content, if it is one of them, is kept and the result is stable),
   * which frees a frame. Returns the VM of the freed frame's first page, -1 when no two frames
   * hold the same content. Under ideal no two do (they merge at once); under ksm the pairs the
   * scanner has not reached yet. O(1) amortised after the first call, which builds the index.
   */
  shareOne(): number {
    if (!this.ksm) return -1;
    if (!this.sameIndex) {
      this.sameIndex = true;
      const n = this.buddy.frames;
      this.sameNext = new Int32Array(n).fill(-1);
      this.samePrev = new Int32Array(n).fill(-1);
      this.sameListed = new Int32Array(n).fill(-1);
      for (let f = 0; f < n; f++) if (this.refs[f]! > 0) this.relink(f);
    }
    const candidates = this.sameCandidates;
    while (candidates.length > 0) {
      const c = candidates[candidates.length - 1]!;
      if (this.sameCount[c]! < 2) {
        candidates.pop();
        this.sameQueued[c] = 0;
        continue;
      }
      // Two frames of content c: the stable one is kept if it is one of them; else, as a scan
      // from page 0 would merge them, the one whose first page comes first.
      const head = this.sameHead[c]!;
      const second = this.sameNext[head]!;
      const stable = c < this.table.length ? this.table[c]! : -1;
      let keep: number;
      let gone: number;
      if (stable >= 0 && this.sameListed[stable] === c) {
        keep = stable;
        gone = stable === head ? second : head;
      } else if (this.frameOwner[head]! < this.frameOwner[second]!) {
        keep = head;
        gone = second;
      } else {
        keep = second;
        gone = head;
      }
      const v = this.pager.ids.vmOf[this.frameOwner[gone]!]!;
      for (let q = this.frameOwner[gone]!; q >= 0; ) {
        const next = this.nextSharers[q]!;
        this.moveSharer(q, this.pager.ids.vmOf[q]!, gone, keep);
        q = next;
      }
      this.freeFrame(gone);
      this.setTable(c, keep);
      this.demandMerges++;
      return v;
    }
    return -1;
  }

  /** Frame f (in use) goes into the list of its content, leaving the one it was in. */
  private relink(f: number): void {
    this.unlinkSame(f);
    const c = this.frameContent[f]!;
    if (c < 0) return;
    if (c >= this.sameHead.length) {
      this.sameHead = grown(this.sameHead, c + 1, -1);
      this.sameCount = grown(this.sameCount, c + 1);
      this.sameQueued = grown(this.sameQueued, c + 1);
    }
    const head = this.sameHead[c]!;
    this.sameNext[f] = head;
    this.samePrev[f] = -1;
    if (head >= 0) this.samePrev[head] = f;
    this.sameHead[c] = f;
    this.sameListed[f] = c;
    if (++this.sameCount[c]! >= 2 && this.sameQueued[c] === 0) {
      this.sameQueued[c] = 1;
      this.sameCandidates.push(c);
    }
  }

  /** Frame f leaves its content's list (it is freed, or its content changes). */
  private unlinkSame(f: number): void {
    // f is listed under the content it had when linked (frameContent may have changed since)
    const c = this.sameListed[f]!;
    if (c < 0) return;
    const a = this.samePrev[f]!;
    const b = this.sameNext[f]!;
    if (a >= 0) this.sameNext[a] = b;
    else this.sameHead[c] = b;
    if (b >= 0) this.samePrev[b] = a;
    this.sameListed[f] = -1;
    this.sameCount[c]!--;
  }

  /** Whether resident page p is mapped by a huge block of its own region (its walk is one host level shorter). */
  hugeMapped(p: number): boolean {
    const f = this.pager.frameOf[p]!;
    return f >= 0 && this.hugeFrame[f] !== 0 && this.frameRegion[f] === this.regionOf[p];
  }

  /** Checks the model's invariants (tests; not the hot path); throws on the first broken one. */
  check(): void {
    const e = this.pager;
    const fail = (what: string): never => {
      throw new Error(`memory model: ${what}`);
    };
    const holder = new Map<number, number>();
    let used = 0;
    for (let f = 0; f < this.buddy.frames; f++) {
      let n = 0;
      for (let q = this.frameOwner[f]!; q >= 0; q = this.nextSharers[q]!) {
        n++;
        if (e.frameOf[q] !== f) fail(`page ${q} is listed in frame ${f} but is in ${e.frameOf[q]}`);
        if ((e.state[q]! & RESIDENT) === 0) fail(`page ${q} is listed in frame ${f} but not resident`);
        if (this.sharing && this.contents[q] !== this.frameContent[f]) fail(`page ${q} shares frame ${f} with other content`);
      }
      if (n !== this.refs[f]) fail(`frame ${f} has ${n} sharers listed, ${this.refs[f]} counted`);
      if (n > 0 || this.hugeFrame[f] !== 0) used++;
      const c = this.frameContent[f]!;
      if (n > 0 && this.ideal && c >= 0) {
        if (holder.has(c)) fail(`content ${c} is in frames ${holder.get(c)} and ${f} under ideal dedup`);
        holder.set(c, f);
      }
    }
    if (used !== this.buddy.inUse) fail(`${used} frames in use or reserved, the allocator says ${this.buddy.inUse}`);
    if (this.sameIndex) {
      // the share rung's index: every frame in use listed under its content, and only those
      const listed = new Map<number, number>();
      for (let f = 0; f < this.buddy.frames; f++) {
        const c = this.sameListed[f]!;
        const want = this.refs[f]! > 0 && this.frameContent[f]! >= 0 ? this.frameContent[f]! : -1;
        if (c !== want) fail(`frame ${f} is listed under content ${c}, should be ${want}`);
        if (c >= 0) listed.set(c, (listed.get(c) ?? 0) + 1);
      }
      for (let c = 0; c < this.sameHead.length; c++) {
        let n = 0;
        for (let f = this.sameHead[c]!; f >= 0; f = this.sameNext[f]!) n++;
        if (n !== this.sameCount[c] || n !== (listed.get(c) ?? 0)) fail(`content ${c}: ${n} frames linked, ${this.sameCount[c]} counted, ${listed.get(c) ?? 0} listed`);
        if (n >= 2 && this.sameQueued[c] === 0) fail(`content ${c} is in ${n} frames but not a merge candidate`);
      }
    }
    let resident = 0;
    for (let p = 0; p < e.ids.count; p++) {
      if ((e.state[p]! & RESIDENT) !== 0) resident++;
      else if (this.nextSharers[p] !== -1 || this.prevSharer[p] !== -1) fail(`page ${p} is in no frame but has sharer links`);
    }
    let counted = 0;
    for (const c of e.vms) counted += c.resident;
    if (resident !== counted) fail(`${resident} pages resident, ${counted} counted`);
    const slots = e.slotsHeld();
    if (slots !== e.swapUsed) fail(`${slots} slots referenced, ${e.swapUsed} in use`);
  }

  /**
   * Sharing and huge-page figures per VM (index = VM) at this moment, by one pass over the pages
   * (resident pages only: a frame's first mapper counts it in pagesShared, every further mapper
   * in pagesSharing; the same attribution as snapshot). For the --interval series.
   */
  pageFigures(vms: number): { pagesShared: Int32Array; pagesSharing: Int32Array; hugePages: Int32Array } {
    const e = this.pager;
    const pagesShared = new Int32Array(vms);
    const pagesSharing = new Int32Array(vms);
    const hugePages = new Int32Array(vms);
    const huge = this.config.hugeOrder > 0;
    for (let p = 0; p < e.ids.count; p++) {
      if ((e.state[p]! & RESIDENT) === 0) continue;
      const v = e.ids.vmOf[p]!;
      const f = e.frameOf[p]!;
      if (this.refs[f]! > 1) {
        if (this.frameOwner[f] === p) pagesShared[v]!++;
        else pagesSharing[v]!++;
      }
      if (huge && this.hugeMapped(p)) hugePages[v]!++;
    }
    return { pagesShared, pagesSharing, hugePages };
  }

  /** The figures at the end of the run. */
  snapshot(vms: number): MemorySnapshot {
    const e = this.pager;
    const perVm = Array.from({ length: vms }, () => ({ pagesShared: 0, pagesSharing: 0, hugePages: 0 }));
    let pagesShared = 0;
    let pagesSharing = 0;
    for (let f = 0; f < this.buddy.frames; f++) {
      if (this.refs[f]! < 2) continue;
      pagesShared++;
      const head = this.frameOwner[f]!;
      perVm[e.ids.vmOf[head]!]!.pagesShared++;
      for (let q = this.nextSharers[head]!; q >= 0; q = this.nextSharers[q]!) {
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
