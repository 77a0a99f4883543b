/**
 * A max tree over slots 0..size-1: the largest key and the slot it came from, equal keys to the
 * lower slot (a slot never set holds -Infinity). Sixteen children per node, so that 10,000 VMs
 * are 4 levels above the leaves instead of 14: balance updates two leaves on almost every fault
 * (the faulting VM's and its victim's), and a level is one dependent read of a few cache lines.
 * Each node holds the best of its children as a scan would find it (larger key first, then lower
 * slot), so an update stops as soon as a node's value cannot change: a child that did not win
 * and still does not, or a rescan that comes out as before.
 */
const FAN = 16;
const SHIFT = 4;

export class WinnerTree {
  /** per level, from the leaves up: each node's best key */
  private readonly keys: Float64Array[] = [];
  /** per level: the slot of that key (the leaves' are their own indices) */
  private readonly slots: Int32Array[] = [];
  private readonly top: number;

  constructor(readonly size: number) {
    let count = Math.max(1, size);
    for (;;) {
      this.keys.push(new Float64Array(count).fill(-Infinity));
      this.slots.push(new Int32Array(count));
      if (count === 1) break;
      count = Math.ceil(count / FAN);
    }
    this.top = this.keys.length - 1;
    const leaves = this.slots[0]!;
    for (let v = 0; v < leaves.length; v++) leaves[v] = v;
    this.pullAll();
  }

  /** the largest key */
  get bestKey(): number {
    return this.keys[this.top]![0]!;
  }

  /** its slot (the lowest of equal ones; meaningless when bestKey is -Infinity) */
  get best(): number {
    return this.slots[this.top]![0]!;
  }

  /** Slot v's key, without updating the nodes above it (pullAll() after a batch). */
  put(v: number, key: number): void {
    this.keys[0]![v] = key;
  }

  /** Every inner node from its children. */
  pullAll(): void {
    for (let level = 1; level <= this.top; level++) {
      const n = this.keys[level]!.length;
      for (let i = 0; i < n; i++) this.rescan(level, i);
    }
  }

  /** Slot v's key, and the nodes above it. */
  set(v: number, key: number): void {
    const leaves = this.keys[0]!;
    if (leaves[v] === key) return;
    leaves[v] = key;
    // the changed child: its index, its new best (k, s) and the slot it held before
    let i = v;
    let k = key;
    let s = v;
    let before = v;
    for (let level = 1; level <= this.top; level++) {
      const p = i >>> SHIFT;
      const keys = this.keys[level]!;
      const slots = this.slots[level]!;
      const oldKey = keys[p]!;
      const oldSlot = slots[p]!;
      if (k > oldKey || (k === oldKey && s < oldSlot)) {
        // the child now beats what was the best of all its children
        keys[p] = k;
        slots[p] = s;
      } else if (before === oldSlot) {
        // the child held the best and got worse: the best of the children again
        this.rescan(level, p);
        if (keys[p] === oldKey && slots[p] === oldSlot) return;
      } else return; // a child that did not hold the best and still does not: nothing above changes
      i = p;
      k = keys[p]!;
      s = slots[p]!;
      before = oldSlot;
    }
  }

  /** Node i of `level` from its children: the first of the largest keys. */
  private rescan(level: number, i: number): void {
    const childKeys = this.keys[level - 1]!;
    const childSlots = this.slots[level - 1]!;
    const first = i << SHIFT;
    const end = Math.min(first + FAN, childKeys.length);
    let bestKey = childKeys[first]!;
    let bestSlot = childSlots[first]!;
    for (let c = first + 1; c < end; c++) {
      if (childKeys[c]! > bestKey) {
        bestKey = childKeys[c]!;
        bestSlot = childSlots[c]!;
      }
    }
    this.keys[level]![i] = bestKey;
    this.slots[level]![i] = bestSlot;
  }
}
