import { PageList } from './list.js';
import type { Accept, PolicyDefinition, ReplacementPolicy } from './policy.js';

/** FIFO: evict the page loaded earliest; hits do not reorder. */
class Fifo implements ReplacementPolicy {
  private readonly list = new PageList();
  get size(): number {
    return this.list.size;
  }
  resize(pages: number): void {
    this.list.resize(pages);
  }
  insert(page: number): void {
    this.list.pushBack(page);
  }
  hit(): void {}
  remove(page: number): void {
    this.list.unlink(page);
  }
  victim(accept: Accept): number {
    return this.list.firstAccepted(accept);
  }
}

export const fifo = {
  name: 'fifo',
  summary: 'first in, first out: evicts the page loaded earliest',
  needsFuture: false,
  create: () => new Fifo(),
} satisfies PolicyDefinition;
