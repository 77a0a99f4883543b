import { grown, type Accept, type PolicyContext, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

/** Keys of pages never used again: above any position, larger for the less recently used. */
const NEVER = 2 ** 52;

/**
 * OPT, Belady's MIN: evict the page whose next access is furthest in the future (never =
 * infinitely far; among those, the least recently used). Needs the trace's future: the engine
 * passes nextUse[position] from a look-ahead pass. An indexed binary max-heap keyed by next use.
 */
class Opt implements ReplacementPolicy {
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

export const opt = {
  name: 'opt',
  summary: "Belady's MIN: evicts the page used furthest in the future (reads the trace ahead)",
  needsFuture: true,
  ordersSubsets: true,
  create: (ctx: PolicyContext) => {
    if (!ctx.nextUse) throw new Error('opt needs the look-ahead pass (nextUse)');
    return new Opt(ctx.nextUse);
  },
} satisfies PolicyDefinition;
