import { PageList } from './list.js';
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
  private readonly list = new PageList();
  private hand = -1;
  /**
   * per page, side by side (one cache line per access): [3p] its VM's time at its last use,
   * [3p + 1] its VM, [3p + 2] 1 when dirty
   */
  private meta = new Float64Array(0);
  /** per VM: accesses so far */
  private vmTime = new Float64Array(16);

  constructor(
    private readonly tau: number,
    private readonly vmOf: (page: number) => number,
    private readonly writeBack: (page: number) => boolean,
  ) {}

  get size(): number {
    return this.list.size;
  }

  resize(pages: number): void {
    this.list.resize(pages);
    this.meta = grown(this.meta, 3 * pages);
  }

  private after(p: number): number {
    const n = this.list.next(p);
    return n >= 0 ? n : this.list.head;
  }

  insert(page: number, _position: number, write = false): void {
    const v = this.vmOf(page);
    if (v >= this.vmTime.length) this.vmTime = grown(this.vmTime, v + 1);
    const meta = this.meta;
    meta[3 * page] = ++this.vmTime[v]!;
    meta[3 * page + 1] = v;
    meta[3 * page + 2] = write ? 1 : 0;
    if (this.hand < 0) {
      this.list.pushBack(page);
      this.hand = page;
    } else this.list.insertBefore(this.hand, page);
  }

  hit(page: number, _position: number, write = false): void {
    const meta = this.meta;
    meta[3 * page] = ++this.vmTime[meta[3 * page + 1]!]!;
    if (write) meta[3 * page + 2] = 1;
  }

  remove(page: number): void {
    if (page === this.hand) this.hand = this.list.size > 1 ? this.after(page) : -1;
    this.list.unlink(page);
  }

  victim(accept: Accept): number {
    if (this.hand < 0) return -1;
    const start = this.hand;
    const n = this.list.size;
    let p = start;
    const meta = this.meta;
    for (let steps = n; steps > 0; steps--, p = this.after(p)) {
      if (accept !== null && !accept(p)) continue;
      if (this.vmTime[meta[3 * p + 1]!]! - meta[3 * p]! <= this.tau) continue;
      if (meta[3 * p + 2] === 0) return (this.hand = p);
      if (this.writeBack(p)) meta[3 * p + 2] = 0;
    }
    // A full circle: the first clean candidate from the hand, else the hand's.
    for (let steps = n; steps > 0; steps--, p = this.after(p)) if (meta[3 * p + 2] === 0 && (accept === null || accept(p))) return (this.hand = p);
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
