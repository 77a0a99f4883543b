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
    if (write) rec[4 * page + 3] = x | 1;
  }

  remove(page: number): void {
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
    for (let steps = n; steps > 0; steps--, p = this.after(p)) {
      if (accept !== null && !accept(p)) continue;
      const x = rec[4 * p + 3]!;
      if (vmTime[x >>> 1]! - rec[4 * p + 2]! <= this.tau) continue;
      if ((x & 1) === 0) return (this.hand = p);
      if (this.writeBack(p)) rec[4 * p + 3] = x & ~1;
    }
    // A full circle: the first clean candidate from the hand, else the hand's.
    for (let steps = n; steps > 0; steps--, p = this.after(p)) if ((rec[4 * p + 3]! & 1) === 0 && (accept === null || accept(p))) return (this.hand = p);
    for (let steps = n; steps > 0; steps--, p = this.after(p)) if (accept === null || accept(p)) return (this.hand = p);
    return -1;
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
