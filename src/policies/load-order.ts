/**
 * Load order as integers, for policies whose ties go to the page loaded earliest (nru, aging):
 * every load takes the next *slot*, so slot order is load order, and a set of pages is a bitset
 * over slots whose lowest member is the earliest-loaded page. Slots are renumbered densely when
 * they run out (a compaction costs O(slots) and comes after at least three quarters as many
 * loads: O(1) amortised per load).
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

  /** whether `slot` is in the set (one word of the bottom level) */
  has(slot: number): boolean {
    return ((this.levels[0]![slot >>> 5]! >>> (slot & 31)) & 1) !== 0;
  }

  /**
   * Moves every member into `target` (a set of the same capacity), leaving this one empty. It
   * costs one pass over the second level (capacity / 1024 words) and a word operation per
   * non-empty word of 32 slots, not one per member.
   */
  moveAllInto(target: SlotSet): void {
    const levels = this.levels;
    const bottom = levels[0]!;
    if (levels.length === 1) {
      if (bottom[0] !== 0) target.orWord(0, bottom[0]!);
      bottom[0] = 0;
      return;
    }
    const second = levels[1]!;
    for (let j = 0; j < second.length; j++) {
      let bits = second[j]!;
      if (bits === 0) continue;
      second[j] = 0;
      while (bits !== 0) {
        const w = (j << 5) | (31 - Math.clz32(bits & -bits));
        bits &= bits - 1;
        target.orWord(w, bottom[w]!);
        bottom[w] = 0;
      }
    }
    for (let l = 2; l < levels.length; l++) levels[l]!.fill(0);
  }

  /** adds the members `bits` of bottom word w (slots 32w .. 32w + 31) */
  private orWord(w: number, bits: number): void {
    const levels = this.levels;
    const bottom = levels[0]!;
    const old = bottom[w]!;
    bottom[w] = old | bits;
    if (old !== 0 || bits === 0 || levels.length === 1) return;
    const top = levels.length - 1;
    let i = w;
    for (let l = 1; ; l++) {
      const words = levels[l]!;
      const x = i >>> 5;
      const before = words[x]!;
      words[x] = before | (1 << (i & 31));
      if (before !== 0 || l === top) return;
      i = x;
    }
  }

  /** takes `other`'s members (and capacity), leaving `other` to be dropped */
  adopt(other: SlotSet): void {
    this.levels = other.levels;
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

/**
 * Slots of the resident pages, in load order. A page's slot sits in a per-page record of
 * `stride` 32-bit words, rec[stride * p] (-1 when not resident); the words after it,
 * rec[stride * p + 1 ...], are the policy's own per-page fields, so that every access to a page's
 * state touches one cache line.
 */
export class LoadSlots {
  /** per page: its slot (-1 when not resident), then stride - 1 words of the policy's */
  rec = new Int32Array(0);
  /** per slot: its page, -1 when the slot is empty */
  pageAt = new Int32Array(0);
  /** slots below this have been handed out */
  end = 0;
  /** resident pages */
  count = 0;

  constructor(readonly stride = 1) {
    this.pageAt = new Int32Array(64).fill(-1);
  }

  get capacity(): number {
    return this.pageAt.length;
  }

  /** page p's slot, -1 when it is not resident */
  slotOf(p: number): number {
    return this.rec[this.stride * p]!;
  }

  /** makes room for page ids below `pages` (new records are all -1) */
  resize(pages: number): void {
    this.rec = grown(this.rec, this.stride * pages, -1);
  }

  /**
   * Gives page p the next slot. When the slots have run out, the resident pages are renumbered
   * first, 0..count-1 in load order, and each of `sets` (sets of slots) is renumbered with them.
   */
  assign(p: number, sets: readonly SlotSet[]): void {
    if (this.end === this.pageAt.length) this.compact(sets);
    const s = this.end++;
    this.pageAt[s] = p;
    this.rec[this.stride * p] = s;
    this.count++;
  }

  release(p: number): void {
    const i = this.stride * p;
    this.pageAt[this.rec[i]!] = -1;
    this.rec[i] = -1;
    this.count--;
  }

  /**
   * renumbers the resident pages 0..count-1 in load order (and the sets' members with them), with
   * room for three times as many loads
   */
  private compact(sets: readonly SlotSet[]): void {
    const old = this.pageAt;
    const capacity = Math.max(old.length, 4 * (this.count + 1));
    const pageAt = capacity === old.length ? old : new Int32Array(capacity);
    const next = sets.map(() => new SlotSet(capacity));
    const rec = this.rec;
    const stride = this.stride;
    let k = 0;
    for (let s = 0; s < this.end; s++) {
      const p = old[s]!;
      if (p < 0) continue;
      for (let i = 0; i < sets.length; i++) if (sets[i]!.has(s)) next[i]!.add(k);
      pageAt[k] = p;
      rec[stride * p] = k++;
    }
    for (let i = 0; i < sets.length; i++) sets[i]!.adopt(next[i]!);
    pageAt.fill(-1, k);
    this.pageAt = pageAt;
    this.end = k;
  }
}
