import { PageList } from './list.js';
import { grown, type Accept, type PolicyContext, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

const NONE = 0;
const SMALL = 1;
const MAIN = 2;
const GHOST = 3;

/**
 * S3-FIFO (Yang et al., SOSP 2023) as libCacheSim runs it with its defaults: a small FIFO (10% of
 * the capacity C, rounded down), a main FIFO with reinsertion (the rest), and a ghost FIFO of
 * evicted page ids (90% of C, rounded down). A hit adds one to the page's count (at most 3).
 * A fault loads a page into the small queue, or into the main queue when its id is in the ghost
 * (the id leaves the ghost). To evict: from the main queue when it holds more than its share or
 * the small queue is empty, else from the small queue. Small: its oldest page moves to the main
 * queue (count 0) when its count is 2 or more, else it is evicted and its id enters the ghost
 * (the ghost drops its oldest id when full); repeated until one is evicted (if the small queue
 * empties first, the main queue evicts). Main: its oldest page with a count is moved to the new
 * end with the count minus one; the first with count 0 is evicted (no ghost).
 * Each list's head is its oldest page.
 */
class S3Fifo implements ReplacementPolicy {
  private readonly small = new PageList();
  private readonly main = new PageList();
  private readonly ghost = new PageList();
  private where = new Uint8Array(0);
  private freq = new Uint8Array(0);
  /** the missing page whose ghost lookup is done, and whether it was in the ghost */
  private found = -1;
  private foundGhost = false;
  /** the page victim() named from the small queue (its id enters the ghost on removal) */
  private evicting = -1;
  private readonly incoming: Int32Array | undefined;
  private readonly capacity: () => number;

  constructor(ctx: PolicyContext) {
    this.incoming = ctx.incoming;
    this.capacity = ctx.capacity ?? (() => this.size);
  }

  get size(): number {
    return this.small.size + this.main.size;
  }
  resize(pages: number): void {
    this.small.resize(pages);
    this.main.resize(pages);
    this.ghost.resize(pages);
    this.where = grown(this.where, pages);
    this.freq = grown(this.freq, pages);
  }

  /** libCacheSim's lookup of a page that is not resident: an id in the ghost leaves it */
  private find(page: number): void {
    if (this.found === page) return;
    this.found = page;
    this.foundGhost = this.where[page] === GHOST;
    if (this.foundGhost) {
      this.ghost.unlink(page);
      this.where[page] = NONE;
    }
  }

  insert(page: number): void {
    this.find(page);
    this.found = -1;
    this.freq[page] = 0;
    if (this.foundGhost) {
      this.main.pushBack(page);
      this.where[page] = MAIN;
    } else {
      this.small.pushBack(page);
      this.where[page] = SMALL;
    }
  }

  hit(page: number): void {
    if (this.freq[page]! < 3) this.freq[page]!++;
  }

  remove(page: number): void {
    const w = this.where[page];
    if (w === SMALL) this.small.unlink(page);
    else this.main.unlink(page);
    this.where[page] = NONE;
    if (page !== this.evicting) return;
    this.evicting = -1;
    const cap = Math.floor(this.capacity() * 0.9);
    if (cap <= 0) return;
    while (this.ghost.size >= cap) {
      const old = this.ghost.head;
      this.ghost.unlink(old);
      this.where[old] = NONE;
    }
    this.ghost.pushBack(page);
    this.where[page] = GHOST;
  }

  victim(accept: Accept): number {
    const x = this.incoming?.[0] ?? -1;
    if (x >= 0 && x < this.where.length && this.where[x] !== SMALL && this.where[x] !== MAIN) this.find(x);
    const c = this.capacity();
    const mainCap = c - Math.floor(c * 0.1);
    const smallFirst = !(this.main.size > mainCap || this.small.size === 0);
    let q = smallFirst ? this.fromSmall(accept) : -1;
    if (q < 0) q = this.fromMain(accept);
    if (q < 0 && !smallFirst) q = this.fromSmall(accept);
    return q;
  }

  private fromSmall(accept: Accept): number {
    const { small, main, freq, where } = this;
    for (let p = small.head; p >= 0; ) {
      const n = small.next(p);
      if (freq[p]! >= 2) {
        small.unlink(p);
        main.pushBack(p);
        where[p] = MAIN;
        freq[p] = 0;
      } else if (accept === null || accept(p)) {
        this.evicting = p;
        return p;
      }
      p = n;
    }
    return -1;
  }

  private fromMain(accept: Accept): number {
    const { main, freq } = this;
    let p = main.head;
    // A count is at most 3, so four passes meet every page with count 0.
    for (let steps = 4 * main.size + 1; p >= 0 && steps > 0; steps--) {
      const n = main.next(p);
      if (freq[p]! >= 1) {
        freq[p]!--;
        main.moveToBack(p);
      } else if (accept === null || accept(p)) {
        this.evicting = -1;
        return p;
      }
      p = n >= 0 ? n : main.head;
    }
    return -1;
  }
}

export const s3fifo = {
  name: 's3fifo',
  summary: 'S3-FIFO (SOSP 2023): small FIFO (10%), main FIFO with reinsertion, ghost of evicted ids (90%)',
  needsFuture: false,
  engineFree: true,
  create: (ctx: PolicyContext) => new S3Fifo(ctx),
} satisfies PolicyDefinition;
