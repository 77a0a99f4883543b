/**
 * A doubly linked list of page ids in typed arrays (prev/next indexed by page id), the layout of
 * isaacs/node-lru-cache: no node objects, O(1) insert, unlink and move.
 */
import { grown } from './policy.js';

export class PageList {
  prev = new Int32Array(0);
  next = new Int32Array(0);
  head = -1;
  tail = -1;
  size = 0;

  resize(pages: number): void {
    this.prev = grown(this.prev, pages);
    this.next = grown(this.next, pages);
  }

  /** appends at the tail */
  pushBack(p: number): void {
    this.prev[p] = this.tail;
    this.next[p] = -1;
    if (this.tail >= 0) this.next[this.tail] = p;
    else this.head = p;
    this.tail = p;
    this.size++;
  }

  /** inserts `p` just before `at` */
  insertBefore(at: number, p: number): void {
    const before = this.prev[at]!;
    this.prev[p] = before;
    this.next[p] = at;
    this.prev[at] = p;
    if (before >= 0) this.next[before] = p;
    else this.head = p;
    this.size++;
  }

  unlink(p: number): void {
    const a = this.prev[p]!;
    const b = this.next[p]!;
    if (a >= 0) this.next[a] = b;
    else this.head = b;
    if (b >= 0) this.prev[b] = a;
    else this.tail = a;
    this.size--;
  }

  moveToBack(p: number): void {
    if (this.tail === p) return;
    this.unlink(p);
    this.pushBack(p);
  }

  /** first page from the head that `accept` takes, or -1 */
  firstAccepted(accept: ((p: number) => boolean) | null): number {
    if (accept === null) return this.head;
    for (let p = this.head; p >= 0; p = this.next[p]!) if (accept(p)) return p;
    return -1;
  }
}

/**
 * A policy whose order is one list: loads go to the tail, the victim is the first page from the
 * head that `accept` takes. FIFO uses it as is (hits do not reorder); LRU moves a hit page to
 * the tail.
 */
export class QueuePolicy {
  protected readonly list = new PageList();
  get size(): number {
    return this.list.size;
  }
  resize(pages: number): void {
    this.list.resize(pages);
  }
  insert(page: number): void {
    this.list.pushBack(page);
  }
  hit(_page: number): void {}
  remove(page: number): void {
    this.list.unlink(page);
  }
  victim(accept: ((p: number) => boolean) | null): number {
    return this.list.firstAccepted(accept);
  }
}
