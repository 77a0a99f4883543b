/**
 * The host's frame allocator: a binary buddy allocator (Knowlton 1965; Linux's page allocator)
 * over frames [0, F). A free block of order k is 2^k frames starting at a multiple of 2^k; a
 * request of order k takes the smallest free block of order >= k and splits it, keeping the
 * lower half and freeing the upper half at each step; a freed block merges with its buddy
 * (start xor 2^k) while the buddy is free and of the same order.
 *
 * Free lists are doubly linked lists in typed arrays, most recently freed first; F need not be a
 * power of two: the frames are first covered by the largest aligned blocks that fit, lowest
 * first, and the lists are filled so that the lowest block is handed out first.
 */

export class BuddyAllocator {
  readonly maxOrder: number;
  /** per frame: the order of the free block it heads, or -1 */
  private readonly headOrder: Int8Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  /** per order: first block of the free list, -1 when empty */
  private readonly first: Int32Array;
  /** free blocks per order */
  readonly freeBlocks: Int32Array;
  /** free frames */
  freeFrames: number;

  constructor(
    readonly frames: number,
    maxOrder = 18,
  ) {
    let top = 0;
    while (top < maxOrder && 2 ** (top + 1) <= frames) top++;
    this.maxOrder = top;
    this.headOrder = new Int8Array(frames).fill(-1);
    this.next = new Int32Array(frames).fill(-1);
    this.prev = new Int32Array(frames).fill(-1);
    this.first = new Int32Array(top + 1).fill(-1);
    this.freeBlocks = new Int32Array(top + 1);
    this.freeFrames = 0;
    const blocks: [number, number][] = [];
    for (let a = 0; a < frames; ) {
      let k = top;
      while (k > 0 && (a % 2 ** k !== 0 || a + 2 ** k > frames)) k--;
      blocks.push([a, k]);
      a += 2 ** k;
    }
    // Pushed highest first, so that each list starts at its lowest block.
    for (let i = blocks.length - 1; i >= 0; i--) this.push(blocks[i]![0], blocks[i]![1]);
  }

  get inUse(): number {
    return this.frames - this.freeFrames;
  }

  /** The order of the free block frame a heads, or -1 when it heads none. */
  orderOfFreeHead(a: number): number {
    return this.headOrder[a]!;
  }

  /** One frame (order 0), or -1 when none is free. */
  take(): number {
    return this.allocate(0);
  }

  /** An aligned block of 2^order frames (its first frame), or -1 when no free block is that large. */
  allocate(order: number): number {
    let k = order;
    while (k <= this.maxOrder && this.first[k]! < 0) k++;
    if (k > this.maxOrder) return -1;
    const a = this.first[k]!;
    this.unlink(a, k);
    // Split: keep the lower half, free the upper.
    while (k > order) {
      k--;
      this.push(a + 2 ** k, k);
    }
    return a;
  }

  /** Gives back the block of 2^order frames at a, merging with free buddies. */
  free(a: number, order = 0): void {
    let k = order;
    while (k < this.maxOrder) {
      const buddy = a ^ (2 ** k);
      if (buddy >= this.frames || this.headOrder[buddy] !== k) break;
      this.unlink(buddy, k);
      a = Math.min(a, buddy);
      k++;
    }
    this.push(a, k);
  }

  /**
   * Takes every free block inside [a, a + 2^order) off the free lists (compaction: the range's
   * free frames are no longer handed out); returns how many frames that was. Only valid when no
   * free block of order > `order` contains the range (then no free block straddles it).
   */
  claimFree(a: number, order: number): number {
    const end = a + 2 ** order;
    let claimed = 0;
    for (let f = a; f < end; ) {
      const k = this.headOrder[f]!;
      if (k >= 0) {
        this.unlink(f, k);
        claimed += 2 ** k;
        f += 2 ** k;
      } else f++;
    }
    return claimed;
  }

  /**
   * Gorman's unusable free space index for order j: the share of free memory in blocks too
   * small to satisfy an order-j request, (free - sum over i >= j of 2^i k_i) / free; 0 when
   * nothing is free (Gorman and Whitcroft, "The What, The Why and The Where To of
   * Anti-Fragmentation", OLS 2006).
   */
  unusableIndex(order: number): number {
    if (this.freeFrames === 0) return 0;
    let usable = 0;
    for (let i = order; i <= this.maxOrder; i++) usable += 2 ** i * this.freeBlocks[i]!;
    return (this.freeFrames - usable) / this.freeFrames;
  }

  /** The free blocks of an order, list order (for tests). */
  freeList(order: number): number[] {
    const out: number[] = [];
    for (let a = this.first[order]!; a >= 0; a = this.next[a]!) out.push(a);
    return out;
  }

  private push(a: number, k: number): void {
    const h = this.first[k]!;
    this.next[a] = h;
    this.prev[a] = -1;
    if (h >= 0) this.prev[h] = a;
    this.first[k] = a;
    this.headOrder[a] = k;
    this.freeBlocks[k]!++;
    this.freeFrames += 2 ** k;
  }

  private unlink(a: number, k: number): void {
    const p = this.prev[a]!;
    const n = this.next[a]!;
    if (p >= 0) this.next[p] = n;
    else this.first[k] = n;
    if (n >= 0) this.prev[n] = p;
    this.headOrder[a] = -1;
    this.freeBlocks[k]!--;
    this.freeFrames -= 2 ** k;
  }
}
