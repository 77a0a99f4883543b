/**
 * An indexed binary heap of small integers (VM or class numbers) in typed arrays, ordered by a
 * comparison the scheduler supplies: the top is the one that comes before all others. Keys live
 * in the scheduler; after it changes one element's key it calls update(), O(log n). This is what
 * lets a scheduler name its victim VM without looking at every VM (SPEC 2.2: O(log n) per
 * eviction).
 */
import { grown } from '../policies/policy.js';

export class VmHeap {
  private heap = new Int32Array(16);
  /** element -> its index in `heap`, -1 when absent */
  private index = new Int32Array(16).fill(-1);
  size = 0;

  /** `before(a, b)`: a must be nearer the top than b (a strict order: false for a = b) */
  constructor(private readonly before: (a: number, b: number) => boolean) {}

  has(x: number): boolean {
    return x < this.index.length && this.index[x]! >= 0;
  }

  /** the first element, or -1 when empty */
  top(): number {
    return this.size > 0 ? this.heap[0]! : -1;
  }

  add(x: number): void {
    if (x >= this.index.length) this.index = grown(this.index, x + 1, -1);
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

  /** x's key changed: restore the order around it */
  update(x: number): void {
    const i = this.index[x]!;
    this.up(i);
    this.down(this.index[x]!);
  }

  /** every key may have changed: rebuild in O(n) */
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
