import { PageList } from './list.js';
import type { Accept, PolicyDefinition, ReplacementPolicy } from './policy.js';

/** LRU: evict the page accessed least recently (list head = least recent). */
class Lru implements ReplacementPolicy {
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
  hit(page: number): void {
    this.list.moveToBack(page);
  }
  remove(page: number): void {
    this.list.unlink(page);
  }
  victim(accept: Accept): number {
    return this.list.firstAccepted(accept);
  }
}

export const lru = {
  name: 'lru',
  summary: 'least recently used: evicts the page accessed longest ago',
  needsFuture: false,
  create: () => new Lru(),
} satisfies PolicyDefinition;
