import { QueuePolicy } from './list.js';
import { SharedGroups, type InlineQueue, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

/** LRU: evict the page accessed least recently (list head = least recent). */
class Lru extends QueuePolicy implements ReplacementPolicy {
  override hit(page: number): void {
    this.list.moveToBack(page);
  }
  private readonly inline: InlineQueue = { list: this.list, movesOnHit: true, clock: null };
  inlineQueue(): InlineQueue {
    return this.inline;
  }
}

/** LRU per group over one links array: each group's list is its pages in order of last access. */
class LruGroups extends SharedGroups<Int32Array<ArrayBuffer>> {
  constructor() {
    super(() => new Lru());
  }

  newer(page: number): number {
    return this.shared()![2 * page + 1]!;
  }
}

export const lru = {
  name: 'lru',
  summary: 'least recently used: evicts the page accessed longest ago',
  needsFuture: false,
  engineFree: true,
  ordersSubsets: true,
  create: () => new Lru(),
  createGroups: () => new LruGroups(),
} satisfies PolicyDefinition;
