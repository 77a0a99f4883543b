/**
 * Miss-ratio curves in one pass: stack distances (Mattson, Gecsei, Slutz and Traiger, 1970).
 * LRU and OPT are stack algorithms: with C frames the memory holds the top C pages of one
 * stack, so an access hits at every size >= its stack distance and a histogram of distances
 * gives the faults at every size at once.
 *
 * - LRU: the distance of an access is 1 + the number of distinct pages touched since the
 *   previous access to its page: a bit per access time, set at each page's latest access, and
 *   counts of set bits per block of 16 words, per 16 blocks, and so on, count them: a mark
 *   adds one per level, a count sums the rest of the time's block at each level up to where it
 *   meets the newest time, so recent times (most accesses) are counted in a few steps. Times
 *   are renumbered when the bits fill, so memory follows the number of distinct pages, not
 *   the trace length.
 * - OPT: Mattson's priority stack update with priority = sooner next use (Belady's MIN). On an
 *   access at depth d the top goes down and, level by level, the lower-priority page of
 *   (carried, resident) is carried on; only the running minima ("records") move, and a
 *   segment tree of priorities finds each next record in O(log n). The number of records per
 *   access depends on the trace (from a few to thousands), so the caller gives it a budget
 *   and replays OPT per size when that runs out (curves.ts).
 * - F and RESET leave a hole (a free frame) where the page was: the lowest priority of all,
 *   taken by the next miss at every size whose memory holds it, exactly as the engine takes a
 *   free frame before evicting. So the curves equal `simulate` with unlimited swap.
 * - Write-back counters (Thompson and Smith, TOCS 1989), see WriteBackCounts: with the
 *   depth of each page when it is accessed, freed, or at the end, one pass also gives the
 *   major faults, swap-ins, swap-outs and evictions at every size.
 * - SHARDS (Waldspurger, Park, Garthwaite and Ahmad, FAST'15): only pages whose address hash
 *   falls below rate * 2^24 are tracked; a sampled distance d stands for d / rate and the
 *   estimated faults are the sampled faults / rate (SHARDS_adj's correction).
 */
import { pageHash, SAMPLE_MODULUS } from './sampling.js';
import { grown } from '../policies/policy.js';
import { OP_FREE, OP_RESET, OP_WRITE } from '../trace/rows.js';

/**
 * Counts per distance of up to `stride` histograms that grow at the same distances (an
 * access's distance counts in three), side by side so that one access touches one cache line:
 * entry d * stride + lane. Uint32 halves the memory of doubles (a histogram over 10^6
 * distances is random access: its size decides the cache misses, about half of mrc's time);
 * a count that passes 2^32 carries into `carried`.
 */
export class DistanceLanes {
  data: Uint32Array;
  /** distances held */
  size = 256;
  /** entry -> multiples of 2^32 carried out of it */
  private carried: Map<number, number> | null = null;

  constructor(readonly stride: number) {
    this.data = new Uint32Array(this.size * stride);
  }

  /** one more at entry i = d * stride + lane, d < size (see hold) */
  inc(i: number): void {
    const v = this.data[i]! + 1;
    if (v === 4294967296) {
      this.data[i] = 0;
      this.carried ??= new Map();
      this.carried.set(i, (this.carried.get(i) ?? 0) + 1);
    } else this.data[i] = v;
  }

  /** room for distance d */
  hold(d: number): void {
    if (d < this.size) return;
    let size = this.size;
    while (size <= d) size *= 2;
    const data = new Uint32Array(size * this.stride);
    data.set(this.data);
    this.data = data;
    this.size = size;
  }

  get(i: number): number {
    const c = this.carried?.get(i);
    return this.data[i]! + (c === undefined ? 0 : c * 4294967296);
  }
}

/** Lanes of a StackHistogram's DistanceLanes: its own, and three of its write-back counters. */
const LANE_HITS = 0;
const LANE_MAJOR = 1;
const LANE_SWAP_TO = 2;
const LANE_RELEASED = 3;

