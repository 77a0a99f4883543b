/**
 * Dense page ids: each distinct (VM, 64-bit page number) gets the next integer, once per trace,
 * so that the engine and the policies index typed arrays instead of hashing on every step. An
 * open-addressing hash table in typed arrays (linear probing): no V8 Map, so more than 2^24
 * distinct pages work.
 */
export class PageIds {
  /** number of ids handed out */
  count = 0;
  vmOf: Uint16Array;
  hiOf: Uint32Array;
  loOf: Uint32Array;
  private slots: Int32Array;
  private mask: number;

  /** `expected`: room for that many pages from the start (no growing on the way) */
  constructor(expected = 1024) {
    const keys = Math.max(1024, expected);
    this.vmOf = new Uint16Array(keys);
    this.hiOf = new Uint32Array(keys);
    this.loOf = new Uint32Array(keys);
    let size = 2048;
    while (size - 1 < 2 * keys) size *= 2;
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
  }

  // The last key looked up: traces touch the same page many times in a row.
  private lastVm = -1;
  private lastHi = 0;
  private lastLo = 0;
  private lastId = -1;

  /** ids below this are in the hash table (append() leaves its ids to the next lookup) */
  private hashed = 0;

  /** The id of (vm, page hi:lo), new if unseen. */
  id(vm: number, hi: number, lo: number): number {
    if (lo === this.lastLo && hi === this.lastHi && vm === this.lastVm) return this.lastId;
    if (this.hashed !== this.count) this.rehash(this.slots.length);
    const id = this.lookup(vm, hi, lo);
    this.lastVm = vm;
    this.lastHi = hi;
    this.lastLo = lo;
    this.lastId = id;
    return id;
  }

  /**
   * Reads what id() will read for keys 0..n-1 of these arrays (the slot each starts at and that
   * slot's key) before any of them is looked up. The reads do not depend on one another, so the
   * memory system serves many at once, where id() after id() waits for each miss in turn: the
   * table of a trace of many pages is far bigger than the caches. Returns a number of no
   * meaning, for the caller to keep (so that the reads are not optimised away).
   */
  touch(vm: Uint16Array, hi: Uint32Array, lo: Uint32Array, n: number): number {
    const slots = this.slots;
    const mask = this.mask;
    if (this.found.length < n) this.found = new Int32Array(n);
    const found = this.found;
    for (let r = 0; r < n; r++) found[r] = slots[slotHash(vm[r]!, hi[r]!, lo[r]!) & mask]!;
    const loOf = this.loOf;
    const hiOf = this.hiOf;
    const vmOf = this.vmOf;
    let sum = 0;
    for (let r = 0; r < n; r++) {
      const id = found[r]!;
      if (id >= 0) sum += loOf[id]! + hiOf[id]! + vmOf[id]!;
    }
    return sum;
  }

  /** touch()'s slots read */
  private found = new Int32Array(256);

  private lookup(vm: number, hi: number, lo: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let i = slotHash(vm, hi, lo) & mask;
    for (;;) {
      const id = slots[i]!;
      if (id < 0) break;
      if (this.loOf[id] === lo && this.hiOf[id] === hi && this.vmOf[id] === vm) return id;
      i = (i + 1) & mask;
    }
    const id = this.count++;
    if (id >= this.vmOf.length) this.growKeys();
    this.vmOf[id] = vm;
    this.hiOf[id] = hi;
    this.loOf[id] = lo;
    slots[i] = id;
    this.hashed = this.count;
    // Keep the load factor at or below 1/2.
    if (this.count * 2 > mask) this.rehash(this.slots.length * 2);
    return id;
  }

  /**
   * Adds a key the caller knows to be new, with the next id, without looking it up (a paged
   * vmt file's distinct pages: see vmt.ts); it is hashed at the next lookup.
   */
  append(vm: number, hi: number, lo: number): number {
    const id = this.count++;
    if (id >= this.vmOf.length) this.growKeys();
    this.vmOf[id] = vm;
    this.hiOf[id] = hi;
    this.loOf[id] = lo;
    return id;
  }

  private growKeys(): void {
    const n = this.vmOf.length * 2;
    const vm = new Uint16Array(n);
    vm.set(this.vmOf);
    const hi = new Uint32Array(n);
    hi.set(this.hiOf);
    const lo = new Uint32Array(n);
    lo.set(this.loOf);
    this.vmOf = vm;
    this.hiOf = hi;
    this.loOf = lo;
  }

  /** Builds the hash table anew, at least `size` slots, for every id (load factor at most 1/2). */
  private rehash(size: number): void {
    while (this.count * 2 > size - 1) size *= 2;
    const slots = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (let id = 0; id < this.count; id++) {
      const lo = this.loOf[id]!;
      const hi = this.hiOf[id]!;
      const vm = this.vmOf[id]!;
      let i = slotHash(vm, hi, lo) & mask;
      while (slots[i]! >= 0) i = (i + 1) & mask;
      slots[i] = id;
    }
    this.slots = slots;
    this.mask = mask;
    this.hashed = this.count;
  }
}

/**
 * Where a page key (VM, page number hi:lo) starts its probe in the table: cheap, not uniform
 * enough for sampling (SHARDS has its own hash, in mrc.ts).
 */
function slotHash(vm: number, hi: number, lo: number): number {
  const h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1) ^ Math.imul(vm, 0x85ebca77), 0xc2b2ae3d);
  return h ^ (h >>> 15);
}
