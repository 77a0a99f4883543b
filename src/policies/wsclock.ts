import { DEFAULT_POLICY_OPTIONS, grown, type Accept, type PolicyContext, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

/**
 * WSCLOCK (Carr and Hennessy, SOSP 1981): CLOCK's circular list in load order and hand, with the
 * working-set window of Denning. Time is virtual, per VM: a VM's clock counts its own accesses
 * (hits and loads), and each page keeps the time of its last use (exact: the simulator sees
 * every access, so no reference bit stands in for it). Age = the VM's accesses since the page's
 * last use; a page is old when its age exceeds --tau. A new page goes just behind the hand.
 *
 * On eviction the hand sweeps one full circle from where it is: an old clean page is evicted;
 * an old dirty page is written back (a swap-out, the engine's writeBack; it stays resident and
 * clean) and passed; young pages are passed. After a full circle without a victim, the first
 * clean page from the hand is evicted (a page written back in that circle counts as clean),
 * else the page at the hand. Pages `accept` refuses are not candidates: passed untouched.
 * Shortcuts that choose the same page (youngUntil, the run known dirty, the clean count) keep a
 * search from going round the circle twice when every resident page is young and most are
 * dirty (docs/os-policies.md, Speed).
 */
class WsClock implements ReplacementPolicy {
  /**
   * per page, four numbers side by side (one 32-byte record, one cache line per step of the
   * hand): [4p] the previous page in the circle, [4p + 1] the next (-1: none; the circle is a
   * list from head to tail, the tail's successor is the head), [4p + 2] its VM's time at its last
   * use, [4p + 3] its VM x 2 + 1 when dirty (-1 before its first load)
   */
  private rec = new Float64Array(0);
  private head = -1;
  private count = 0;
  private hand = -1;
  /** per VM: accesses so far */
  private vmTime = new Float64Array(16);
  /** all VMs' accesses so far (a VM's time grows by at most as much as this) */
  private time = 0;
  /**
   * While `time` is at most this, no resident page is old: set by a full circle that found none
   * (then + the least slack, tau - age, of the pages it passed: a VM's time grows at most as fast
   * as `time`), lowered by loads (a new page's slack is tau), untouched by hits (they make pages
   * younger). -1: unknown. The circle's first loop then has nothing to do and is skipped.
   */
  private youngUntil = -1;
  /**
   * A run of pages known to be dirty, from dirtyFrom to dirtyTo in circle order (-1: none): the
   * pages the last search for a clean page passed. Where the hand stands at its start, the next
   * search starts after it. Pages turn clean only when the first loop writes them back (which
   * ends the run just before such a page, or forgets it when the hand is elsewhere); a new page
   * goes in just behind the hand, outside the run when the hand is at its start (else the run is
   * forgotten); removing an end moves it one page in.
   */
  private dirtyFrom = -1;
  private dirtyTo = -1;
  /** resident pages that are clean (none: the search for one can stop before it starts) */
  private cleanPages = 0;

  constructor(
    private readonly tau: number,
    private readonly vmOf: (page: number) => number,
    private readonly writeBack: (page: number) => boolean,
  ) {}

  get size(): number {
    return this.count;
  }

  resize(pages: number): void {
    // -1: a page never loaded (its VM not yet known)
    this.rec = grown(this.rec, 4 * pages, -1);
  }

  private after(p: number): number {
    const n = this.rec[4 * p + 1]!;
    return n >= 0 ? n : this.head;
  }

  insert(page: number, _position: number, write = false): void {
    const rec = this.rec;
    // a page's VM never changes: asked once, on its first load (the record is read here anyway)
    const known = rec[4 * page + 3]!;
    const v = known >= 0 ? known >>> 1 : this.vmOf(page);
    if (v >= this.vmTime.length) this.vmTime = grown(this.vmTime, v + 1);
    rec[4 * page + 2] = ++this.vmTime[v]!;
    rec[4 * page + 3] = 2 * v + (write ? 1 : 0);
    this.time++;
    if (this.youngUntil >= 0 && this.time + this.tau < this.youngUntil) this.youngUntil = this.time + this.tau;
    if (this.hand !== this.dirtyFrom) this.dirtyFrom = -1;
    if (!write) this.cleanPages++;
    if (this.hand < 0) {
      // the only page
      rec[4 * page] = -1;
      rec[4 * page + 1] = -1;
      this.head = this.hand = page;
    } else {
      // just behind the hand
      const at = this.hand;
      const before = rec[4 * at]!;
      rec[4 * page] = before;
      rec[4 * page + 1] = at;
      rec[4 * at] = page;
      if (before >= 0) rec[4 * before + 1] = page;
      else this.head = page;
    }
    this.count++;
  }

  hit(page: number, _position: number, write = false): void {
    const rec = this.rec;
    const x = rec[4 * page + 3]!;
    rec[4 * page + 2] = ++this.vmTime[x >>> 1]!;
    this.time++;
    if (write && (x & 1) === 0) {
      rec[4 * page + 3] = x | 1;
      this.cleanPages--;
    }
  }

  remove(page: number): void {
    if ((this.rec[4 * page + 3]! & 1) === 0) this.cleanPages--;
    // the run known dirty loses an end: it starts one later, or ends one earlier
    if (page === this.dirtyFrom) {
      if (page === this.dirtyTo) this.dirtyFrom = -1;
      else this.dirtyFrom = this.after(page);
    } else if (page === this.dirtyTo) {
      const before = this.rec[4 * page]!;
      if (before >= 0) this.dirtyTo = before;
      else this.dirtyFrom = -1;
    }
    if (page === this.hand) this.hand = this.count > 1 ? this.after(page) : -1;
    const rec = this.rec;
    const a = rec[4 * page]!;
    const b = rec[4 * page + 1]!;
    if (a >= 0) rec[4 * a + 1] = b;
    else this.head = b;
    if (b >= 0) rec[4 * b] = a;
    this.count--;
  }

  victim(accept: Accept): number {
    if (this.hand < 0) return -1;
    const n = this.count;
    let p = this.hand;
    const rec = this.rec;
    const vmTime = this.vmTime;
    const tau = this.tau;
    if (!(this.youngUntil >= 0 && this.time <= this.youngUntil)) {
      this.youngUntil = -1;
      /** the least tau - age of the pages passed: all young when the circle ends without an old page */
      let slack = Infinity;
      let old = false;
      // walking the run known dirty (when the hand is at its start): a page written back in it ends it just before
      let inRun = this.dirtyFrom === p;
      let last = -1;
      for (let steps = n; steps > 0; steps--, p = this.after(p)) {
        const here = inRun;
        if (here && p === this.dirtyTo) inRun = false;
        const passed = last;
        last = p;
        const x = rec[4 * p + 3]!;
        const young = tau - (vmTime[x >>> 1]! - rec[4 * p + 2]!);
        if (young >= 0) {
          if (young < slack) slack = young;
          continue;
        }
        old = true;
        if (accept !== null && !accept(p)) continue;
        if ((x & 1) === 0) return (this.hand = p);
        if (this.writeBack(p)) {
          rec[4 * p + 3] = x & ~1;
          this.cleanPages++;
          if (here && passed >= 0) {
            this.dirtyTo = passed;
            inRun = false;
          } else if (here || this.dirtyFrom !== this.hand) this.dirtyFrom = -1;
        }
      }
      if (!old) this.youngUntil = this.time + slack;
    }
    // A full circle: the first clean candidate from the hand, else the hand's.
    if (accept === null) return this.firstClean(p);
    this.dirtyFrom = -1;
    for (let steps = n; steps > 0; steps--, p = this.after(p)) if ((rec[4 * p + 3]! & 1) === 0 && accept(p)) return (this.hand = p);
    for (let steps = n; steps > 0; steps--, p = this.after(p)) if (accept(p)) return (this.hand = p);
    return -1;
  }

  /** The first clean page from the hand (at `hand`), past the run known dirty; else the hand's page. */
  private firstClean(hand: number): number {
    if (this.cleanPages === 0) return (this.hand = hand);
    const rec = this.rec;
    // `last`: the last page known dirty, walking from the hand
    let last = hand;
    if (this.dirtyFrom === hand) last = this.dirtyTo;
    else if ((rec[4 * hand + 3]! & 1) === 0) return (this.hand = hand);
    for (let q = this.after(last); q !== hand; last = q, q = this.after(q)) {
      if ((rec[4 * q + 3]! & 1) === 0) {
        this.dirtyFrom = hand;
        this.dirtyTo = last;
        return (this.hand = q);
      }
    }
    // none clean: the hand's page (every page is dirty)
    this.dirtyFrom = hand;
    this.dirtyTo = last;
    return (this.hand = hand);
  }
}

export const wsclock = {
  name: 'wsclock',
  summary: "working-set clock: evicts a page unused for over --tau of its VM's accesses, writing back old dirty pages",
  needsFuture: false,
  options: ['tau'],
  create: (ctx: PolicyContext) => {
    if (!ctx.vmOf || !ctx.writeBack) throw new Error('wsclock needs the engine (vmOf, writeBack)');
    return new WsClock(ctx.options?.tau ?? DEFAULT_POLICY_OPTIONS.tau, ctx.vmOf, ctx.writeBack);
  },
} satisfies PolicyDefinition;