/** Stack distances of a run: accesses at each distance d (1-based), cold = infinite ones. */
export class StackHistogram {
  /** shared with the write-back counters' histograms at the same distances */
  readonly lanes = new DistanceLanes(4);
  /** accesses at infinite distance: first touches, and first touches after F/RESET */
  cold = 0;
  /** accesses seen (sampled ones under SHARDS) */
  accesses = 0;
  /** largest distance seen */
  maxDistance = 0;

  add(d: number): void {
    const lanes = this.lanes;
    lanes.hold(d);
    lanes.inc(d * 4 + LANE_HITS);
    if (d > this.maxDistance) this.maxDistance = d;
  }

  /** accesses at distance d */
  at(d: number): number {
    return d < this.lanes.size ? this.lanes.get(d * 4 + LANE_HITS) : 0;
  }

  /** cumulative[c] = accesses at distance <= c, for c = 0..maxDistance */
  cumulative(): Float64Array {
    const cum = new Float64Array(this.maxDistance + 1);
    let sum = 0;
    for (let d = 1; d <= this.maxDistance; d++) {
      sum += this.at(d);
      cum[d] = sum;
    }
    return cum;
  }
}

const NO_TIME = -1;
const HOLE = -2;

/** words of bits per block, and blocks per block one level up (a power of two) */
const FAN_BITS = 4;
const FAN = 1 << FAN_BITS;

/** LRU stack distances, streaming. */
export class LruStackDistances {
  readonly result = new StackHistogram();
  /**
   * per page p: at 2p the time of its latest access, or NO_TIME; at 2p + 1 its write-back state
   * (WriteBackCounts.step), side by side so that an access reads one cache line
   */
  private state = new Int32Array(0);
  /** a bit per time: set where a page's latest access or a hole is */
  private bits = new Int32Array(0);
  /**
   * Counts of set bits per block: levels[0][i] over words FAN*i.., levels[1][i] over FAN
   * blocks of level 0, and so on up to a level of at most FAN blocks. A mark or unmark adds one
   * at each level (O(log n / log FAN)); counting the marks after a time sums the rest of its
   * block at each level, up to the level where it shares a block with the newest time (recent
   * times, the common case, stop low).
   */
  private levels: Int32Array[] = [];
  /** words of bits (capacity / 32) */
  private words = 0;
  /** per time: the page whose latest access it is, or HOLE (valid where its bit is set) */
  private owner = new Int32Array(0);
  private capacity = 0;
  private now = 0;
  /** markers in the stack (pages in the stack + holes) */
  private live = 0;
  /** holes as a max-heap of times: the largest time is the hole nearest the top */
  private holes = new Int32Array(16);
  private holeCount = 0;

  /** the write-back counters, when kept */
  readonly writeBack: WriteBackCounts | null;

  /** `initialTimes`: room for that many access times before the first renumbering (small for many small stacks) */
  constructor(writeBack = false, private readonly initialTimes = 1 << 16) {
    this.writeBack = writeBack ? new WriteBackCounts(this.result.lanes) : null;
    this.rebuild(initialTimes);
  }

  resize(pages: number): void {
    // NO_TIME and CLEAN are both -1
    if (2 * pages > this.state.length) this.state = grown(this.state, 2 * pages, NO_TIME);
  }

  /**
   * Reads what access() will read first for pages page[from..to-1] (the page's state, then the
   * word and the block count of its latest time), before any of them is accessed: the reads do
   * not depend on one another, so their cache misses overlap, where access() after access()
   * waits for each in turn. Returns a number of no meaning (keep it: the reads stay).
   */
  touch(page: Int32Array, from: number, to: number): number {
    const state = this.state;
    const bits = this.bits;
    const block = this.levels.length > 0 ? this.levels[0]! : null;
    let sum = 0;
    for (let i = from; i < to; i++) {
      const s = state[2 * page[i]!]!;
      if (s >= 0) sum += bits[s >>> 5]! + (block === null ? 0 : block[s >>> (5 + FAN_BITS)]!);
    }
    return sum;
  }

