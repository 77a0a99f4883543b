import { PageList } from './list.js';
import { grown, type Accept, type PolicyContext, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

const NONE = 0;
const T1 = 1;
const T2 = 2;
const B1 = 3;
const B2 = 4;

/**
 * ARC (Megiddo and Modha, FAST 2003) as libCacheSim runs it (unit-size pages, a real-valued
 * target p): T1 holds pages seen once recently, T2 pages seen at least twice, B1 and B2 the ids
 * last evicted from each (ghosts). Lists are LRU, head = least recent.
 * - hit in T1 or T2: the page becomes T2's most recent.
 * - fault on an id in B1: p grows by max(|B2|/|B1|, 1) (at most C); in B2: p shrinks by
 *   max(|B1|/|B2|, 1) (at least 0); sizes taken before the id leaves its ghost. The page loads
 *   into T2. Any other fault loads into T1.
 * - evicting for a ghost hit: REPLACE. Otherwise, when |T1| + |B1| + 1 > C: with B1 non-empty,
 *   B1's oldest id is dropped and REPLACE; with B1 empty, T1's least recent page is evicted
 *   leaving no ghost. Else: when all four lists hold 2C or more, B2's oldest id is dropped; then
 *   REPLACE.
 * - REPLACE: T1's least recent page goes to B1 when T1 is non-empty and (|T1| > p, or |T1| = p
 *   and the fault hit B2), or when T2 is empty; else T2's least recent page goes to B2.
 * The decision depends on the page coming in, which the engine names in ctx.incoming.
 */
class Arc implements ReplacementPolicy {
  private readonly t1 = new PageList();
  private readonly t2 = new PageList();
  private readonly b1 = new PageList();
  private readonly b2 = new PageList();
  private where = new Uint8Array(0);
  private p = 0;
  /** the missing page whose ghost lookup is done, and the ghost it was in (B1, B2 or NONE) */
  private found = -1;
  private foundIn = NONE;
  /** the page victim() named and the ghost it enters on removal (NONE: none) */
  private evicting = -1;
  private evictTo = NONE;
  private readonly incoming: Int32Array | undefined;
  private readonly capacity: () => number;

  constructor(ctx: PolicyContext) {
    this.incoming = ctx.incoming;
    this.capacity = ctx.capacity ?? (() => this.size);
  }

  get size(): number {
    return this.t1.size + this.t2.size;
  }
  resize(pages: number): void {
    this.t1.resize(pages);
    this.t2.resize(pages);
    this.b1.resize(pages);
    this.b2.resize(pages);
    this.where = grown(this.where, pages);
  }

  /** the lookup of a missing page: a ghost hit adapts p and takes the id out of its ghost */
  private find(page: number): void {
    if (this.found === page) return;
    this.found = page;
    const w = this.where[page]!;
    this.foundIn = w === B1 || w === B2 ? w : NONE;
    if (w === B1) {
      this.p = Math.min(this.p + Math.max(this.b2.size / this.b1.size, 1), this.capacity());
      this.b1.unlink(page);
    } else if (w === B2) {
      this.p = Math.max(this.p - Math.max(this.b1.size / this.b2.size, 1), 0);
      this.b2.unlink(page);
    }
    if (this.foundIn !== NONE) this.where[page] = NONE;
  }

  insert(page: number): void {
    this.find(page);
    this.found = -1;
    if (this.foundIn !== NONE) {
      this.t2.pushBack(page);
      this.where[page] = T2;
    } else {
      this.t1.pushBack(page);
      this.where[page] = T1;
    }
  }

  hit(page: number): void {
    if (this.where[page] === T1) {
      this.t1.unlink(page);
      this.t2.pushBack(page);
      this.where[page] = T2;
    } else this.t2.moveToBack(page);
  }

  remove(page: number): void {
    if (this.where[page] === T1) this.t1.unlink(page);
    else this.t2.unlink(page);
    this.where[page] = NONE;
    if (page !== this.evicting) return;
    this.evicting = -1;
    if (this.evictTo === B1) this.b1.pushBack(page);
    else if (this.evictTo === B2) this.b2.pushBack(page);
    else return;
    this.where[page] = this.evictTo;
  }

  private dropOldest(ghost: PageList): void {
    const old = ghost.head;
    ghost.unlink(old);
    this.where[old] = NONE;
  }

  victim(accept: Accept): number {
    const x = this.incoming?.[0] ?? -1;
    let ghostHit = NONE;
    if (x >= 0 && x < this.where.length && this.where[x] !== T1 && this.where[x] !== T2) {
      this.find(x);
      ghostHit = this.foundIn;
    }
    const c = this.capacity();
    const { t1, t2, b1, b2 } = this;
    if (ghostHit === NONE) {
      if (t1.size + b1.size + 1 > c) {
        if (b1.size > 0) this.dropOldest(b1);
        else return this.take(t1, t2, NONE, accept);
      } else if (t1.size + b1.size + t2.size + b2.size >= 2 * c && b2.size > 0) this.dropOldest(b2);
    }
    const fromT1 = (t1.size > 0 && (t1.size > this.p || (t1.size === this.p && ghostHit === B2))) || t2.size === 0;
    return fromT1 ? this.take(t1, t2, B1, accept) : this.take(t2, t1, B2, accept);
  }

  /** the least recent accepted page of `first`, else of `second`; its ghost is its own list's */
  private take(first: PageList, second: PageList, ghost: number, accept: Accept): number {
    let q = first.firstAccepted(accept);
    if (q < 0) {
      q = second.firstAccepted(accept);
      if (ghost !== NONE) ghost = ghost === B1 ? B2 : B1;
    }
    this.evicting = q;
    this.evictTo = ghost;
    return q;
  }
}

export const arc = {
  name: 'arc',
  summary: 'ARC (FAST 2003): recency list T1 and frequency list T2 with ghosts B1, B2 steering their split',
  needsFuture: false,
  engineFree: true,
  create: (ctx: PolicyContext) => new Arc(ctx),
} satisfies PolicyDefinition;
