import { PageList } from './list.js';
import { grown, type Accept, type PolicyContext, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

const NONE = 0;
const AIN = 1;
const AM = 2;
const AOUT = 3;

/**
 * 2Q (Johnson and Shasha, VLDB 1994), the full version as libCacheSim runs it with its defaults:
 * A1in, a FIFO of pages seen once (target 25% of the capacity C, rounded down); Am, an LRU list
 * of pages seen again; A1out, a FIFO of ids evicted from A1in (50% of C, rounded down). A fault
 * loads a page into A1in, or into Am (most recent end) when its id is in A1out (the id leaves
 * it). A hit in Am makes the page most recent; a hit in A1in changes nothing. To evict: when
 * A1in holds more than its target, its oldest page, whose id enters A1out (which drops its oldest
 * id when full); else Am's least recent page. Each list's head is its oldest (least recent) page.
 */
class TwoQ implements ReplacementPolicy {
  private readonly ain = new PageList();
  private readonly am = new PageList();
  private readonly aout = new PageList();
  private where = new Uint8Array(0);
  private found = -1;
  private foundGhost = false;
  /** the page victim() named from A1in (its id enters A1out on removal) */
  private evicting = -1;
  private readonly incoming: Int32Array | undefined;
  private readonly capacity: () => number;

  constructor(ctx: PolicyContext) {
    this.incoming = ctx.incoming;
    this.capacity = ctx.capacity ?? (() => this.size);
  }

  get size(): number {
    return this.ain.size + this.am.size;
  }
  resize(pages: number): void {
    this.ain.resize(pages);
    this.am.resize(pages);
    this.aout.resize(pages);
    this.where = grown(this.where, pages);
  }

  /** libCacheSim's lookup of a page that is not resident: an id in A1out leaves it */
  private find(page: number): void {
    if (this.found === page) return;
    this.found = page;
    this.foundGhost = this.where[page] === AOUT;
    if (this.foundGhost) {
      this.aout.unlink(page);
      this.where[page] = NONE;
    }
  }

  insert(page: number): void {
    this.find(page);
    this.found = -1;
    if (this.foundGhost) {
      this.am.pushBack(page);
      this.where[page] = AM;
    } else {
      this.ain.pushBack(page);
      this.where[page] = AIN;
    }
  }

  hit(page: number): void {
    if (this.where[page] === AM) this.am.moveToBack(page);
  }

  remove(page: number): void {
    if (this.where[page] === AIN) this.ain.unlink(page);
    else this.am.unlink(page);
    this.where[page] = NONE;
    if (page !== this.evicting) return;
    this.evicting = -1;
    const cap = Math.floor(this.capacity() * 0.5);
    if (cap <= 0) return;
    while (this.aout.size >= cap) {
      const old = this.aout.head;
      this.aout.unlink(old);
      this.where[old] = NONE;
    }
    this.aout.pushBack(page);
    this.where[page] = AOUT;
  }

  victim(accept: Accept): number {
    const x = this.incoming?.[0] ?? -1;
    if (x >= 0 && x < this.where.length && this.where[x] !== AIN && this.where[x] !== AM) this.find(x);
    const fromAin = this.ain.size > Math.floor(this.capacity() * 0.25);
    let q = (fromAin ? this.ain : this.am).firstAccepted(accept);
    if (q >= 0) {
      this.evicting = fromAin ? q : -1;
      return q;
    }
    q = (fromAin ? this.am : this.ain).firstAccepted(accept);
    this.evicting = !fromAin && q >= 0 ? q : -1;
    return q;
  }
}

export const twoq = {
  name: 'twoq',
  summary: '2Q (VLDB 1994): A1in FIFO (25%) for pages seen once, Am LRU, A1out ghost of ids (50%)',
  needsFuture: false,
  engineFree: true,
  create: (ctx: PolicyContext) => new TwoQ(ctx),
} satisfies PolicyDefinition;
