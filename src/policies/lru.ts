import { QueuePolicy } from './list.js';
import { SharedGroups, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

/** LRU: evict the page accessed least recently (list head = least recent). */
class Lru extends QueuePolicy implements ReplacementPolicy {
  override hit(page: number): void {
    this.list.moveToBack(page);
  }
}

export const lru = {
  name: 'lru',
  summary: 'least recently used: evicts the page accessed longest ago',
  needsFuture: false,
  ordersSubsets: true,
  create: () => new Lru(),
  createGroups: () => new SharedGroups(() => new Lru()),
} satisfies PolicyDefinition;
