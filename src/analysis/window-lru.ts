/**
 * The exact LRU miss-ratio curve of each VM over one short run of accesses (a `balance` window),
 * for many VMs at once and reused from run to run. With many VMs a window holds a few accesses
 * per VM, so a fresh LruStackDistances per VM per window costs more to allocate than to use, and
 * an object per VM costs a cache miss per field. Here, while a VM's run has touched at most
 * SMALL_PAGES distinct pages, its stack is a move-to-front list in one flat array (a slot of
 * SMALL_PAGES per VM): a page's stack distance is 1 + its place in the list (Mattson's stack
 * itself, O(distinct pages) per access), counted per distance in another flat array. The first
 * access to a VM's page SMALL_PAGES + 1 moves its stack into an LruStackDistances: the listed
 * pages are accessed in it from the least recent to the most (each a first touch, so they add no
 * distance), which leaves its stack in the list's order, and from then on the VM's accesses go
 * there, their distances beside the ones counted here. Without F or RESET (a window sees
 * accesses only) LRU's stack is the recency order, so the distances, and the curve, are those of
 * one LruStackDistances over the VM's run.
 */
import { LruStackDistances } from './mrc.js';
import { grown } from '../policies/policy.js';

/** Distinct pages a VM's run may touch before its stack moves into an LruStackDistances. */
export const SMALL_PAGES = 128;
/** Lists up to this long are searched without reading the page marks. */
const SCAN_PAGES = 24;

export class WindowCurves {
  /**
   * per page: at 2p + 1 the run in which it entered its VM's list, once that list is longer than
   * SCAN_PAGES (or its stack), at 2p its id in its VM's LruStackDistances of that run
   */
  private pageInfo = new Int32Array(0);
  /** the current run (pages marked with it are in their VM's list or stack) */
  private run = 1;
  private vms = 0;
  /** per VM: accesses of this run */
  private accesses = new Float64Array(0);
  /** per VM: pages in its list; SMALL_PAGES + 1 once its run is in an LruStackDistances */
  private distinct = new Int32Array(0);
  /** per VM: the largest distance counted in `counts` */
  private smallMax = new Int32Array(0);
  /** per VM: page ids handed out in this run (once in an LruStackDistances) */
  private localCount = new Int32Array(0);
  /** VM v's list, most recent first, at v * SMALL_PAGES.. */
  private order = new Int32Array(0);
  /** accesses of VM v at distance d (1..SMALL_PAGES) at v * (SMALL_PAGES + 1) + d */
  private counts = new Float64Array(0);
  /** per VM: its stack once its run outgrew the list */
  private readonly big: (LruStackDistances | null)[] = [];

  /** `bigTimes`: an LruStackDistances' room for access times before it renumbers */
  constructor(private readonly bigTimes: number) {}

  /** One more VM (ids 0, 1, ...). */
  addVm(): void {
    const v = this.vms++;
    if (v >= this.accesses.length) {
      const cap = Math.max(16, 2 * this.accesses.length);
      this.accesses = grown(this.accesses, cap);
      this.distinct = grown(this.distinct, cap);
      this.smallMax = grown(this.smallMax, cap);
      this.localCount = grown(this.localCount, cap);
      this.order = grown(this.order, cap * SMALL_PAGES);
      this.counts = grown(this.counts, cap * (SMALL_PAGES + 1));
    }
    this.big.push(null);
  }

  /** room for pages 0..pages-1 */
  resize(pages: number): void {
    if (2 * pages > this.pageInfo.length) this.pageInfo = grown(this.pageInfo, 2 * pages);
  }