  /** R or W of page p (resize() first): its stack distance, 0 for a first touch. */
  access(p: number, write: boolean): number {
    const r = this.result;
    r.accesses++;
    if (this.now === this.capacity) this.compact();
    const state = this.state;
    const s = state[2 * p]!;
    const t = this.now++;
    let d = 0;
    const wb = this.writeBack;
    if (s === NO_TIME) {
      r.cold++;
      if (wb !== null) state[2 * p + 1] = wb.step(state[2 * p + 1]!, 0, write);
      // The hole nearest the top is carried to the bottom: the stack keeps its depth.
      if (this.holeCount > 0) this.unmark(this.popHole());
    } else {
      d = 1 + this.after(s, t - 1);
      r.add(d);
      if (wb !== null) state[2 * p + 1] = wb.step(state[2 * p + 1]!, d, write);
      if (this.holeCount > 0 && this.holes[0]! > s) {
        // A hole above p: it takes p's place (the pages between keep theirs).
        this.unmark(this.popHole());
        this.owner[s] = HOLE;
        this.pushHole(s);
      } else this.unmark(s);
    }
    this.mark(t);
    this.owner[t] = p;
    state[2 * p] = t;
    return d;
  }

  /**
   * Page p leaves the stack without a trace, as if it had never been accessed (it left a
   * fixed-size SHARDS sample): the pages below it move up one place. Unlike free(), no hole.
   */
  forget(p: number): void {
    if (2 * p >= this.state.length) return;
    const s = this.state[2 * p]!;
    if (s === NO_TIME) return;
    this.unmark(s);
    this.state[2 * p] = NO_TIME;
  }

  /** F of page p: its place becomes a hole. */
  free(p: number): void {
    const state = this.state;
    if (2 * p >= state.length) return;
    const s = state[2 * p]!;
    if (s === NO_TIME) return;
    if (this.writeBack !== null) {
      this.writeBack.end(state[2 * p + 1]!, 1 + this.after(s, this.now - 1));
      state[2 * p + 1] = CLEAN;
    }
    this.owner[s] = HOLE;
    this.pushHole(s);
    state[2 * p] = NO_TIME;
  }

  /** RESET of VM v: every page of v in the stack becomes a hole. */
  reset(v: number, vmOf: Uint16Array, pageCount: number): void {
    const n = Math.min(pageCount, this.state.length / 2);
    for (let p = 0; p < n; p++) if (vmOf[p] === v && this.state[2 * p] !== NO_TIME) this.free(p);
  }

  /** The end of the trace: every page still in the stack ends its last gap at its depth. */
  finish(): void {
    const wb = this.writeBack;
    if (wb === null || wb.finished) return;
    const state = this.state;
    for (let p = 0; 2 * p < state.length; p++) {
      const s = state[2 * p]!;
      if (s !== NO_TIME) wb.end(state[2 * p + 1]!, 1 + this.after(s, this.now - 1));
    }
    wb.finished = true;
  }

  /** marks at times s+1..last (none is set after last) */
  private after(s: number, last: number): number {
    if (s >= last) return 0;
    const bits = this.bits;
    let i = s >>> 5;
    let hi = last >>> 5;
    const b = s & 31;
    // the word's bits above s's
    let sum = b === 31 ? 0 : popcount(bits[i]! & (-1 << (b + 1)));
    if (i === hi) return sum;
    let end = i | (FAN - 1);
    if (end > hi) end = hi;
    for (let j = i + 1; j <= end; j++) sum += popcount(bits[j]!);
    const levels = this.levels;
    for (let l = 0; hi > end; l++) {
      i >>>= FAN_BITS;
      hi >>>= FAN_BITS;
      end = i | (FAN - 1);
      if (end > hi) end = hi;
      const level = levels[l]!;
      for (let j = i + 1; j <= end; j++) sum += level[j]!;
    }
    return sum;
  }

