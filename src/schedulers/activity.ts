/**
 * The active fraction f of each VM's memory, for the ESX idle memory tax (`weight --idle-tax`).
 *
 * Exact (default): f = (resident pages of the VM accessed among its own last W accesses) /
 * (its resident pages), W = --active-window. Each VM keeps its active resident pages in a list in
 * order of last access; an access moves its page to the tail, pages whose last access fell out
 * of the window leave at the head. O(1) amortised per access, memory per page, not per window.
 *
 * Sampled (--sample-pages N), as ESX does it (Waldspurger, "Memory Resource Management in VMware
 * ESX Server", OSDI 2002, 5.2): each VM's time is cut into periods of W of its accesses; at the
 * start of a period N of its resident pages are drawn at random (seeded, without replacement;
 * all of them when it holds fewer), and at its end f = (sampled pages accessed during the period)
 * / (pages sampled). f is 1 (no tax) until a first period with a sample has ended. (ESX also
 * smooths the estimates with moving averages; this takes each period's estimate as it is.)
 */
import { mulberry32 } from '../rng.js';
import { grown } from '../policies/policy.js';

export interface ActiveFraction {
  addVm(vm: number): void;
  resize(pages: number): void;
  /** `page` of `vm` was loaded (before its access is reported) */
  loaded(page: number, vm: number): void;
  /**
   * `page` of `vm` was accessed (a hit, or the access that loaded it); returns false when the
   * VM's f is certainly the same as before (its resident count unchanged)
   */
  accessed(page: number, vm: number): boolean;
  /** `page` of `vm` left memory */
  unloaded(page: number, vm: number): void;
  /** f of `vm` holding `resident` pages, in [0, 1] */
  fraction(vm: number, resident: number): number;
}

/** Exact active fraction over each VM's last `window` accesses. */
export class ExactActiveFraction implements ActiveFraction {
  private seq: number[] = [];
  private head: number[] = [];
  private tail: number[] = [];
  private activeCount: number[] = [];
  /**
   * per VM, the low 32 bits of its list head's last access (a copy of node[4 head + 2]): the
   * window test after every access reads it here, not in the head page's node (with many VMs a
   * cache miss per access, on a page other than the one accessed)
   */
  private headSeq = new Int32Array(16);
  /**
   * Per page, side by side in one cache line (a replay over many pages pays one miss, not four):
   * [4p] previous and [4p + 1] next in its VM's list, [4p + 2] the low 32 bits of the VM-local
   * number of its last access (a listed page's is at most `window` behind the VM's count, so
   * the difference of the low bits is exact for any window below 2^32 accesses; a longer one
   * would count a page active past its VM's next 2^32 accesses), [4p + 3] 1 when listed.
   */
  private node = new Int32Array(0);

  constructor(private readonly window: number) {}

  addVm(vm: number): void {
    this.seq[vm] = 0;
    this.head[vm] = -1;
    this.tail[vm] = -1;
    this.activeCount[vm] = 0;
    this.headSeq = grown(this.headSeq, vm + 1);
  }

  resize(pages: number): void {
    this.node = grown(this.node, 4 * pages);
  }

  loaded(): void {}

  private unlink(page: number, vm: number): void {
    const node = this.node;
    const a = node[4 * page]!;
    const b = node[4 * page + 1]!;
    if (a >= 0) node[4 * a + 1] = b;
    else {
      this.head[vm] = b;
      if (b >= 0) this.headSeq[vm] = node[4 * b + 2]!;
    }
    if (b >= 0) node[4 * b] = a;
    else this.tail[vm] = a;
    node[4 * page + 3] = 0;
    this.activeCount[vm]!--;
  }

