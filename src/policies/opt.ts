import { grown, type Accept, type PolicyContext, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

/** Keys of pages never used again: above any position, larger for the less recently used. */
const NEVER = 2 ** 52;

/**
 * OPT, Belady's MIN: evict the page whose next access is furthest in the future (never =
 * infinitely far; among those, the least recently used). Needs the trace's future: the engine
 * passes nextUse[position] from a look-ahead pass. Two exact forms with the same victims (keys
 * are unique: a position is the next use of one page at most): OptBits for the one instance of a
 * run, OptHeap where there is an instance per VM (PolicyContext.perGroup), whose memory must
 * follow its own pages.
 */

/**
 * An indexed binary max-heap keyed by next use: O(log n) per hit, 12 bytes per page.
 */
class OptHeap implements ReplacementPolicy {
  private heap = new Int32Array(16);
  private heapIndex = new Int32Array(0);
  private key = new Float64Array(0);
  size = 0;

  constructor(private readonly nextUse: Int32Array) {}

  resize(pages: number): void {
    this.heapIndex = grown(this.heapIndex, pages);
    this.key = grown(this.key, pages);
  }

  private keyAt(position: number): number {
    const n = this.nextUse[position]!;
    return n >= 0 ? n : NEVER - position;
  }

  private up(i: number): void {
    const heap = this.heap;
    const key = this.key;
    const p = heap[i]!;
    const k = key[p]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const q = heap[parent]!;
      if (key[q]! >= k) break;
      heap[i] = q;
      this.heapIndex[q] = i;
      i = parent;
    }
    heap[i] = p;
    this.heapIndex[p] = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const key = this.key;
    const n = this.size;
    const p = heap[i]!;
    const k = key[p]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && key[heap[c + 1]!]! > key[heap[c]!]!) c++;
      const q = heap[c]!;
      if (key[q]! <= k) break;
      heap[i] = q;
      this.heapIndex[q] = i;
      i = c;
    }
    heap[i] = p;
    this.heapIndex[p] = i;
  }

  insert(page: number, position: number): void {
    this.key[page] = this.keyAt(position);
    if (this.size >= this.heap.length) this.heap = grown(this.heap, this.size + 1);
    this.heap[this.size] = page;
    this.heapIndex[page] = this.size;
    this.size++;
    this.up(this.size - 1);
  }

  hit(page: number, position: number): void {
    const old = this.key[page]!;
    const k = this.keyAt(position);
    this.key[page] = k;
    const i = this.heapIndex[page]!;
    if (k > old) this.up(i);
    else this.down(i);
  }

  remove(page: number): void {
    const i = this.heapIndex[page]!;
    const lastIndex = --this.size;
    if (i === lastIndex) return;
    const moved = this.heap[lastIndex]!;
    this.heap[i] = moved;
    this.heapIndex[moved] = i;
    this.up(i);
    this.down(this.heapIndex[moved]!);
  }

  victim(accept: Accept): number {
    if (this.size === 0) return -1;
    if (accept === null) return this.heap[0]!;
    // Rare (swap full): the furthest next use among the acceptable pages.
    let best = -1;
    let bestKey = -Infinity;
    for (let i = 0; i < this.size; i++) {
      const p = this.heap[i]!;
      if (this.key[p]! > bestKey && accept(p)) {
        best = p;
        bestKey = this.key[p]!;
      }
    }
    return best;
  }
}

const BITS = 5;

/**
 * OPT over the trace's positions: a resident page's next use is a set bit at that position, in
 * a bitmap with a summary bitmap above it (bit j of level k + 1 set when word j of level k is
 * not zero), so the furthest next use is a walk down from the top word (5 levels for 10^7
 * positions), and a hit clears one bit and sets another, touching a higher level only when a
 * word empties or fills. Pages never used again wait in a queue in the order of their last
 * access (their keys, NEVER - position, fall in that order), ahead of every page in the bitmap.
 * An OptHeap does the same with ~17 dependent random reads per hit at 10^5 frames; this one
 * costs 4 bytes per trace position (which page holds each set bit) beside the look-ahead's own 4.
 */
class OptBits implements ReplacementPolicy {
  /** level 0: a bit per position; each level above: a bit per word of the one below */
  private readonly levels: Uint32Array[] = [];
  /** the page whose next use is the position (valid where its bit is set) */
  private readonly pageAt: Int32Array;
  /** per page: its key (its next use, or NEVER - its last access) while resident */
  private key = new Float64Array(0);
  /** pages never used again: (page, last access) pairs, oldest first; stale once the page's key differs */
  private never = new Float64Array(32);
  private neverHead = 0;
  private neverTail = 0;
  size = 0;

