import { PageList } from './list.js';
import { grown, type Accept, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

/**
 * SIEVE (Zhang et al., NSDI 2024), as libCacheSim runs it: one queue in load order (new pages at
 * the new end, never moved), a visited bit per page, and a hand. A hit sets the bit. To evict, the
 * hand (starting at the old end, or where it stopped last time) walks towards the new end,
 * clearing set bits, and takes the first page whose bit is clear; it then rests on that page's
 * newer neighbour (off the new end: back to the old end next time). A page removed under the hand
 * moves the hand to its newer neighbour. List head = oldest.
 */
class Sieve implements ReplacementPolicy {
  private readonly list = new PageList();
  private visited = new Uint8Array(0);
  /** the next page the hand looks at; -1: start from the oldest */
  private hand = -1;

  get size(): number {
    return this.list.size;
  }
  resize(pages: number): void {
    this.list.resize(pages);
    this.visited = grown(this.visited, pages);
  }
  insert(page: number): void {
    this.visited[page] = 0;
    this.list.pushBack(page);
  }
  hit(page: number): void {
    this.visited[page] = 1;
  }
  remove(page: number): void {
    if (page === this.hand) this.hand = this.list.next(page);
    this.list.unlink(page);
  }
  victim(accept: Accept): number {
    const list = this.list;
    if (list.size === 0) return -1;
    const visited = this.visited;
    let p = this.hand >= 0 ? this.hand : list.head;
    // Two turns meet every page with its bit clear (the first clears them all).
    for (let steps = 2 * list.size + 1; steps > 0; steps--) {
      if (visited[p] !== 0) visited[p] = 0;
      else if (accept === null || accept(p)) {
        this.hand = list.next(p);
        return p;
      }
      p = list.next(p);
      if (p < 0) p = list.head;
    }
    this.hand = p;
    return -1;
  }
}

export const sieve = {
  name: 'sieve',
  summary: 'SIEVE (NSDI 2024): a hand sweeps from old to new, sparing visited pages; pages never move',
  needsFuture: false,
  engineFree: true,
  create: () => new Sieve(),
} satisfies PolicyDefinition;
