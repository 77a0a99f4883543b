/**
 * A doubly linked list of page ids in a typed array (the layout of isaacs/node-lru-cache: no
 * node objects, O(1) insert, unlink and move). A page's two links sit side by side, links[2p]
 * (previous) and links[2p + 1] (next): one cache line for both.
 */
import { grown } from './policy.js';

export class PageList {
  links = new Int32Array(0);
  head = -1;
  tail = -1;
  size = 0;

  resize(pages: number): void {
    this.links = grown(this.links, 2 * pages);
  }

  next(p: number): number {
    return this.links[2 * p + 1]!;
  }

  /** appends at the tail */
  pushBack(p: number): void {
    const links = this.links;
    const tail = this.tail;
    links[2 * p] = tail;
    links[2 * p + 1] = -1;
    if (tail >= 0) links[2 * tail + 1] = p;
    else this.head = p;
    this.tail = p;
    this.size++;
  }

  /** inserts `p` just before `at` */
  insertBefore(at: number, p: number): void {
    const links = this.links;
    const before = links[2 * at]!;
    links[2 * p] = before;
    links[2 * p + 1] = at;
    links[2 * at] = p;
    if (before >= 0) links[2 * before + 1] = p;
    else this.head = p;
    this.size++;
  }

  unlink(p: number): void {
    const links = this.links;
    const a = links[2 * p]!;
    const b = links[2 * p + 1]!;
    if (a >= 0) links[2 * a + 1] = b;
    else this.head = b;
    if (b >= 0) links[2 * b] = a;
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
    for (let p = this.head; p >= 0; p = this.next(p)) if (accept(p)) return p;
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
  /** its list's links (SharingPolicy: one array for the lists of many groups) */
  arrays(): Int32Array<ArrayBuffer> {
    return this.list.links;
  }
  share(links: Int32Array<ArrayBuffer>): void {
    this.list.links = links;
  }
}
