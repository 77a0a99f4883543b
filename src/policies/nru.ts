import { LoadSlots, SlotSet } from './load-order.js';
import { DEFAULT_POLICY_OPTIONS, grown, type Accept, type PolicyContext, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

/** class of a page that is not resident */
const NONE = 255;

/**
 * NRU, not recently used (Tanenbaum, Modern Operating Systems 3.4.2): a referenced bit R and a
 * modified bit M per page; every access sets R (a load is an access), a write sets M. R bits are
 * cleared at every tick, when the host's access count reaches a multiple of --tick (before the
 * access at position k * tick is served); M stays set until the page leaves memory. The victim
 * is the earliest-loaded page of the lowest non-empty class 2R + M: 0 (not referenced, clean),
 * 1 (not referenced, modified), 2 (referenced, clean), 3 (referenced, modified).
 *
 * Each class is a SlotSet over load order, so the victim is one first() away; a tick moves only
 * the pages referenced since the last one (listed as they are referenced) from classes 2 and 3
 * down to 0 and 1: O(1) amortised per access, each step log32(frames) word operations.
 */
class Nru implements ReplacementPolicy {
  private readonly slots = new LoadSlots();
  private readonly classes = [0, 1, 2, 3].map(() => new SlotSet(64));
  private classOf = new Uint8Array(0);
  /** pages that entered class 2 or 3 since the last tick (may repeat; checked when used) */
  private referenced = new Int32Array(64);
  private referencedCount = 0;
  private epoch = 0;
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
    this.classOf = grown(this.classOf, pages, NONE);
  }

  /** applies the ticks up to host position `position` */
  private sync(position: number): void {
    if (position < this.nextTick) return;
    const epoch = Math.floor(position / this.tick);
    this.epoch = epoch;
    this.nextTick = (epoch + 1) * this.tick;
    const classOf = this.classOf;
    const slotOf = this.slots.slotOf;
    for (let i = 0; i < this.referencedCount; i++) {
      const p = this.referenced[i]!;
      const c = classOf[p]!;
      if (c === 2 || c === 3) {
        this.classes[c]!.delete(slotOf[p]!);
        this.classes[c - 2]!.add(slotOf[p]!);
        classOf[p] = c - 2;
      }
    }
    this.referencedCount = 0;
  }

  private noteReferenced(p: number): void {
    if (this.referencedCount === this.referenced.length) this.referenced = grown(this.referenced, this.referencedCount + 1);
    this.referenced[this.referencedCount++] = p;
  }

  insert(page: number, position: number, write = false): void {
    this.sync(position);
    const c = write ? 3 : 2;
    this.classOf[page] = c;
    if (this.slots.assign(page)) this.rebuild();
    else this.classes[c]!.add(this.slots.slotOf[page]!);
    this.noteReferenced(page);
  }

  /** after the slots were renumbered: every set from the pages' classes */
  private rebuild(): void {
    const capacity = this.slots.capacity;
    for (const set of this.classes) set.reset(capacity);
    const pageAt = this.slots.pageAt;
    for (let s = 0; s < this.slots.end; s++) this.classes[this.classOf[pageAt[s]!]!]!.add(s);
  }

  hit(page: number, position: number, write = false): void {
    this.sync(position);
    const c = this.classOf[page]!;
    const next = 2 | (c & 1) | (write ? 1 : 0);
    if (next === c) return;
    const slot = this.slots.slotOf[page]!;
    this.classes[c]!.delete(slot);
    this.classes[next]!.add(slot);
    this.classOf[page] = next;
    if (c < 2) this.noteReferenced(page);
  }

  remove(page: number): void {
    this.classes[this.classOf[page]!]!.delete(this.slots.slotOf[page]!);
    this.classOf[page] = NONE;
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
      const c = this.classOf[p]!;
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
  options: ['tick'],
  create: (ctx: PolicyContext) => new Nru(ctx.options?.tick ?? DEFAULT_POLICY_OPTIONS.tick, ctx.now),
} satisfies PolicyDefinition;
