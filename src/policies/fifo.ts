import { QueuePolicy } from './list.js';
import { SharedGroups, type InlineQueue, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

/** FIFO: evict the page loaded earliest; hits do not reorder (the list is load order). */
class Fifo extends QueuePolicy implements ReplacementPolicy {
  private readonly inline: InlineQueue = { list: this.list, movesOnHit: false, clock: null };
  inlineQueue(): InlineQueue {
    return this.inline;
  }
}

export const fifo = {
  name: 'fifo',
  summary: 'first in, first out: evicts the page loaded earliest',
  needsFuture: false,
  engineFree: true,
  ordersSubsets: true,
  create: () => new Fifo(),
  createGroups: () => new SharedGroups(() => new Fifo()),
} satisfies PolicyDefinition;
