/**
 * An indexed binary max-heap of small integers (VM or class numbers) with a key each, in typed
 * arrays: the top is the element with the largest key; keys within a relative `tolerance` of
 * each other are equal (ratios equal but for rounding), and equal keys go to the smaller element
 * (the VM listed first). Setting one key is O(log n). This is what lets a scheduler name its
 * victim VM without looking at every VM (SPEC 2.2: O(log n) per eviction).
 */
import { grown } from '../policies/policy.js';

export class VmHeap {
  private heap = new Int32Array(16);
  /** element -> its index in `heap`, -1 when absent */
  private index = new Int32Array(16).fill(-1);
  /** element -> its key (kept while it is absent too) */
  keys = new Float64Array(16);
  size = 0;

  /** `tolerance`: 0 compares keys exactly; 1e-9: keys within 1e-9 of the larger are a tie */
  constructor(private readonly tolerance: number) {}

  has(x: number): boolean {
    return x < this.index.length && this.index[x]! >= 0;
  }

  /** the first element, or -1 when empty */
  top(): number {
    return this.size > 0 ? this.heap[0]! : -1;
  }

  /** key x before key y: larger, or a tie and `xFirst` */
  ahead(x: number, y: number, xFirst: boolean): boolean {
    if (x === y) return xFirst;
    if (this.tolerance > 0 && Math.abs(x - y) <= this.tolerance * Math.max(Math.abs(x), Math.abs(y))) return xFirst;
    return x > y;
  }

  private before(a: number, b: number): boolean {
    return this.ahead(this.keys[a]!, this.keys[b]!, a < b);
  }

  /** puts x in the heap with `key`, or moves it there if it is in already */
  set(x: number, key: number): void {
    if (x >= this.index.length) {
      this.index = grown(this.index, x + 1, -1);
      this.keys = grown(this.keys, x + 1);
    }
    const i = this.index[x]!;
    if (i >= 0) {
      // A larger key can only move x up, a smaller one only down (ties stay ties or resolve the
      // same way: the tolerance grows with the larger key); the same key moves nothing.
      const old = this.keys[x]!;
      if (key === old) return;
      this.keys[x] = key;
      if (key > old) this.up(i);
      else this.down(i);
      return;
    }
    this.keys[x] = key;
    if (this.size >= this.heap.length) this.heap = grown(this.heap, this.size + 1);
    this.heap[this.size] = x;
    this.index[x] = this.size;
    this.up(this.size++);
  }

  remove(x: number): void {
    const i = this.index[x]!;
    this.index[x] = -1;
    const last = --this.size;
    if (i === last) return;
    const moved = this.heap[last]!;
    this.heap[i] = moved;
    this.index[moved] = i;
    this.up(i);
    this.down(this.index[moved]!);
  }

  /** after writing many keys directly: rebuild the order in O(n) */
  heapify(): void {
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private up(i: number): void {
    const heap = this.heap;
    const x = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const q = heap[parent]!;
      if (!this.before(x, q)) break;
      heap[i] = q;
      this.index[q] = i;
      i = parent;
    }
    heap[i] = x;
    this.index[x] = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = this.size;
    const x = heap[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.before(heap[c + 1]!, heap[c]!)) c++;
      const q = heap[c]!;
      if (!this.before(q, x)) break;
      heap[i] = q;
      this.index[q] = i;
      i = c;
    }
    heap[i] = x;
    this.index[x] = i;
  }
}