  private mark(time: number): void {
    let w = time >>> 5;
    this.bits[w]! |= 1 << (time & 31);
    const levels = this.levels;
    for (let l = 0; l < levels.length; l++) {
      w >>>= FAN_BITS;
      levels[l]![w]!++;
    }
    this.live++;
  }

  private unmark(time: number): void {
    let w = time >>> 5;
    this.bits[w]! &= ~(1 << (time & 31));
    const levels = this.levels;
    for (let l = 0; l < levels.length; l++) {
      w >>>= FAN_BITS;
      levels[l]![w]!--;
    }
    this.live--;
  }

  private pushHole(time: number): void {
    if (this.holeCount === this.holes.length) this.holes = grown(this.holes, this.holeCount + 1);
    const h = this.holes;
    let i = this.holeCount++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]! >= time) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = time;
  }

  private popHole(): number {
    const h = this.holes;
    const top = h[0]!;
    const last = h[--this.holeCount]!;
    const n = this.holeCount;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && h[c + 1]! > h[c]!) c++;
      if (h[c]! <= last) break;
      h[i] = h[c]!;
      i = c;
    }
    if (n > 0) h[i] = last;
    return top;
  }

  /** Renumbers the marked times 0..live-1 (order kept) and makes room for as many new ones. */
  private compact(): void {
    const owner = this.owner;
    const bits = this.bits;
    const holeTimes: number[] = [];
    const pages = new Int32Array(this.live);
    let k = 0;
    for (let t = 0; t < this.now; t++) {
      if ((bits[t >>> 5]! & (1 << (t & 31))) === 0) continue;
      const o = owner[t]!;
      if (o === HOLE) holeTimes.push(k);
      else this.state[2 * o] = k;
      pages[k++] = o;
    }
    this.rebuild(Math.max(this.initialTimes, 2 * k + 1024));
    this.owner.set(pages);
    // Ones at times 0..k-1: whole words, then the rest of the last one.
    const fresh = this.bits;
    fresh.fill(-1, 0, k >>> 5);
    if ((k & 31) !== 0) fresh[k >>> 5] = (1 << (k & 31)) - 1;
    // Each block counts the ones among its times.
    let span = 32;
    for (const level of this.levels) {
      span *= FAN;
      for (let i = 0; i < level.length; i++) level[i] = Math.max(0, Math.min(span, k - i * span));
    }
    this.now = k;
    this.live = k;
    // Times in decreasing order form a max-heap.
    this.holeCount = 0;
    for (let i = holeTimes.length - 1; i >= 0; i--) {
      if (this.holeCount === this.holes.length) this.holes = grown(this.holes, this.holeCount + 1);
      this.holes[this.holeCount++] = holeTimes[i]!;
    }
  }

  private rebuild(capacity: number): void {
    capacity = Math.ceil(capacity / 32) * 32;
    this.capacity = capacity;
    this.words = capacity / 32;
    this.bits = new Int32Array(this.words);
    this.levels = [];
    for (let n = this.words; n > FAN; ) {
      n = Math.ceil(n / FAN);
      this.levels.push(new Int32Array(n));
    }
    this.owner = new Int32Array(capacity);
  }
}

/** set bits of a 32-bit word */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Thrown by OptStackDistances when its work budget runs out. */
export class StackBudgetExceeded extends Error {}

/** Priority keys of the OPT stack: smaller = kept longer. */
const KEY_NEVER = 2 ** 52;
const KEY_HOLE = Infinity;

/**
 * OPT stack distances over a whole trace in memory (`nextUse` from its look-ahead, indexed by
 * R/W position). Belady's MIN keeps the page used soonest; pages never used again go first
 * (ties: least recently used when `orderDead`, as the engine does; with no F/RESET in the
 * trace any order among them gives the same faults, and equal keys keep the update short).
 */
export class OptStackDistances {
  readonly result = new StackHistogram();
  private posOf = new Int32Array(0);
  /** page at each stack position (0 = top), or HOLE */
  private stackAt = new Int32Array(0);
  /** max segment tree over the keys of positions; leaves at size.. */
  private tree = new Float64Array(2).fill(-Infinity);
  private size = 1;
  /** stack positions in use */
  private depth = 0;
  private position = 0;
  /** record moves so far: the work of the update beyond O(log n) per access */
  moves = 0;
  /** the write-back counters, when kept */
  readonly writeBack: WriteBackCounts | null;

