import { LoadSlots, SlotSet } from './load-order.js';
import { DEFAULT_POLICY_OPTIONS, grown, MAX_AGING_BITS, type Accept, type PolicyContext, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

/**
 * AGING (Tanenbaum, Modern Operating Systems 3.4.7): an n-bit counter (--aging-bits) and a
 * referenced bit R per page. Every access sets R (a load is an access; a loaded page's counter
 * starts at 0). At every tick - when the host's access count reaches a multiple of --tick - each
 * counter is shifted right by one with R entering at the top, and R is cleared. The victim is the
 * page with the smallest counter; ties go to the page loaded earliest.
 *
 * How it stays O(1) amortised: a page's counter is a function of the epochs (tick intervals) in
 * which it was referenced, so each page keeps one word of reference history (bit 31 = the epoch
 * of its last reference, bit 30 the one before, ...) and a counter is read off it when needed.
 * Counters change only at ticks, and a counter becomes zero or non-zero only n + 1 or 1 epochs
 * after a reference: each first reference in an epoch is listed, and the ticks visit just those
 * lists. The pages whose counter is 0 - the victims whenever there are any - are a SlotSet over
 * load order. When every resident page has a non-zero counter (every one of them was referenced
 * in the last n epochs, so there are at most n x tick of them), the pages are sorted once per
 * epoch by (counter, load order), a radix sort: O(n) amortised per access.
 */
class Aging implements ReplacementPolicy {
  private readonly slots = new LoadSlots();
  /** pages whose counter is 0 */
  private readonly zero = new SlotSet(64);
  private inZero = new Uint8Array(0);
  /**
   * per page, side by side (one cache line per access): [2p] its reference history, a 32-bit
   * word whose bit 31 - k = referenced in epoch (last epoch - k); [2p + 1] the epoch of its last
   * reference
   */
  private history = new Float64Array(0);
  /** ring of n + 2 lists: the pages first referenced in each of the last epochs (may repeat) */
  private readonly lists: Int32Array[];
  private readonly listLength: number[];
  private epoch = 0;
  /** the host position of the next tick: a cheaper test than dividing on every access */
  private nextTick: number;
  private readonly mask: number;
  // victims while no counter is 0: the resident pages sorted by (counter, slot), once per epoch
  private sorted = new Int32Array(0);
  private sortedCount = 0;
  private sortedNext = 0;
  private sortedEpoch = -1;
  private keys = new Uint32Array(0);
  private scratch = new Int32Array(0);
  private scratchKeys = new Uint32Array(0);

  constructor(
    private readonly tick: number,
    private readonly bits: number,
    private readonly now: (() => number) | undefined,
  ) {
    if (!(bits >= 1 && bits <= MAX_AGING_BITS)) throw new RangeError(`aging: bits must be 1..${MAX_AGING_BITS}`);
    this.mask = bits === 32 ? 0xffffffff : 2 ** bits - 1;
    this.lists = Array.from({ length: bits + 2 }, () => new Int32Array(16));
    this.listLength = new Array<number>(bits + 2).fill(0);
    this.nextTick = tick;
  }

  get size(): number {
    return this.slots.count;
  }

  resize(pages: number): void {
    this.slots.resize(pages);
    this.inZero = grown(this.inZero, pages);
    this.history = grown(this.history, 2 * pages);
  }

  /** page p's counter in the current epoch (its references in the n epochs before it) */
  counter(p: number): number {
    const d = this.epoch - this.history[2 * p + 1]!;
    if (d > this.bits) return 0;
    return (this.history[2 * p]! >>> (31 + d - this.bits)) & this.mask;
  }

  private list(epoch: number): number {
    return epoch % (this.bits + 2);
  }

  private note(p: number): void {
    const l = this.list(this.epoch);
    let a = this.lists[l]!;
    const n = this.listLength[l]!;
    if (n === a.length) this.lists[l] = a = grown(a, n + 1);
    a[n] = p;
    this.listLength[l] = n + 1;
  }

  private setZero(p: number, zero: boolean): void {
    if ((this.inZero[p] === 1) === zero) return;
    this.inZero[p] = zero ? 1 : 0;
    if (zero) this.zero.add(this.slots.slotOf[p]!);
    else this.zero.delete(this.slots.slotOf[p]!);
  }

  /** applies the ticks up to host position `position` */
  private sync(position: number): void {
    if (position < this.nextTick) return;
    const target = Math.floor(position / this.tick);
    this.nextTick = (target + 1) * this.tick;
    const slotOf = this.slots.slotOf;
    if (target - this.epoch > this.bits + 1) {
      // No page was referenced in the n epochs before the target: every counter is 0.
      for (let l = 0; l < this.lists.length; l++) {
        const a = this.lists[l]!;
        for (let i = 0; i < this.listLength[l]!; i++) if (slotOf[a[i]!]! >= 0) this.setZero(a[i]!, true);
        this.listLength[l] = 0;
      }
      this.epoch = target;
      return;
    }
    while (this.epoch < target) {
      const e = ++this.epoch;
      // referenced in e - 1: the counter's top bit is now set
      let l = this.list(e - 1);
      let a = this.lists[l]!;
      for (let i = 0; i < this.listLength[l]!; i++) {
        const p = a[i]!;
        if (slotOf[p]! >= 0 && this.history[2 * p + 1] === e - 1) this.setZero(p, false);
      }
      // last referenced in e - n - 1: that reference has been shifted out
      l = this.list(e - this.bits - 1 + (this.bits + 2));
      a = this.lists[l]!;
      for (let i = 0; i < this.listLength[l]!; i++) {
        const p = a[i]!;
        if (slotOf[p]! >= 0 && this.history[2 * p + 1] === e - this.bits - 1) this.setZero(p, true);
      }
      this.listLength[l] = 0;
    }
  }

  insert(page: number, position: number): void {
    this.sync(position);
    this.history[2 * page] = 0x80000000;
    this.history[2 * page + 1] = this.epoch;
    this.note(page);
    this.inZero[page] = 1;
    if (this.slots.assign(page)) this.rebuild();
    else this.zero.add(this.slots.slotOf[page]!);
  }

  private rebuild(): void {
    this.zero.reset(this.slots.capacity);
    const pageAt = this.slots.pageAt;
    for (let s = 0; s < this.slots.end; s++) if (this.inZero[pageAt[s]!] === 1) this.zero.add(s);
    this.sortedEpoch = -1;
  }

  hit(page: number, position: number): void {
    this.sync(position);
    const h = this.history;
    const d = this.epoch - h[2 * page + 1]!;
    if (d === 0) return;
    h[2 * page] = d >= 32 ? 0x80000000 : ((h[2 * page]! >>> d) | 0x80000000) >>> 0;
    h[2 * page + 1] = this.epoch;
    this.note(page);
  }

  remove(page: number): void {
    if (this.inZero[page] === 1) {
      this.zero.delete(this.slots.slotOf[page]!);
      this.inZero[page] = 0;
    }
    this.slots.release(page);
  }

  victim(accept: Accept): number {
    if (this.now !== undefined) this.sync(this.now());
    const pageAt = this.slots.pageAt;
    if (accept !== null) return this.scan(accept);
    const s = this.zero.first();
    if (s >= 0) return pageAt[s]!;
    if (this.sortedEpoch !== this.epoch) this.sortAll();
    // Within an epoch counters are fixed and no page gains a non-zero one: the order holds, and
    // pages that left (or came back, with counter 0) are passed over.
    while (this.sortedNext < this.sortedCount) {
      const p = this.sorted[this.sortedNext]!;
      if (this.slots.slotOf[p]! >= 0 && this.inZero[p] === 0) return p;
      this.sortedNext++;
    }
    return -1;
  }

  /** the resident pages by (counter, load order): an LSD radix sort of load order by counter */
  private sortAll(): void {
    const n = this.slots.count;
    if (this.sorted.length < n) {
      this.sorted = new Int32Array(n);
      this.keys = new Uint32Array(n);
      this.scratch = new Int32Array(n);
      this.scratchKeys = new Uint32Array(n);
    }
    let pages = this.sorted;
    let keys = this.keys;
    let k = 0;
    const pageAt = this.slots.pageAt;
    for (let s = 0; s < this.slots.end; s++) {
      const p = pageAt[s]!;
      if (p < 0) continue;
      pages[k] = p;
      keys[k++] = this.counter(p);
    }
    let outPages = this.scratch;
    let outKeys = this.scratchKeys;
    const count = new Int32Array(257);
    for (let shift = 0; shift < this.bits; shift += 8) {
      count.fill(0);
      for (let i = 0; i < k; i++) count[((keys[i]! >>> shift) & 255) + 1]!++;
      for (let d = 0; d < 256; d++) count[d + 1]! += count[d]!;
      for (let i = 0; i < k; i++) {
        const j = count[(keys[i]! >>> shift) & 255]!++;
        outPages[j] = pages[i]!;
        outKeys[j] = keys[i]!;
      }
      [pages, outPages] = [outPages, pages];
      [keys, outKeys] = [outKeys, keys];
    }
    this.sorted = pages;
    this.keys = keys;
    this.scratch = outPages;
    this.scratchKeys = outKeys;
    this.sortedCount = k;
    this.sortedNext = 0;
    this.sortedEpoch = this.epoch;
  }

  /** the smallest (counter, load order) among the pages `accept` takes: one pass (swap full, filters) */
  private scan(accept: (p: number) => boolean): number {
    let best = -1;
    let bestCounter = Infinity;
    const pageAt = this.slots.pageAt;
    for (let s = 0; s < this.slots.end && bestCounter > 0; s++) {
      const p = pageAt[s]!;
      if (p < 0) continue;
      const c = this.counter(p);
      if (c < bestCounter && accept(p)) {
        best = p;
        bestCounter = c;
      }
    }
    return best;
  }
}

export const aging = {
  name: 'aging',
  summary: 'smallest n-bit aging counter (--aging-bits, default 8), shifted every --tick accesses; ties: loaded earliest',
  needsFuture: false,
  options: ['tick', 'agingBits'],
  create: (ctx: PolicyContext) =>
    new Aging(ctx.options?.tick ?? DEFAULT_POLICY_OPTIONS.tick, ctx.options?.agingBits ?? DEFAULT_POLICY_OPTIONS.agingBits, ctx.now),
} satisfies PolicyDefinition;
