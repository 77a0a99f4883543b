import { grown, type Accept, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

/**
 * LFU: evict the page with the fewest accesses since it was loaded (the count restarts at 1 on
 * every load); ties go to the least recently used. O(1) per access: pages sit in frequency
 * buckets (a list of buckets in ascending count), each bucket a list in recency order (head =
 * least recent) - the constant-time LFU of Shah, Mitra and Matani (2010), in typed arrays.
 */
class Lfu implements ReplacementPolicy {
  // per page
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private bucketOf = new Int32Array(0);
  // per bucket (a pool with a free list)
  private count = new Float64Array(16);
  private first = new Int32Array(16);
  private last = new Int32Array(16);
  private lower = new Int32Array(16);
  private higher = new Int32Array(16);
  private freeBuckets = new Int32Array(16);
  private freeTop = 0;
  private buckets = 0;
  /** bucket with the smallest count, or -1 */
  private lowest = -1;
  size = 0;

  resize(pages: number): void {
    this.prev = grown(this.prev, pages);
    this.next = grown(this.next, pages);
    this.bucketOf = grown(this.bucketOf, pages);
  }

  private newBucket(count: number, lower: number, higher: number): number {
    let b: number;
    if (this.freeTop > 0) b = this.freeBuckets[--this.freeTop]!;
    else {
      b = this.buckets++;
      if (b >= this.count.length) {
        const n = b + 1;
        this.count = grown(this.count, n);
        this.first = grown(this.first, n);
        this.last = grown(this.last, n);
        this.lower = grown(this.lower, n);
        this.higher = grown(this.higher, n);
        this.freeBuckets = grown(this.freeBuckets, n);
      }
    }
    this.count[b] = count;
    this.first[b] = -1;
    this.last[b] = -1;
    this.lower[b] = lower;
    this.higher[b] = higher;
    if (lower >= 0) this.higher[lower] = b;
    else this.lowest = b;
    if (higher >= 0) this.lower[higher] = b;
    return b;
  }

  private dropBucket(b: number): void {
    const lo = this.lower[b]!;
    const hi = this.higher[b]!;
    if (lo >= 0) this.higher[lo] = hi;
    else this.lowest = hi;
    if (hi >= 0) this.lower[hi] = lo;
    this.freeBuckets[this.freeTop++] = b;
  }

  private append(b: number, p: number): void {
    const t = this.last[b]!;
    this.prev[p] = t;
    this.next[p] = -1;
    if (t >= 0) this.next[t] = p;
    else this.first[b] = p;
    this.last[b] = p;
    this.bucketOf[p] = b;
  }

  /** unlinks p from its bucket; returns true when the bucket became empty */
  private detach(p: number): boolean {
    const b = this.bucketOf[p]!;
    const a = this.prev[p]!;
    const c = this.next[p]!;
    if (a >= 0) this.next[a] = c;
    else this.first[b] = c;
    if (c >= 0) this.prev[c] = a;
    else this.last[b] = a;
    return this.first[b] === -1;
  }

  insert(page: number): void {
    let b = this.lowest;
    if (b < 0 || this.count[b] !== 1) b = this.newBucket(1, -1, b);
    this.append(b, page);
    this.size++;
  }

  hit(page: number): void {
    const b = this.bucketOf[page]!;
    const c = this.count[b]! + 1;
    let target = this.higher[b]!;
    if (target < 0 || this.count[target] !== c) target = this.newBucket(c, b, target);
    if (this.detach(page)) this.dropBucket(b);
    this.append(target, page);
  }

  remove(page: number): void {
    const b = this.bucketOf[page]!;
    if (this.detach(page)) this.dropBucket(b);
    this.size--;
  }

  victim(accept: Accept): number {
    for (let b = this.lowest; b >= 0; b = this.higher[b]!) {
      for (let p = this.first[b]!; p >= 0; p = this.next[p]!) if (accept === null || accept(p)) return p;
    }
    return -1;
  }
}

export const lfu = {
  name: 'lfu',
  summary: 'least frequently used since loaded (count restarts at 1 on each load); ties: least recently used',
  needsFuture: false,
  engineFree: true,
  ordersSubsets: true,
  create: () => new Lfu(),
} satisfies PolicyDefinition;