  constructor(
    private readonly nextUse: Int32Array,
    /** order the pages never used again as the engine does (needed with F/RESET, and for the write-back counters) */
    private readonly orderDead: boolean,
    /** most record moves allowed before giving up (StackBudgetExceeded) */
    private readonly budget = Infinity,
    writeBack = false,
  ) {
    this.writeBack = writeBack ? new WriteBackCounts(this.result.lanes) : null;
  }

  /** Gives up early when the moves so far, extrapolated to the whole trace, exceed the budget. */
  private checkBudget(position: number): void {
    const total = this.nextUse.length;
    if (this.moves > this.budget || (this.moves / (position + 1)) * total > this.budget) throw new StackBudgetExceeded();
  }

  resize(pages: number): void {
    if (pages > this.posOf.length) this.posOf = grown(this.posOf, pages, -1);
    this.writeBack?.resize(pages);
  }

  /** Room for n stack positions. */
  private grow(n: number): void {
    if (n > this.stackAt.length) this.stackAt = grown(this.stackAt, n);
    let size = this.size;
    while (size < n) size *= 2;
    if (size === this.size) return;
    const tree = new Float64Array(2 * size).fill(-Infinity);
    tree.set(this.tree.subarray(this.size, this.size + this.depth), size);
    for (let i = size - 1; i >= 1; i--) tree[i] = Math.max(tree[2 * i]!, tree[2 * i + 1]!);
    this.tree = tree;
    this.size = size;
  }

  private set(at: number, key: number): void {
    const tree = this.tree;
    let i = at + this.size;
    tree[i] = key;
    for (i >>= 1; i >= 1; i >>= 1) {
      const m = tree[2 * i]! > tree[2 * i + 1]! ? tree[2 * i]! : tree[2 * i + 1]!;
      if (tree[i] === m) break;
      tree[i] = m;
    }
  }

  /** First position >= from whose key is above `key`, or -1. */
  private firstAbove(from: number, key: number): number {
    const tree = this.tree;
    const size = this.size;
    if (from >= size || !(tree[1]! > key)) return -1;
    let i = from + size;
    for (;;) {
      if (tree[i]! > key) {
        while (i < size) {
          i *= 2;
          if (!(tree[i]! > key)) i++;
        }
        return i - size;
      }
      while ((i & 1) === 1) i >>= 1;
      if (i === 0) return -1;
      i++;
    }
  }

  /** R or W of page p (resize() first). */
  access(p: number, write: boolean): void {
    const position = this.position++;
    const r = this.result;
    r.accesses++;
    const n = this.nextUse[position]!;
    const key = n >= 0 ? n : this.orderDead ? KEY_NEVER - position : KEY_NEVER;
    const d = this.posOf[p]!;
    this.writeBack?.access(p, d + 1, write);
    if (d === 0) {
      r.add(1);
      this.set(0, key);
      return;
    }
    if (this.depth === 0) {
      r.cold++;
      this.grow(1);
      this.stackAt[0] = p;
      this.posOf[p] = 0;
      this.set(0, key);
      this.depth = 1;
      return;
    }
    const limit = d >= 0 ? d : this.depth;
    const leaves = this.size;
    let carryPage = this.stackAt[0]!;
    let carryKey = this.tree[leaves]!;
    this.stackAt[0] = p;
    this.posOf[p] = 0;
    this.set(0, key);
    // Mattson's update: each record (a page of lower priority than all above it) moves down
    // to the next record's place; the last one takes p's old place.
    let i = 0;
    for (;;) {
      const j = this.firstAbove(i + 1, carryKey);
      if (j < 0 || j >= limit) break;
      const page = this.stackAt[j]!;
      const k = this.tree[leaves + j]!;
      this.stackAt[j] = carryPage;
      if (carryPage >= 0) this.posOf[carryPage] = j;
      this.set(j, carryKey);
      carryPage = page;
      carryKey = k;
      i = j;
      this.moves++;
    }
    if ((position & 4095) === 4095 && this.budget !== Infinity) this.checkBudget(position);
    if (d >= 0) {
      r.add(d + 1);
      this.stackAt[d] = carryPage;
      if (carryPage >= 0) this.posOf[carryPage] = d;
      this.set(d, carryKey);
    } else {
      r.cold++;
      // A carried hole falls off the bottom; a page lands below the stack.
      if (carryPage >= 0) {
        this.grow(this.depth + 1);
        this.stackAt[this.depth] = carryPage;
        this.posOf[carryPage] = this.depth;
        this.set(this.depth, carryKey);
        this.depth++;
      }
    }
  }

