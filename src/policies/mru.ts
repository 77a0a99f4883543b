import { QueuePolicy } from './list.js';
import type { Accept, PolicyDefinition, ReplacementPolicy } from './policy.js';

/**
 * MRU: evict the page accessed most recently (Chou and DeWitt's pick for looping scans, where
 * the page just used is the one needed last). The list is LRU's (head = least recent); the
 * victim is taken from the tail.
 */
class Mru extends QueuePolicy implements ReplacementPolicy {
  override hit(page: number): void {
    this.list.moveToBack(page);
  }
  override victim(accept: Accept): number {
    const links = this.list.links;
    for (let p = this.list.tail; p >= 0; p = links[2 * p]!) if (accept === null || accept(p)) return p;
    return -1;
  }
}

export const mru = {
  name: 'mru',
  summary: 'most recently used: evicts the page accessed last (good for loops larger than memory)',
  needsFuture: false,
  engineFree: true,
  create: () => new Mru(),
} satisfies PolicyDefinition;