  accessed(page: number, vm: number): boolean {
    const node = this.node;
    const before = this.activeCount[vm]!;
    const s = this.seq[vm]!;
    this.seq[vm] = s + 1;
    if (node[4 * page + 3] !== 0) this.unlink(page, vm);
    // append at the tail
    const t = this.tail[vm]!;
    node[4 * page] = t;
    node[4 * page + 1] = -1;
    const low = s | 0;
    if (t >= 0) node[4 * t + 1] = page;
    else {
      this.head[vm] = page;
      this.headSeq[vm] = low;
    }
    this.tail[vm] = page;
    node[4 * page + 2] = low;
    node[4 * page + 3] = 1;
    this.activeCount[vm]!++;
    // pages last accessed before the window (access numbers s - W + 1 .. s) are idle
    while ((low - this.headSeq[vm]!) >>> 0 >= this.window && this.head[vm]! >= 0) this.unlink(this.head[vm]!, vm);
    return this.activeCount[vm] !== before;
  }

  unloaded(page: number, vm: number): void {
    if (this.node[4 * page + 3] !== 0) this.unlink(page, vm);
  }

  fraction(vm: number, resident: number): number {
    return resident > 0 ? this.activeCount[vm]! / resident : 0;
  }
}

/**
 * The exact active fraction of ExactActiveFraction, for a policy that already keeps each VM's
 * resident pages in order of last access (lru: GroupedPolicy.newer). The active pages, those
 * accessed among the VM's last W accesses, are then a suffix of that order: the VM's `boundary`
 * page and every page after it. An access stamps its page; the boundary moves on past the pages
 * whose stamp left the window (and past the accessed page itself, which goes to the end). Per
 * access this touches the accessed page's stamp only, where a list of its own moves the page
 * (four cache lines with many VMs: the page, its two neighbours and the list's tail).
 *
 * Calls: accessed() before the policy moves a hit page to the end (the boundary may be that
 * page) and after it lists a loaded one; unloaded() before the policy unlists the page. Stamps
 * are the VM's access count modulo 2^31, so the window must be below 2^31.
 */
export class ListedActiveFraction implements ActiveFraction {
  private seq: number[] = [];
  private activeCount = new Int32Array(16);
  /** per VM: its least recent active page, -1 when none is active */
  private boundary = new Int32Array(16).fill(-1);
  /** per VM: the boundary page's stamp (read here, not in the page's own cell) */
  private boundarySeq = new Int32Array(16);
  /** per page: the stamp of its latest access while active, -1 while idle or not resident */
  private stamp = new Int32Array(0);

  constructor(
    private readonly window: number,
    /** the page of the same VM accessed next after this one, -1 for the latest (GroupedPolicy.newer) */
    private readonly newer: (page: number) => number,
  ) {
    if (!(window < 2 ** 31)) throw new Error(`window ${window} is not below 2^31`);
  }

  addVm(vm: number): void {
    this.seq[vm] = 0;
    this.activeCount = grown(this.activeCount, vm + 1);
    this.boundary = grown(this.boundary, vm + 1, -1);
    this.boundarySeq = grown(this.boundarySeq, vm + 1);
    this.activeCount[vm] = 0;
    this.boundary[vm] = -1;
  }

  resize(pages: number): void {
    this.stamp = grown(this.stamp, pages, -1);
  }

  loaded(): void {}

  accessed(page: number, vm: number): boolean {
    const stamp = this.stamp;
    const s = this.seq[vm]!;
    this.seq[vm] = s + 1;
    const now = s & 0x7fffffff;
    const before = this.activeCount[vm]!;
    if (stamp[page]! < 0) this.activeCount[vm] = before + 1;
    stamp[page] = now;
    let b = this.boundary[vm]!;
    if (b < 0) {
      // nothing else active: the page alone, at (or on its way to) the end
      this.boundary[vm] = page;
      this.boundarySeq[vm] = now;
      return true;
    }
    let bs = this.boundarySeq[vm]!;
    // pages last accessed before the window (access numbers s - W + 1 .. s) are idle
    if (b !== page && ((now - bs) & 0x7fffffff) < this.window) return this.activeCount[vm] !== before;
    while (b >= 0 && (b === page || ((now - bs) & 0x7fffffff) >= this.window)) {
      if (b !== page) {
        stamp[b] = -1;
        this.activeCount[vm]!--;
      }
      b = this.newer(b);
      if (b >= 0) bs = stamp[b]!;
    }
    if (b < 0) {
      b = page;
      bs = now;
    }
    this.boundary[vm] = b;
    this.boundarySeq[vm] = bs;
    return this.activeCount[vm] !== before;
  }

