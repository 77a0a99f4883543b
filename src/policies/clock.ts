import { PageList } from './list.js';
import { grown, type Accept, type GroupedPolicy, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

/**
 * CLOCK (second chance), libCacheSim's Clock with a 1-bit counter: pages in a circular list in
 * load order, one reference bit each, a hand. A hit sets the bit; a new page goes just behind
 * the hand with its bit clear; eviction moves the hand over set bits (clearing them) and takes
 * the first page whose bit is clear. The list is linear, read circularly (tail wraps to head).
 */
class Clock implements ReplacementPolicy {
  private readonly list = new PageList();
  private ref = new Uint8Array(0);
  private hand = -1;

  /** Work on arrays shared with other clocks over other pages (ClockGroups). */
  share(links: Int32Array<ArrayBuffer>, ref: Uint8Array<ArrayBuffer>): void {
    this.list.links = links;
    this.ref = ref;
  }

  get size(): number {
    return this.list.size;
  }
  resize(pages: number): void {
    this.list.resize(pages);
    this.ref = grown(this.ref, pages);
  }
  private after(p: number): number {
    const n = this.list.next(p);
    return n >= 0 ? n : this.list.head;
  }
  insert(page: number): void {
    this.ref[page] = 0;
    if (this.hand < 0) {
      this.list.pushBack(page);
      this.hand = page;
    } else this.list.insertBefore(this.hand, page);
  }
  hit(page: number): void {
    this.ref[page] = 1;
  }
  remove(page: number): void {
    if (page === this.hand) this.hand = this.list.size > 1 ? this.after(page) : -1;
    this.list.unlink(page);
  }
  victim(accept: Accept): number {
    if (this.hand < 0) return -1;
    const ref = this.ref;
    let p = this.hand;
    // Two full turns visit every page with its bit clear (the first turn clears them); if none
    // is accepted the hand has come full circle and rests where it began.
    for (let steps = 2 * this.list.size; steps > 0; steps--) {
      if (ref[p] !== 0) {
        ref[p] = 0;
        p = this.after(p);
      } else if (accept === null || accept(p)) {
        this.hand = p;
        return p;
      } else p = this.after(p);
    }
    this.hand = p;
    return -1;
  }
}

/**
 * Clocks for many groups at once (PolicyDefinition.createGroups): one Clock per group, each with
 * its hand and its list head, all over one links array and one array of reference bits indexed
 * by page id (a page is in one group's clock at a time), so that a group has no arrays of its
 * own to grow and no ids of its own to translate. Each group is a Clock, so it chooses exactly
 * as a clock given only that group's pages would.
 */
class ClockGroups implements GroupedPolicy {
  private readonly clocks: Clock[] = [];
  private links = new Int32Array(0);
  private ref = new Uint8Array(0);

  get length(): number {
    return this.clocks.length;
  }

  add(): number {
    const c = new Clock();
    c.share(this.links, this.ref);
    return this.clocks.push(c) - 1;
  }

  resize(pages: number): void {
    if (pages <= this.ref.length) return;
    this.links = grown(this.links, 2 * pages);
    this.ref = grown(this.ref, pages);
    for (const c of this.clocks) c.share(this.links, this.ref);
  }

  insert(page: number, group: number): void {
    this.clocks[group]!.insert(page);
  }

  hit(page: number, group: number): void {
    this.clocks[group]!.hit(page);
  }

  remove(page: number, group: number): void {
    this.clocks[group]!.remove(page);
  }

  size(group: number): number {
    return this.clocks[group]!.size;
  }

  victim(group: number, accept: Accept): number {
    return this.clocks[group]!.victim(accept);
  }
}

export const clock = {
  name: 'clock',
  summary: 'second chance: a hand sweeps pages in load order, sparing those referenced since its last pass',
  needsFuture: false,
  create: () => new Clock(),
  createGroups: () => new ClockGroups(),
} satisfies PolicyDefinition;
