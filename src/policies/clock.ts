import { PageList } from './list.js';
import { grown, SharedGroups, type Accept, type InlineClock, type InlineQueue, type PolicyDefinition, type SharingPolicy } from './policy.js';

/** A clock's per-page arrays: its list's links and the reference bits (shared by groups: SharedGroups). */
interface ClockArrays {
  links: Int32Array<ArrayBuffer>;
  ref: Uint8Array<ArrayBuffer>;
}

/**
 * CLOCK (second chance), libCacheSim's Clock with a 1-bit counter: pages in a circular list in
 * load order, one reference bit each, a hand. A hit sets the bit; a new page goes just behind
 * the hand with its bit clear; eviction moves the hand over set bits (clearing them) and takes
 * the first page whose bit is clear. The list is linear, read circularly (tail wraps to head).
 */
class Clock implements SharingPolicy<ClockArrays>, InlineClock {
  private readonly list = new PageList();
  /** the reference bits and the hand; public for the engine's inline replay (InlineQueue) */
  ref = new Uint8Array(0);
  hand = -1;
  private readonly inline: InlineQueue = { list: this.list, movesOnHit: false, clock: this };

  inlineQueue(): InlineQueue {
    return this.inline;
  }

  arrays(): ClockArrays {
    return { links: this.list.links, ref: this.ref };
  }

  share(arrays: ClockArrays): void {
    this.list.links = arrays.links;
    this.ref = arrays.ref;
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

export const clock = {
  name: 'clock',
  summary: 'second chance: a hand sweeps pages in load order, sparing those referenced since its last pass',
  needsFuture: false,
  engineFree: true,
  create: () => new Clock(),
  createGroups: () => new SharedGroups(() => new Clock()),
} satisfies PolicyDefinition;