  constructor(private readonly nextUse: Int32Array) {
    let bits = Math.max(1, nextUse.length);
    for (;;) {
      const words = Math.ceil(bits / 32);
      this.levels.push(new Uint32Array(words));
      if (words === 1) break;
      bits = words;
    }
    this.pageAt = new Int32Array(nextUse.length);
  }

  resize(pages: number): void {
    this.key = grown(this.key, pages);
  }

  private mark(q: number): void {
    const levels = this.levels;
    for (let k = 0; k < levels.length; k++) {
      const words = levels[k]!;
      const w = q >>> BITS;
      const was = words[w]!;
      words[w] = was | (1 << (q & 31));
      if (was !== 0) return;
      q = w;
    }
  }

  private unmark(q: number): void {
    const levels = this.levels;
    for (let k = 0; k < levels.length; k++) {
      const words = levels[k]!;
      const w = q >>> BITS;
      const now = words[w]! & ~(1 << (q & 31));
      words[w] = now;
      if (now !== 0) return;
      q = w;
    }
  }

  /** The largest set position at or below q (level 0), -1 when none. */
  private lastAtOrBelow(q: number): number {
    const levels = this.levels;
    let k = 0;
    let i = q;
    for (;;) {
      const w = i >>> BITS;
      const bits = levels[k]![w]! & (0xffffffff >>> (31 - (i & 31)));
      if (bits !== 0) {
        i = (w << BITS) | (31 - Math.clz32(bits));
        break;
      }
      if (w === 0 || k === levels.length - 1) return -1;
      // nothing at or below i in its word: words 0..w-1 of this level, one level up
      i = w - 1;
      k++;
    }
    for (; k > 0; k--) i = (i << BITS) | (31 - Math.clz32(levels[k - 1]![i]!));
    return i;
  }

  private place(page: number, position: number): void {
    const q = this.nextUse[position]!;
    if (q >= 0) {
      this.key[page] = q;
      this.pageAt[q] = page;
      this.mark(q);
      return;
    }
    this.key[page] = NEVER - position;
    if (this.neverTail + 2 > this.never.length) {
      // compact what is still queued before growing
      const live = this.never.subarray(this.neverHead, this.neverTail);
      const next = live.length + 2 > this.never.length / 2 ? new Float64Array(this.never.length * 2) : this.never;
      next.set(live);
      this.never = next;
      this.neverTail -= this.neverHead;
      this.neverHead = 0;
    }
    this.never[this.neverTail++] = page;
    this.never[this.neverTail++] = position;
  }

  private unplace(page: number): void {
    const k = this.key[page]!;
    // a queued never-used page goes stale where it is: its key is reset below
    if (k < NEVER - this.nextUse.length) this.unmark(k);
    this.key[page] = -1;
  }

  insert(page: number, position: number): void {
    this.place(page, position);
    this.size++;
  }

  hit(page: number, position: number): void {
    this.unplace(page);
    this.place(page, position);
  }

  remove(page: number): void {
    this.unplace(page);
    this.size--;
  }

  victim(accept: Accept): number {
    if (this.size === 0) return -1;
    const never = this.never;
    // stale entries at the head are dropped for good (their pages left or were placed again)
    while (this.neverHead < this.neverTail && this.key[never[this.neverHead]!] !== NEVER - never[this.neverHead + 1]!) this.neverHead += 2;
    for (let i = this.neverHead; i < this.neverTail; i += 2) {
      const page = never[i]!;
      if (this.key[page] !== NEVER - never[i + 1]!) continue;
      if (accept === null || accept(page)) return page;
    }
    // Rare with a filter (swap full): the furthest next uses in turn until one is taken.
    for (let q = this.lastAtOrBelow(this.nextUse.length - 1); q >= 0; q = q > 0 ? this.lastAtOrBelow(q - 1) : -1) {
      const page = this.pageAt[q]!;
      if (accept === null || accept(page)) return page;
    }
    return -1;
  }
}

export const opt = {
  name: 'opt',
  summary: "Belady's MIN: evicts the page used furthest in the future (reads the trace ahead)",
  needsFuture: true,
  engineFree: true,
  ordersSubsets: true,
  create: (ctx: PolicyContext) => {
    if (!ctx.nextUse) throw new Error('opt needs the look-ahead pass (nextUse)');
    return ctx.perGroup === true ? new OptHeap(ctx.nextUse) : new OptBits(ctx.nextUse);
  },
} satisfies PolicyDefinition;
