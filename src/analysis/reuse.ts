/**
 * Reuse distance (LRU stack distance, Mattson et al. 1970): for an access to page p, the number
 * of distinct other pages accessed since the previous access to p; none for a first access
 * ("cold"). Under LRU with F frames an access hits exactly when its reuse distance is below F,
 * so the histogram is the LRU miss-ratio curve of the trace.
 *
 * O(log n) per access with a Fenwick tree over "last access" slots: each page that has been
 * accessed owns one set slot, at the time of its last access, and the distance of an access is
 * the number of set slots after the page's own. Slots are renumbered (compacted) when the clock
 * reaches the tree's capacity, so memory follows the number of distinct pages, not the length
 * of the trace.
 */

/** Log2 buckets: 0 holds distance 0, bucket k >= 1 holds [2^(k-1), 2^k - 1]. */
export const REUSE_BUCKETS = 34;

export function reuseBucket(distance: number): number {
  return distance === 0 ? 0 : 32 - Math.clz32(distance);
}

/** The smallest and largest distance of bucket k. */
export function bucketRange(k: number): [number, number] {
  return k === 0 ? [0, 0] : [2 ** (k - 1), 2 ** k - 1];
}

export class ReuseTimeline {
  /** Fenwick tree, 1-based: tree[i] covers slots (i - lowbit(i), i] */
  private tree: Int32Array;
  /** slot -> the page whose last access it is, or -1 */
  private pageAt: Int32Array;
  private capacity: number;
  private clock = 0;
  /** pages that own a slot: the distinct pages accessed so far */
  live = 0;

  constructor(capacity = 1 << 12) {
    this.capacity = capacity;
    this.tree = new Int32Array(capacity + 1);
    this.pageAt = new Int32Array(capacity).fill(-1);
  }

  /**
   * Records an access to page `p`; returns its reuse distance, or -1 for a cold access.
   * `last[p]` is p's slot (-1 when none); the caller owns the array (one entry per page).
   */
  access(last: Int32Array, p: number): number {
    const previous = last[p]!;
    let distance = -1;
    if (previous >= 0) {
      distance = this.live - this.prefix(previous);
      this.add(previous, -1);
      this.pageAt[previous] = -1;
      this.live--;
    }
    if (this.clock === this.capacity) this.compact(last);
    const slot = this.clock++;
    this.add(slot, 1);
    this.pageAt[slot] = p;
    last[p] = slot;
    this.live++;
    return distance;
  }

  /** set slots in [0, slot] */
  private prefix(slot: number): number {
    let sum = 0;
    for (let i = slot + 1; i > 0; i -= i & -i) sum += this.tree[i]!;
    return sum;
  }

  private add(slot: number, delta: number): void {
    const tree = this.tree;
    const n = this.capacity;
    for (let i = slot + 1; i <= n; i += i & -i) tree[i]! += delta;
  }

  /** Renumbers the live slots 0 .. live-1 in time order, growing when more than half are live. */
  private compact(last: Int32Array): void {
    const live = this.live;
    const capacity = live * 2 > this.capacity ? this.capacity * 2 : this.capacity;
    const pageAt = new Int32Array(capacity).fill(-1);
    let j = 0;
    for (let s = 0; s < this.clock; s++) {
      const p = this.pageAt[s]!;
      if (p < 0) continue;
      pageAt[j] = p;
      last[p] = j++;
    }
    // Build the tree in O(n): each node passes its sum to its parent.
    const tree = new Int32Array(capacity + 1);
    for (let i = 1; i <= j; i++) tree[i] = 1;
    for (let i = 1; i <= capacity; i++) {
      const parent = i + (i & -i);
      if (parent <= capacity) tree[parent]! += tree[i]!;
    }
    this.tree = tree;
    this.pageAt = pageAt;
    this.capacity = capacity;
    this.clock = j;
  }
}