  free(p: number): void {
    if (p >= this.posOf.length) return;
    const d = this.posOf[p]!;
    if (d < 0) return;
    this.writeBack?.release(p, d + 1);
    this.stackAt[d] = HOLE;
    this.posOf[p] = -1;
    this.set(d, KEY_HOLE);
  }

  reset(v: number, vmOf: Uint16Array, pageCount: number): void {
    const n = Math.min(pageCount, this.posOf.length);
    for (let p = 0; p < n; p++) if (vmOf[p] === v && this.posOf[p]! >= 0) this.free(p);
  }

  /** The end of the trace: every page still in the stack ends its last gap at its depth. */
  finish(): void {
    const wb = this.writeBack;
    if (wb === null || wb.finished) return;
    for (let p = 0; p < this.posOf.length; p++) if (this.posOf[p]! >= 0) wb.end(wb.stateOf(p), this.posOf[p]! + 1);
    wb.finished = true;
  }
}

/** Anything that takes a stream of page operations. */
export interface StackDistances {
  readonly result: StackHistogram;
  readonly writeBack: WriteBackCounts | null;
  resize(pages: number): void;
  access(p: number, write: boolean): void;
  /** optional: reads ahead what access() of these pages will read (see LruStackDistances.touch) */
  touch?(page: Int32Array, from: number, to: number): number;
  free(p: number): void;
  reset(v: number, vmOf: Uint16Array, pageCount: number): void;
  /** after the last operation: closes the write-back counters' last gaps */
  finish(): void;
}

/** A histogram over 0.. that grows as it is filled: one lane of a DistanceLanes. */
class Counts {
  total = 0;
  max = 0;

  constructor(
    private readonly lanes = new DistanceLanes(1),
    private readonly lane = 0,
  ) {}

  add(d: number): void {
    const lanes = this.lanes;
    lanes.hold(d);
    lanes.inc(d * lanes.stride + this.lane);
    this.total++;
    if (d > this.max) this.max = d;
  }

  /** atMost[c] = entries <= c, c = 0..max */
  cumulative(): Float64Array {
    const cum = new Float64Array(this.max + 1);
    const lanes = this.lanes;
    let sum = 0;
    for (let d = 0; d <= this.max; d++) {
      sum += lanes.get(d * lanes.stride + this.lane);
      cum[d] = sum;
    }
    return cum;
  }
}

/** entries of `c` at most `limit`, from its cumulative() */
function atMost(cum: Float64Array, limit: number): number {
  return limit < 0 ? 0 : cum[Math.min(limit, cum.length - 1)]!;
}

/** not written since the page's last F or RESET (or never) */
const CLEAN = -1;
/** a distance beyond any size: a first touch */
const FAR = 0x7fffffff;

