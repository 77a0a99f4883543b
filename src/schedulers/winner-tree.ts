/**
 * A max segment tree over slots 0..size-1 (size a power of two): each node holds the largest key
 * below it and the slot it came from, equal keys to the lower slot. Node i's key is at 2i and its
 * slot at 2i + 1 of one array, so that a node is one read (the leaves are nodes size..2 size - 1).
 * A slot never set holds -Infinity (and slot -1).
 */
export class WinnerTree {
  readonly data: Float64Array;

  constructor(readonly size: number) {
    this.data = new Float64Array(4 * size);
    for (let i = 0; i < 2 * size; i++) {
      this.data[2 * i] = -Infinity;
      this.data[2 * i + 1] = -1;
    }
  }

  /** the largest key */
  get bestKey(): number {
    return this.data[2]!;
  }

  /** its slot (the lowest of equal ones; meaningless when bestKey is -Infinity) */
  get best(): number {
    return this.data[3]!;
  }

  /** Slot v's key, without updating the nodes above it (pullAll() after a batch). */
  put(v: number, key: number): void {
    const j = 2 * (this.size + v);
    this.data[j] = key;
    this.data[j + 1] = v;
  }

  /** Every inner node from its children. */
  pullAll(): void {
    for (let i = this.size - 1; i >= 1; i--) this.pull(i);
  }

  /** Slot v's key, and the nodes above it. */
  set(v: number, key: number): void {
    const d = this.data;
    let i = this.size + v;
    if (d[2 * i] === key && d[2 * i + 1] === v) return;
    d[2 * i] = key;
    d[2 * i + 1] = v;
    // Every node is the pull of its children: once one comes out as it was, so do all above it.
    for (i >>= 1; i >= 1; i >>= 1) {
      const oldKey = d[2 * i]!;
      const oldSlot = d[2 * i + 1]!;
      this.pull(i);
      if (d[2 * i] === oldKey && d[2 * i + 1] === oldSlot) break;
    }
  }

  private pull(i: number): void {
    const d = this.data;
    const l = 4 * i;
    const r = l + 2;
    // the left child (the lower slots) wins ties
    if (d[r]! > d[l]!) {
      d[2 * i] = d[r]!;
      d[2 * i + 1] = d[r + 1]!;
    } else {
      d[2 * i] = d[l]!;
      d[2 * i + 1] = d[l + 1]!;
    }
  }
}
