/**
 * Swap slots with identities, for frame stores whose frames back several pages (content
 * sharing): evicting a shared frame writes one copy to one slot, which each of its dirty pages
 * then holds; the slot stays charged to the VM whose page was named victim and is free when its
 * last page lets go (written, released). Without sharing each slot has exactly one page, and the
 * engine counts slots without naming them.
 */
import { grown } from '../policies/policy.js';

export class SwapSlots {
  /** per page: the slot it holds, -1 none */
  private slotOf = new Int32Array(0);
  private slotRefs = new Int32Array(1024);
  private slotVm = new Int32Array(1024);
  private freeSlots: number[] = [];
  private slotsMade = 0;

  ensurePages(n: number): void {
    if (n > this.slotOf.length) this.slotOf = grown(this.slotOf, n, -1);
  }

  /** A new slot charged to VM v, held by no page yet. */
  create(v: number): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.slotsMade++;
      if (slot >= this.slotRefs.length) {
        this.slotRefs = grown(this.slotRefs, slot + 1);
        this.slotVm = grown(this.slotVm, slot + 1);
      }
    }
    this.slotRefs[slot] = 0;
    this.slotVm[slot] = v;
    return slot;
  }

  /** page p's content is in `slot` */
  hold(p: number, slot: number): void {
    this.slotOf[p] = slot;
    this.slotRefs[slot]!++;
  }

  /** Page p lets go of its slot: the VM the slot was charged to when that freed it, else -1. */
  drop(p: number): number {
    const slot = this.slotOf[p]!;
    this.slotOf[p] = -1;
    if (slot < 0) return -1;
    if (--this.slotRefs[slot]! !== 0) return -1;
    this.freeSlots.push(slot);
    return this.slotVm[slot]!;
  }

  /** slots some page holds (invariant checks) */
  held(): number {
    let n = 0;
    for (let k = 0; k < this.slotsMade; k++) if (this.slotRefs[k]! > 0) n++;
    return n;
  }
}
