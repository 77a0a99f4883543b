import { LoadSlots, SlotSet } from './load-order.js';
import { DEFAULT_POLICY_OPTIONS, grown, MAX_AGING_BITS, type Accept, type PolicyContext, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

/**
 * AGING (Tanenbaum, Modern Operating Systems 3.4.7): an n-bit counter (--aging-bits) and a
 * referenced bit R per page. Every access sets R (a load is an access; a loaded page's counter
 * starts at 0). At every tick - when the host's access count reaches a multiple of --tick - each
 * counter is shifted right by one with R entering at the top, and R is cleared. The victim is the
 * page with the smallest counter; ties go to the page loaded earliest.
 *
 * How it stays O(1) amortised, touching few pages per tick:
 * - A page's counter is a function of the epochs (tick intervals) in which it was referenced, so
 *   each page keeps one word of reference history (bit 31 = the epoch of its last reference, bit
 *   30 the one before, ...) and its counter is read off it when needed; a tick shifts nothing.
 * - The pages whose counter is 0 - the victims whenever there are any - are a SlotSet over load
 *   order (the zero set). A page enters it when loaded (counter 0). A page in it that is
 *   referenced gets a non-zero counter at the next tick; it is left in the set and dropped when
 *   victim() meets it, so a page loaded and evicted before the set's first page reaches it costs
 *   nothing more.
 * - A counter becomes 0 again exactly n + 1 epochs after the page's last reference. Each resident
 *   page outside the zero set has one pending *note* in a ring of n + 2 lists, filed under an
 *   epoch at or before its last reference (when it leaves the set: under its last reference).
 *   The tick into epoch e visits the notes filed under e - n - 1: a page last referenced then
 *   joins the zero set, a page referenced since is filed again under its last reference. A page
 *   referenced every epoch is visited once per n + 1 epochs, and hits file nothing.
 * - When no counter is 0 (every resident page was referenced in the last n epochs, so there are
 *   at most n x tick of them), the pages are sorted once per epoch by (counter, load order), a
 *   radix sort: O(n) amortised per access.
 */
class Aging implements ReplacementPolicy {
  /**
   * per page, four words side by side (one cache line for all of a page's state): [4p] its slot
   * (load order; -1 when not resident), [4p + 1] its reference history, a 32-bit word whose bit
   * 31 - k = referenced in epoch (last reference's epoch - k), [4p + 2] the epoch of its last
   * reference, [4p + 3] the epoch its pending note is filed under (-1: none)
   */
  private readonly slots = new LoadSlots(4);
  /** pages whose counter is 0, and pages referenced since they joined it (see above) */
  private readonly zero = new SlotSet(64);
  private readonly sets = [this.zero];
  /** ring of n + 2 lists: the notes filed under each of the last epochs (stale ones are skipped) */
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
    this.mask = 2 ** bits - 1;
    this.lists = Array.from({ length: bits + 2 }, () => new Int32Array(16));
    this.listLength = new Array<number>(bits + 2).fill(0);
    this.nextTick = tick;
  }

  get size(): number {
    return this.slots.count;
  }

  resize(pages: number): void {
    this.slots.resize(pages);
  }

  /** page p's counter in the current epoch (its references in the n epochs before it) */
  counter(p: number): number {
    const rec = this.slots.rec;
    const d = this.epoch - rec[4 * p + 2]!;
    if (d > this.bits) return 0;
    return (rec[4 * p + 1]! >>> (31 + d - this.bits)) & this.mask;
  }

  /** files page p's note under `epoch` (the current one or one of the n before it) */
  private note(p: number, epoch: number): void {
    const l = epoch % (this.bits + 2);
    let a = this.lists[l]!;
    const n = this.listLength[l]!;
    if (n === a.length) this.lists[l] = a = grown(a, n + 1);
    a[n] = p;
    this.listLength[l] = n + 1;
    this.slots.rec[4 * p + 3] = epoch;
  }

  /** applies the ticks up to host position `position` */
  private sync(position: number): void {
    if (position >= this.nextTick) this.tickTo(position);
  }

  private tickTo(position: number): void {
    const target = Math.floor(position / this.tick);
    this.nextTick = (target + 1) * this.tick;
    const rec = this.slots.rec;
    if (target - this.epoch > this.bits + 1) {
      // No page was referenced in the n epochs before the target: every counter is 0.
      for (let l = 0; l < this.lists.length; l++) {
        const a = this.lists[l]!;
        for (let i = 0; i < this.listLength[l]!; i++) {
          const p = a[i]!;
          rec[4 * p + 3] = -1;
          const slot = rec[4 * p]!;
          if (slot >= 0 && !this.zero.has(slot)) this.zero.add(slot);
        }
        this.listLength[l] = 0;
      }
      this.epoch = target;
      return;
    }
    while (this.epoch < target) {
      const e = ++this.epoch;
      const old = e - this.bits - 1;
      const l = (old + this.bits + 2) % (this.bits + 2);
      const a = this.lists[l]!;
      const n = this.listLength[l]!;
      this.listLength[l] = 0;
      for (let i = 0; i < n; i++) {
        const p = a[i]!;
        // a stale note: the page was removed (and maybe loaded again, with a new note)
        if (rec[4 * p + 3] !== old) continue;
        const slot = rec[4 * p]!;
        const last = rec[4 * p + 2]!;
        if (slot < 0) rec[4 * p + 3] = -1;
        else if (last === old) {
          rec[4 * p + 3] = -1;
          if (!this.zero.has(slot)) this.zero.add(slot);
        } else this.note(p, last);
      }
    }
  }

  insert(page: number, position: number): void {
    this.sync(position);
    const rec = this.slots.rec;
    rec[4 * page + 1] = 0x80000000 | 0;
    rec[4 * page + 2] = this.epoch;
    rec[4 * page + 3] = -1;
    this.slots.assign(page, this.sets);
    this.zero.add(rec[4 * page]!);
  }

  hit(page: number, position: number): void {
    this.sync(position);
    const rec = this.slots.rec;
    const d = this.epoch - rec[4 * page + 2]!;
    if (d === 0) return;
    rec[4 * page + 1] = d >= 32 ? 0x80000000 | 0 : (rec[4 * page + 1]! >>> d) | 0x80000000;
    rec[4 * page + 2] = this.epoch;
  }

  remove(page: number): void {
    const rec = this.slots.rec;
    const slot = rec[4 * page]!;
    if (this.zero.has(slot)) this.zero.delete(slot);
    rec[4 * page + 3] = -1;
    this.slots.release(page);
  }

  victim(accept: Accept): number {
    if (this.now !== undefined) this.sync(this.now());
    const pageAt = this.slots.pageAt;
    if (accept !== null) return this.scan(accept);
    // The zero set may still hold pages referenced since they entered it (see tickTo).
    for (let s = this.zero.first(); s >= 0; s = this.zero.first()) {
      const p = pageAt[s]!;
      if (this.counter(p) === 0) return p;
      // referenced since it joined the set: its counter is 0 again n + 1 epochs after that
      this.zero.delete(s);
      this.note(p, this.slots.rec[4 * p + 2]!);
    }
    if (this.sortedEpoch !== this.epoch) this.sortAll();
    // Within an epoch counters are fixed and no page gains a non-zero one: the order holds, and
    // pages that left (or came back, with counter 0) are passed over.
    while (this.sortedNext < this.sortedCount) {
      const p = this.sorted[this.sortedNext]!;
      const slot = this.slots.rec[4 * p]!;
      if (slot >= 0 && !this.zero.has(slot)) return p;
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
  engineReads: ['now'],
  options: ['tick', 'agingBits'],
  create: (ctx: PolicyContext) =>
    new Aging(ctx.options?.tick ?? DEFAULT_POLICY_OPTIONS.tick, ctx.options?.agingBits ?? DEFAULT_POLICY_OPTIONS.agingBits, ctx.now),
} satisfies PolicyDefinition;
