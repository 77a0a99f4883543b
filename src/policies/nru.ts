import { LoadSlots, SlotSet } from './load-order.js';
import { DEFAULT_POLICY_OPTIONS, type Accept, type PolicyContext, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

/**
 * NRU, not recently used (Tanenbaum, Modern Operating Systems 3.4.2): a referenced bit R and a
 * modified bit M per page; every access sets R (a load is an access), a write sets M. R bits are
 * cleared at every tick, when the host's access count reaches a multiple of --tick (before the
 * access at position k * tick is served); M stays set until the page leaves memory. The victim
 * is the earliest-loaded page of the lowest non-empty class 2R + M: 0 (not referenced, clean),
 * 1 (not referenced, modified), 2 (referenced, clean), 3 (referenced, modified).
 *
 * Each class is a SlotSet over load order, so the victim is one first() away. A tick moves every
 * page of classes 2 and 3 down to 0 and 1: the sets are merged word by word (SlotSet.moveAllInto),
 * so no page is visited. A page's class is its M bit (kept per page) and whether it is in the
 * referenced set of that M: O(1) per access, each step log32(frames) word operations, and a tick
 * costs frames / 256 word operations at most.
 */
class Nru implements ReplacementPolicy {
  /** per page, side by side: [2p] its slot in load order (-1 when not resident), [2p + 1] its M bit */
  private readonly slots = new LoadSlots(2);
  /** class c's pages: classes[2R + M] */
  private readonly classes = [0, 1, 2, 3].map(() => new SlotSet(64));
  /** the host position of the next tick: a cheaper test than dividing on every access */
  private nextTick: number;

  constructor(
    private readonly tick: number,
    private readonly now: (() => number) | undefined,
  ) {
    this.nextTick = tick;
  }

  get size(): number {
    return this.slots.count;
  }

  resize(pages: number): void {
    this.slots.resize(pages);
  }

  /** applies the ticks up to host position `position` (one is as many: R bits are cleared) */
  private sync(position: number): void {
    if (position >= this.nextTick) this.tickTo(position);
  }

  private tickTo(position: number): void {
    this.nextTick = (Math.floor(position / this.tick) + 1) * this.tick;
    const classes = this.classes;
    classes[2]!.moveAllInto(classes[0]!);
    classes[3]!.moveAllInto(classes[1]!);
  }

  /** page p's class 2R + M */
  private classOf(p: number): number {
    const rec = this.slots.rec;
    const m = rec[2 * p + 1]!;
    return this.classes[2 + m]!.has(rec[2 * p]!) ? 2 + m : m;
  }

  insert(page: number, position: number, write = false): void {
    this.sync(position);
    const rec = this.slots.rec;
    const m = write ? 1 : 0;
    rec[2 * page + 1] = m;
    this.slots.assign(page, this.classes);
    this.classes[2 + m]!.add(rec[2 * page]!);
  }

  hit(page: number, position: number, write = false): void {
    this.sync(position);
    const rec = this.slots.rec;
    const slot = rec[2 * page]!;
    const m = rec[2 * page + 1]!;
    const referenced = this.classes[2 + m]!.has(slot);
    const next = write ? 1 : m;
    if (referenced && next === m) return;
    this.classes[referenced ? 2 + m : m]!.delete(slot);
    this.classes[2 + next]!.add(slot);
    rec[2 * page + 1] = next;
  }

  remove(page: number): void {
    this.classes[this.classOf(page)]!.delete(this.slots.rec[2 * page]!);
    this.slots.release(page);
  }

  victim(accept: Accept): number {
    if (this.now !== undefined) this.sync(this.now());
    if (accept === null) {
      for (const set of this.classes) {
        const s = set.first();
        if (s >= 0) return this.slots.pageAt[s]!;
      }
      return -1;
    }
    // Swap full or a filtered candidate set (rare): one pass in load order.
    let best = -1;
    let bestClass = 4;
    const pageAt = this.slots.pageAt;
    for (let s = 0; s < this.slots.end && bestClass > 0; s++) {
      const p = pageAt[s]!;
      if (p < 0) continue;
      const c = this.classOf(p);
      if (c < bestClass && accept(p)) {
        best = p;
        bestClass = c;
      }
    }
    return best;
  }
}

export const nru = {
  name: 'nru',
  summary: 'not recently used: lowest class of (referenced, modified), R bits cleared every --tick accesses; ties: loaded earliest',
  needsFuture: false,
  engineReads: ['now'],
  options: ['tick'],
  create: (ctx: PolicyContext) => new Nru(ctx.options?.tick ?? DEFAULT_POLICY_OPTIONS.tick, ctx.now),
} satisfies PolicyDefinition;