  /** An access to page p of VM vm (resize() first). */
  access(p: number, vm: number): void {
    this.accesses[vm]!++;
    const n = this.distinct[vm]!;
    if (n > SMALL_PAGES) {
      this.toBig(p, vm);
      return;
    }
    const order = this.order;
    const base = vm * SMALL_PAGES;
    // Short lists are searched as they are (no page marks to read: one cache line); longer ones
    // only when the page's mark says it is there.
    let i = -1;
    if (n <= SCAN_PAGES) {
      for (let j = base, end = base + n; j < end; j++) {
        if (order[j] === p) {
          i = j;
          break;
        }
      }
    } else if (this.pageInfo[2 * p + 1] === this.run) {
      i = base;
      while (order[i] !== p) i++;
    }
    if (i >= 0) {
      const d = i - base + 1;
      this.counts[vm * (SMALL_PAGES + 1) + d]!++;
      if (d > this.smallMax[vm]!) this.smallMax[vm] = d;
      for (; i > base; i--) order[i] = order[i - 1]!;
      order[base] = p;
      return;
    }
    if (n === SMALL_PAGES) {
      // the list is full: the stack moves into an LruStackDistances (distinct > SMALL_PAGES from now on)
      const stack = new LruStackDistances(false, this.bigTimes);
      const info = this.pageInfo;
      for (let j = base + n - 1; j >= base; j--) {
        const q = order[j]!;
        const local = this.localCount[vm]!++;
        info[2 * q] = local;
        info[2 * q + 1] = this.run;
        stack.resize(local + 1);
        stack.access(local, false);
      }
      this.big[vm] = stack;
      this.distinct[vm] = n + 1;
      this.toBig(p, vm);
      return;
    }
    for (let j = base + n; j > base; j--) order[j] = order[j - 1]!;
    order[base] = p;
    this.distinct[vm] = n + 1;
    if (n + 1 > SCAN_PAGES) {
      const info = this.pageInfo;
      const run = this.run;
      if (n === SCAN_PAGES) for (let j = base; j <= base + n; j++) info[2 * order[j]! + 1] = run;
      else info[2 * p + 1] = run;
    }
  }

  /** An access of a VM whose run outgrew its list. */
  private toBig(p: number, vm: number): void {
    // Ids within the run (0, 1, ... in order of first access), so that the stack's arrays follow
    // the run's pages, not all the VM's: every page of the run is marked with it and has one.
    const info = this.pageInfo;
    let local: number;
    if (info[2 * p + 1] === this.run) local = info[2 * p]!;
    else {
      local = this.localCount[vm]!++;
      info[2 * p] = local;
      info[2 * p + 1] = this.run;
    }
    const big = this.big[vm]!;
    big.resize(this.localCount[vm]!);
    big.access(local, false);
  }

  /**
   * VM vm's faults[x] for x = 0..its largest distance in this run ([0] for a run without
   * accesses), as curveOf gives them for one LruStackDistances over the run.
   */
  curve(vm: number): number[] {
    // A plain array: one per VM per window, and a typed array costs several times more to make.
    const accesses = this.accesses[vm]!;
    if (accesses === 0) return [0];
    const h = this.big[vm]?.result ?? null;
    const small = this.smallMax[vm]!;
    const max = Math.max(small, h === null ? 0 : h.maxDistance);
    const faults = [accesses];
    const row = vm * (SMALL_PAGES + 1);
    let sum = 0;
    for (let d = 1; d <= max; d++) {
      if (d <= small) sum += this.counts[row + d]!;
      if (h !== null) sum += h.at(d);
      faults.push(accesses - sum);
    }
    return faults;
  }

  /**
   * curve(vm), and VM vm's counts emptied as clear() empties them, while they are in the cache
   * (not in a second pass over every VM's). clear() must follow before the next access of any
   * VM (the run's page marks stay until then).
   */
  take(vm: number): number[] {
    const faults = this.curve(vm);
    this.empty(vm);
    return faults;
  }

  /** Starts a new run for every VM. */
  clear(): void {
    for (let v = 0; v < this.vms; v++) this.empty(v);
    this.run++;
  }

  private empty(v: number): void {
    if (this.accesses[v] === 0) return;
    const row = v * (SMALL_PAGES + 1);
    this.counts.fill(0, row, row + this.smallMax[v]! + 1);
    this.smallMax[v] = 0;
    this.distinct[v] = 0;
    this.accesses[v] = 0;
    this.localCount[v] = 0;
    this.big[v] = null;
  }
}