  unloaded(page: number, vm: number): void {
    if (this.stamp[page]! < 0) return;
    this.stamp[page] = -1;
    this.activeCount[vm]!--;
    if (this.boundary[vm] !== page) return;
    const b = this.newer(page);
    this.boundary[vm] = b;
    if (b >= 0) this.boundarySeq[vm] = this.stamp[b]!;
  }

  fraction(vm: number, resident: number): number {
    return resident > 0 ? this.activeCount[vm]! / resident : 0;
  }
}

/** ESX-style statistical sampling of `samplePages` pages per period of `window` accesses. */
export class SampledActiveFraction implements ActiveFraction {
  private seq: number[] = [];
  private epoch: number[] = [];
  private sampled: number[] = [];
  private touched: number[] = [];
  private estimate: number[] = [];
  /** per VM: its resident pages, densely (for uniform draws) */
  private members: Int32Array[] = [];
  private memberCount: number[] = [];
  // per page
  private indexOf = new Int32Array(0);
  private sampledIn = new Int32Array(0);
  private touchedIn = new Int32Array(0);
  private readonly random: () => number;

  constructor(
    private readonly window: number,
    private readonly samplePages: number,
    seed: number,
  ) {
    this.random = mulberry32(seed);
  }

  addVm(vm: number): void {
    this.seq[vm] = 0;
    this.epoch[vm] = 0;
    this.sampled[vm] = 0;
    this.touched[vm] = 0;
    this.estimate[vm] = 1;
    this.members[vm] = new Int32Array(16);
    this.memberCount[vm] = 0;
  }

  resize(pages: number): void {
    this.indexOf = grown(this.indexOf, pages);
    this.sampledIn = grown(this.sampledIn, pages, -1);
    this.touchedIn = grown(this.touchedIn, pages, -1);
  }

  loaded(page: number, vm: number): void {
    const n = this.memberCount[vm]!;
    if (n >= this.members[vm]!.length) this.members[vm] = grown(this.members[vm]!, n + 1);
    this.members[vm]![n] = page;
    this.indexOf[page] = n;
    this.memberCount[vm] = n + 1;
  }

  unloaded(page: number, vm: number): void {
    const list = this.members[vm]!;
    const n = --this.memberCount[vm]!;
    const i = this.indexOf[page]!;
    const last = list[n]!;
    list[i] = last;
    this.indexOf[last] = i;
  }

  accessed(page: number, vm: number): boolean {
    const epoch = this.epoch[vm]!;
    if (this.sampledIn[page] === epoch && this.touchedIn[page] !== epoch) {
      this.touchedIn[page] = epoch;
      this.touched[vm]!++;
    }
    const s = ++this.seq[vm]!;
    if (s % this.window !== 0) return false;
    this.newPeriod(vm);
    return true;
  }

  private newPeriod(vm: number): void {
    if (this.sampled[vm]! > 0) this.estimate[vm] = this.touched[vm]! / this.sampled[vm]!;
    const epoch = ++this.epoch[vm]!;
    // Partial Fisher-Yates over the member array: the first n entries become the sample.
    const list = this.members[vm]!;
    const count = this.memberCount[vm]!;
    const n = Math.min(this.samplePages, count);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.random() * (count - i));
      const a = list[i]!;
      const b = list[j]!;
      list[i] = b;
      list[j] = a;
      this.indexOf[b] = i;
      this.indexOf[a] = j;
      this.sampledIn[b] = epoch;
    }
    this.sampled[vm] = n;
    this.touched[vm] = 0;
  }

  fraction(vm: number): number {
    return this.estimate[vm]!;
  }
}
