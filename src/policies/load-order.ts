/**
 * Load order as integers, for policies whose ties go to the page loaded earliest (nru, aging):
 * every load takes the next *slot*, so slot order is load order, and a set of pages is a bitset
 * over slots whose lowest member is the earliest-loaded page. Slots are renumbered densely when
 * they run out (a compaction costs O(slots) and comes after at least half as many loads: O(1)
 * amortised per load).
 */
import { grown } from './policy.js';

/**
 * A set of slots in a 32-ary tree of bit words: add, delete and first() (the lowest member) cost
 * one word per level, log32(capacity) levels (4 up to 2^20 slots, 5 up to 2^25).
 */
export class SlotSet {
  private levels: Int32Array[] = [];

  constructor(capacity: number) {
    this.reset(capacity);
  }

  /** empties the set and makes room for slots below `capacity` */
  reset(capacity: number): void {
    const levels: Int32Array[] = [];
    let n = Math.max(1, capacity);
    do {
      n = Math.ceil(n / 32);
      levels.push(new Int32Array(n));
    } while (n > 1);
    this.levels = levels;
  }

  add(slot: number): void {
    const levels = this.levels;
    const top = levels.length - 1;
    let i = slot;
    for (let l = 0; ; l++) {
      const words = levels[l]!;
      const w = i >>> 5;
      const old = words[w]!;
      words[w] = old | (1 << (i & 31));
      if (old !== 0 || l === top) return;
      i = w;
    }
  }

  delete(slot: number): void {
    const levels = this.levels;
    const top = levels.length - 1;
    let i = slot;
    for (let l = 0; ; l++) {
      const words = levels[l]!;
      const w = i >>> 5;
      const left = words[w]! & ~(1 << (i & 31));
      words[w] = left;
      if (left !== 0 || l === top) return;
      i = w;
    }
  }

  /** the lowest slot in the set, or -1 when it is empty */
  first(): number {
    const levels = this.levels;
    let l = levels.length - 1;
    if (levels[l]![0] === 0) return -1;
    let i = 0;
    for (; l >= 0; l--) {
      const x = levels[l]![i]!;
      i = (i << 5) | (31 - Math.clz32(x & -x));
    }
    return i;
  }
}

/** Slots of the resident pages, in load order. */
export class LoadSlots {
  /** per page: its slot, -1 when not resident */
  slotOf = new Int32Array(0);
  /** per slot: its page, -1 when the slot is empty */
  pageAt = new Int32Array(0);
  /** slots below this have been handed out */
  end = 0;
  /** resident pages */
  count = 0;

  constructor() {
    this.pageAt = new Int32Array(64).fill(-1);
  }

  get capacity(): number {
    return this.pageAt.length;
  }

  resize(pages: number): void {
    this.slotOf = grown(this.slotOf, pages, -1);
  }

  /**
   * Gives page p the next slot. Returns true when the slots were renumbered first (then every
   * resident page has a new slot, 0..count-1 in load order, and the caller rebuilds its sets).
   */
  assign(p: number): boolean {
    let renumbered = false;
    if (this.end === this.pageAt.length) {
      this.compact();
      renumbered = true;
    }
    const s = this.end++;
    this.pageAt[s] = p;
    this.slotOf[p] = s;
    this.count++;
    return renumbered;
  }

  release(p: number): void {
    this.pageAt[this.slotOf[p]!] = -1;
    this.slotOf[p] = -1;
    this.count--;
  }

  /** renumbers the resident pages 0..count-1 in load order, with room for as many loads again */
  private compact(): void {
    const old = this.pageAt;
    const capacity = Math.max(old.length, 2 * (this.count + 1));
    const pageAt = capacity === old.length ? old : new Int32Array(capacity);
    let k = 0;
    for (let s = 0; s < this.end; s++) {
      const p = old[s]!;
      if (p < 0) continue;
      pageAt[k] = p;
      this.slotOf[p] = k++;
    }
    pageAt.fill(-1, k);
    this.pageAt = pageAt;
    this.end = k;
  }
}
