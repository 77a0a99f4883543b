import { QueuePolicy } from './list.js';
import { SharedGroups, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

/** FIFO: evict the page loaded earliest; hits do not reorder (the list is load order). */
class Fifo extends QueuePolicy implements ReplacementPolicy {}

export const fifo = {
  name: 'fifo',
  summary: 'first in, first out: evicts the page loaded earliest',
  needsFuture: false,
  ordersSubsets: true,
  create: () => new Fifo(),
  createGroups: () => new SharedGroups(() => new Fifo()),
} satisfies PolicyDefinition;
