/**
 * The TLBs of all VMs: per VM `entries` slots in `sets` sets of `ways` (fully associative when
 * ways = entries), LRU within a set. Each entry caches one guest-virtual page's host frame.
 *
 * Layout (isaacs/node-lru-cache's idea): slots are integers, VM v owns slots
 * [v * entries, (v + 1) * entries); every set keeps all its slots in one doubly linked list in
 * typed arrays, most recently used at the head; invalid slots are moved to the tail, so the tail
 * is always the slot to fill. `slotOf[page]` finds a page's entry in O(1): no scan, no object per
 * access.
 */
import { grown } from '../policies/policy.js';

const TWO32 = 4294967296;

export class Tlb {
  readonly sets: number;
  private readonly pow2: boolean;
  private vms = 0;
  /** per slot: the page id it holds, -1 when invalid */
  private tag = new Int32Array(0);
  /** per slot: the host frame the entry translates to */
  private frame = new Int32Array(0);
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  /** per set (v * sets + s): most and least recently used slot */
  private head = new Int32Array(0);
  private tail = new Int32Array(0);
  /** per page id: its slot, or -1 */
  private slotOf = new Int32Array(0);

  constructor(
    readonly entries: number,
    readonly ways: number,
  ) {
    if (!Number.isInteger(entries) || entries < 1 || !Number.isInteger(ways) || ways < 1 || entries % ways !== 0) {
      throw new RangeError(`a TLB of ${entries} entries cannot have ${ways} ways`);
    }
    this.sets = entries / ways;
    this.pow2 = (this.sets & (this.sets - 1)) === 0;
  }

  /** Makes room for VMs 0..v. */
  ensureVm(v: number): void {
    if (v < this.vms) return;
    const vms = Math.max(v + 1, this.vms * 2);
    const slots = vms * this.entries;
    this.tag = grown(this.tag, slots, -1);
    this.frame = grown(this.frame, slots, -1);
    this.prev = grown(this.prev, slots);
    this.next = grown(this.next, slots);
    this.head = grown(this.head, vms * this.sets);
    this.tail = grown(this.tail, vms * this.sets);
    // Each new set lists its ways in slot order, all invalid.
    for (let set = this.vms * this.sets; set < vms * this.sets; set++) {
      const first = set * this.ways;
      for (let w = 0; w < this.ways; w++) {
        const slot = first + w;
        this.prev[slot] = w === 0 ? -1 : slot - 1;
        this.next[slot] = w === this.ways - 1 ? -1 : slot + 1;
      }
      this.head[set] = first;
      this.tail[set] = first + this.ways - 1;
    }
    this.vms = vms;
  }

  /** Makes room for page ids below n. */
  ensurePages(n: number): void {
    if (n > this.slotOf.length) this.slotOf = grown(this.slotOf, n, -1);
  }

  /** The set of guest-virtual page number hi:lo (64-bit): the page number mod sets. */
  setOf(hi: number, lo: number): number {
    const sets = this.sets;
    if (this.pow2) return lo & (sets - 1);
    // (hi * 2^32 + lo) mod sets, exact: every product stays below 2^53 (sets <= 2^20).
    return (((hi % sets) * (TWO32 % sets)) % sets + (lo % sets)) % sets;
  }

  /** The frame cached for `page` (and it becomes most recently used), or -1 on a miss. */
  lookup(page: number): number {
    const slot = this.slotOf[page]!;
    if (slot < 0) return -1;
    this.toHead(slot, (slot / this.ways) | 0);
    return this.frame[slot]!;
  }

  /**
   * Caches page -> frame for VM v in set `set` (see setOf), replacing the set's least recently
   * used entry; returns the page whose entry was replaced, or -1.
   */
  fill(page: number, v: number, set: number, frame: number): number {
    const s = v * this.sets + set;
    const slot = this.tail[s]!;
    const old = this.tag[slot]!;
    if (old >= 0) this.slotOf[old] = -1;
    this.tag[slot] = page;
    this.frame[slot] = frame;
    this.slotOf[page] = slot;
    this.toHead(slot, s);
    return old;
  }

  /** Drops `page`'s entry; true if it had one. */
  invalidate(page: number): boolean {
    const slot = this.slotOf[page]!;
    if (slot < 0) return false;
    this.slotOf[page] = -1;
    this.tag[slot] = -1;
    this.toTail(slot, (slot / this.ways) | 0);
    return true;
  }

  /** Drops every entry of VM v; returns how many were valid. */
  flush(v: number): number {
    if (v >= this.vms) return 0;
    let dropped = 0;
    const end = (v + 1) * this.entries;
    for (let slot = v * this.entries; slot < end; slot++) {
      const page = this.tag[slot]!;
      if (page >= 0) {
        this.slotOf[page] = -1;
        this.tag[slot] = -1;
        dropped++;
      }
    }
    return dropped;
  }

  /** Whether `page` has an entry (no LRU update). */
  holds(page: number): boolean {
    return page < this.slotOf.length && this.slotOf[page]! >= 0;
  }

  /** Calls fn for every valid entry (for checks and tests, not the hot path). */
  forEach(fn: (vm: number, page: number, frame: number) => void): void {
    for (let slot = 0; slot < this.vms * this.entries; slot++) {
      const page = this.tag[slot]!;
      if (page >= 0) fn((slot / this.entries) | 0, page, this.frame[slot]!);
    }
  }

  /** The pages of VM v's set `set` from most to least recently used (invalid slots omitted). */
  setContents(v: number, set: number): number[] {
    const out: number[] = [];
    for (let slot = this.head[v * this.sets + set]!; slot >= 0; slot = this.next[slot]!) {
      if (this.tag[slot]! >= 0) out.push(this.tag[slot]!);
    }
    return out;
  }

  private unlink(slot: number, s: number): void {
    const a = this.prev[slot]!;
    const b = this.next[slot]!;
    if (a >= 0) this.next[a] = b;
    else this.head[s] = b;
    if (b >= 0) this.prev[b] = a;
    else this.tail[s] = a;
  }

  private toHead(slot: number, s: number): void {
    if (this.head[s] === slot) return;
    this.unlink(slot, s);
    const h = this.head[s]!;
    this.prev[slot] = -1;
    this.next[slot] = h;
    if (h >= 0) this.prev[h] = slot;
    else this.tail[s] = slot;
    this.head[s] = slot;
  }

  private toTail(slot: number, s: number): void {
    if (this.tail[s] === slot) return;
    this.unlink(slot, s);
    const t = this.tail[s]!;
    this.next[slot] = -1;
    this.prev[slot] = t;
    if (t >= 0) this.next[t] = slot;
    else this.head[s] = slot;
    this.tail[s] = slot;
  }
}