/**
 * Major faults, swap-outs and evictions at every size of a stack algorithm (LRU, OPT), after
 * Thompson and Smith's write-back stacks (TOCS 1989). With C frames the memory holds the top C
 * places of the stack, and a page only ever sinks between two of its own accesses, so with
 * its depth D at the end of such a gap (its next access's distance, or its depth when it is
 * freed or the trace ends):
 * - it was evicted in the gap at every size C < D: once (it is not reloaded before its
 *   access). Evictions at C = faults at C that are not first touches + gaps ended by F, RESET
 *   or the end of the trace at a depth > C.
 * - its next fault is major at every size where it faults when it was written since its last F
 *   or RESET (unlimited swap: a written page that left memory was written to swap, and a copy
 *   read back keeps its slot until written again). Swap-ins are the major faults.
 * - the eviction was a swap-out when the page was dirty: written, and not loaded since, at
 *   that size. With M the largest distance of its accesses after its latest write, it stayed
 *   resident since the write exactly at the sizes C >= M, so the gap has a swap-out at the
 *   sizes M <= C < D (none when D <= M). Every such range is counted by its two ends.
 */
export class WriteBackCounts {
  /** per page: CLEAN, or the largest distance of its accesses since its latest write (0: none yet) */
  private since = new Int32Array(0);
  /** distances of the accesses to written pages (FAR: a first touch, never the case after F) */
  readonly major: Counts;
  /** depths at which gaps ended by F, RESET or the end of the trace ended */
  readonly released: Counts;
  /** swap-out ranges [from, to): their starts and their ends (to = FAR not stored: counted in openEnded) */
  readonly swapFrom = new Counts();
  readonly swapTo: Counts;
  majorFar = 0;
  finished = false;

  /** `lanes`: the stack histogram's, whose distances these counts share (one cache line) */
  constructor(lanes: DistanceLanes) {
    this.major = new Counts(lanes, LANE_MAJOR);
    this.swapTo = new Counts(lanes, LANE_SWAP_TO);
    this.released = new Counts(lanes, LANE_RELEASED);
  }

  resize(pages: number): void {
    if (pages > this.since.length) this.since = grown(this.since, pages, CLEAN);
  }

  /** page p's state, when this keeps the states (access(), release()) */
  stateOf(p: number): number {
    return this.since[p]!;
  }

  /** An access to page p at stack distance d (0: a first touch). */
  access(p: number, d: number, write: boolean): void {
    this.since[p] = this.step(this.since[p]!, d, write);
  }

  /**
   * An access at stack distance d (0: a first touch) to a page in state m (CLEAN, or the
   * largest distance since its latest write): counts it and returns the page's new state.
   * (A caller may keep the states itself, as LruStackDistances does beside its times.)
   */
  step(m: number, d: number, write: boolean): number {
    const far = d <= 0 ? FAR : d;
    if (m !== CLEAN) {
      if (far === FAR) this.majorFar++;
      else this.major.add(d);
      this.gap(m, far);
    }
    return write ? 0 : m === CLEAN ? CLEAN : Math.max(m, far);
  }

  /** Page p freed (F, RESET) at depth d. */
  release(p: number, d: number): void {
    this.end(this.since[p]!, d);
    this.since[p] = CLEAN;
  }

  /** A page in state m ends its last gap at depth d (freed, or the end of the trace). */
  end(m: number, d: number): void {
    this.released.add(d);
    if (m !== CLEAN) this.gap(m, d);
  }

  private gap(m: number, d: number): void {
    if (d <= m) return;
    this.swapFrom.add(m);
    if (d !== FAR) this.swapTo.add(d);
  }
}

/** The size-dependent counters of one size. */
export interface SizeCounters {
  faults: number;
  majorFaults: number;
  swapIns: number;
  swapOuts: number;
  evictions: number;
}

/** Spatial sampling: the same page is always in or always out. */
export class ShardsFilter {
  readonly threshold: number;
  /** per page: 0 not yet decided, 1 sampled, 2 not */
  private decided = new Uint8Array(0);

  constructor(
    readonly rate: number,
    /** sampleSalt(--seed) */
    readonly salt = 0,
  ) {
    this.threshold = Math.round(rate * SAMPLE_MODULUS);
  }

