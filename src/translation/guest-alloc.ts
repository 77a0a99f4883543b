/**
 * How a guest OS hands out guest-physical pages on first touch (`--guest-alloc`): the guest
 * stage's allocator, one per VM. Freed pages (F, RESET, an OOM kill) come back to it.
 */
import { grown } from '../policies/policy.js';
import type { GuestAlloc } from './config.js';

export interface GuestPhysicalAllocator {
  /** a free guest-physical page number, now in use */
  take(): number;
  /** gives back a page take() returned */
  free(gppn: number): void;
  /** pages in use */
  readonly inUse: number;
  /** guest-physical pages that exist (every page handed out so far is below it) */
  readonly size: number;
}

/**
 * `seq`: the lowest free guest-physical page (first fit), as a freshly booted guest fills its
 * memory from the bottom. A bump pointer for pages never used, and a binary min-heap of the
 * freed ones (all below the pointer).
 */
export class SeqAllocator implements GuestPhysicalAllocator {
  private nextNew = 0;
  private heap = new Int32Array(0);
  private heapSize = 0;
  inUse = 0;

  get size(): number {
    return this.nextNew;
  }

  take(): number {
    this.inUse++;
    if (this.heapSize === 0) return this.nextNew++;
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap[--this.heapSize]!;
    // sift down
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= this.heapSize) break;
      if (c + 1 < this.heapSize && heap[c + 1]! < heap[c]!) c++;
      if (heap[c]! >= last) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = last;
    return top;
  }

  free(gppn: number): void {
    this.inUse--;
    if (this.heapSize === this.heap.length) this.heap = grown(this.heap, this.heapSize + 1);
    const heap = this.heap;
    let i = this.heapSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]! <= gppn) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = gppn;
  }
}

/**
 * `random`: a uniformly random free page of a guest-physical space of `pages` pages (a guest
 * whose free lists are thoroughly mixed), so that guest-virtual neighbours scatter. When every
 * page is in use the space doubles (memory hot-add) rather than failing the run.
 */
export class RandomAllocator implements GuestPhysicalAllocator {
  /** free pages in [0, freeCount), in no order */
  private pool = new Int32Array(0);
  private freeCount = 0;
  size = 0;
  inUse = 0;

  constructor(
    private readonly initialPages: number,
    private readonly random: () => number,
  ) {}

  take(): number {
    if (this.freeCount === 0) this.growSpace();
    const i = Math.floor(this.random() * this.freeCount);
    const gppn = this.pool[i]!;
    this.pool[i] = this.pool[--this.freeCount]!;
    this.inUse++;
    return gppn;
  }

  free(gppn: number): void {
    this.pool[this.freeCount++] = gppn;
    this.inUse--;
  }

  private growSpace(): void {
    const size = this.size === 0 ? this.initialPages : this.size * 2;
    if (size > 2 ** 31 - 1) throw new RangeError('guest-physical space above 2^31 pages');
    this.pool = grown(this.pool, size);
    for (let g = this.size; g < size; g++) this.pool[this.freeCount++] = g;
    this.size = size;
  }
}

export function guestAllocator(kind: GuestAlloc, pages: number, random: () => number): GuestPhysicalAllocator {
  return kind === 'seq' ? new SeqAllocator() : new RandomAllocator(pages, random);
}