  sampled(p: number, vmOf: Uint16Array, hiOf: Uint32Array, loOf: Uint32Array): boolean {
    if (p >= this.decided.length) this.decided = grown(this.decided, p + 1);
    let s = this.decided[p]!;
    if (s === 0) {
      s = (pageHash(vmOf[p]!, hiOf[p]!, loOf[p]!, this.salt) & (SAMPLE_MODULUS - 1)) < this.threshold ? 1 : 2;
      this.decided[p] = s;
    }
    return s === 1;
  }
}

/** Operations whose pages a stack reads ahead of together (StackDistances.touch). */
const TOUCH = 256;
/** what touch() returns, kept so that its reads stay */
let touched = 0;

/**
 * Feeds a batch of page operations (op, dense page id; RESET carries the VM) to a stack,
 * keeping only the pages `filter` samples.
 */
export function feed(
  stack: StackDistances,
  op: Uint8Array,
  page: Int32Array,
  length: number,
  ids: { count: number; vmOf: Uint16Array; hiOf: Uint32Array; loOf: Uint32Array },
  filter: ShardsFilter | null,
): void {
  stack.resize(ids.count);
  const touch = filter === null && stack.touch !== undefined;
  for (let i = 0; i < length; i++) {
    if (touch && (i & (TOUCH - 1)) === 0) touched = (touched + stack.touch!(page, i, Math.min(length, i + TOUCH))) | 0;
    const o = op[i]!;
    const p = page[i]!;
    if (o === OP_RESET) {
      stack.reset(p, ids.vmOf, ids.count);
      continue;
    }
    if (filter !== null && !filter.sampled(p, ids.vmOf, ids.hiOf, ids.loOf)) continue;
    if (o <= OP_WRITE) stack.access(p, o === OP_WRITE);
    else if (o === OP_FREE) stack.free(p);
  }
}

/**
 * Faults at each size in `frames` from a histogram: exact (sample null), or a SHARDS sample at
 * rate R, where a sampled distance d stands for d / R and the faults are the sampled ones / R.
 */
export function faultsAt(h: StackHistogram, frames: readonly number[], sample: number | null, totalAccesses: number): number[] {
  const cum = h.cumulative();
  const rate = sample ?? 1;
  return frames.map((c) => {
    // A hit at C frames when d / rate <= C; the epsilon keeps 0.29 * 100 from flooring to 28.
    const limit = Math.min(h.maxDistance, Math.floor(c * rate + 1e-9));
    const hits = limit >= 1 ? cum[limit]! : 0;
    const misses = h.accesses - hits;
    return sample === null ? misses : Math.min(totalAccesses, Math.round(misses / rate));
  });
}

/**
 * Every size-dependent counter at each size in `frames` (faultsAt's faults, and the write-back
 * counters of WriteBackCounts, which must be finished). Under SHARDS each count is the sampled
 * count at the scaled size / rate, as the faults are.
 */
export function countersAt(h: StackHistogram, wb: WriteBackCounts, frames: readonly number[], sample: number | null, totalAccesses: number): SizeCounters[] {
  if (!wb.finished) throw new Error('write-back counters read before the pass finished');
  const faults = faultsAt(h, frames, sample, totalAccesses);
  const cum = h.cumulative();
  const major = wb.major.cumulative();
  const released = wb.released.cumulative();
  const from = wb.swapFrom.cumulative();
  const to = wb.swapTo.cumulative();
  const rate = sample ?? 1;
  const scale = (n: number): number => (sample === null ? n : Math.round(n / rate));
  return frames.map((c, i) => {
    const limit = Math.floor(c * rate + 1e-9);
    const hits = limit >= 1 ? cum[Math.min(h.maxDistance, limit)]! : 0;
    const misses = h.accesses - hits;
    const majorFaults = wb.majorFar + wb.major.total - atMost(major, limit);
    const evictions = misses - h.cold + wb.released.total - atMost(released, limit);
    const swapOuts = atMost(from, limit) - atMost(to, limit);
    const m = scale(majorFaults);
    return { faults: faults[i]!, majorFaults: m, swapIns: m, swapOuts: scale(swapOuts), evictions: scale(evictions) };
  });
}
