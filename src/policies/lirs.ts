import { PageList } from './list.js';
import { grown, type Accept, type PolicyContext, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

// per-page flags
const IN_S = 1;
const S_LIR = 2;
/** the page's entry in S is resident (LIRS's "in cache") */
const S_RES = 4;
const IN_Q = 8;
const IN_NH = 16;
/** held in a frame here though libCacheSim's LIRS has let it go (see below) */
const DROPPED = 32;
const HERE = 64;

/** a page's block: its (previous, next) links in Q, NH and the dropped list (and 8 bytes unused) */
const STRIDE = 8;

/**
 * PageList's operations on one list whose links share a 32-byte block per page with two others'
 * (Q's, NH's, the dropped pages'): a fault evicting Q's oldest page moves it through all three,
 * which then touches one cache line of it, not three. S keeps a PageList of its own: a hit moves
 * a page in S only, and S's links packed 8 bytes a page keep the hot pages' in fewer lines (in
 * the block, and with the flags beside them, the hits were slower).
 */
class BlockList {
  links = new Int32Array(0);
  head = -1;
  tail = -1;
  size = 0;
  constructor(private readonly off: number) {}

  next(p: number): number {
    return this.links[STRIDE * p + this.off + 1]!;
  }

  pushBack(p: number): void {
    const links = this.links;
    const tail = this.tail;
    const at = STRIDE * p + this.off;
    links[at] = tail;
    links[at + 1] = -1;
    if (tail >= 0) links[STRIDE * tail + this.off + 1] = p;
    else this.head = p;
    this.tail = p;
    this.size++;
  }

  unlink(p: number): void {
    const links = this.links;
    const at = STRIDE * p + this.off;
    const a = links[at]!;
    const b = links[at + 1]!;
    if (a >= 0) links[STRIDE * a + this.off + 1] = b;
    else this.head = b;
    if (b >= 0) links[STRIDE * b + this.off] = a;
    else this.tail = a;
    this.size--;
  }

  moveToBack(p: number): void {
    if (this.tail === p) return;
    this.unlink(p);
    this.pushBack(p);
  }

  /** first page from the head that `accept` takes, or -1 */
  firstAccepted(accept: Accept): number {
    if (accept === null) return this.head;
    for (let p = this.head; p >= 0; p = this.next(p)) if (accept(p)) return p;
    return -1;
  }
}

/**
 * LIRS (Jiang and Zhang, SIGMETRICS 2002) as libCacheSim runs it with its defaults. H =
 * max(1, floor(C / 100)) frames for resident HIR pages, L = C - H for LIR pages. S is the LIRS
 * stack (an LRU list of LIR pages and resident and non-resident HIR pages, bottom = head), Q the
 * LRU list of resident HIR pages, NH the non-resident HIR entries of S in the order they became
 * non-resident. Per access to page x:
 * - x in S: it moves to the top of S (and of Q when there). A LIR x: S is pruned (HIR entries
 *   leave its bottom, the last entry stays). A resident HIR x: it leaves Q, the bottom of S is
 *   demoted while L is full, and x becomes LIR. A non-resident HIR x: a miss (below).
 * - x only in Q (resident HIR): the bottom of S is demoted while L is full, and x enters the top
 *   of S as a resident HIR (it stays in Q).
 * - a miss on a non-resident HIR x: the bottom of S is demoted while L is full, x leaves NH; it
 *   becomes a resident LIR. A miss on a new x: when L and H are both full, Q's oldest page is
 *   evicted; x enters S as LIR while L has room, else S and Q as a resident HIR.
 * - demoting the bottom of S: it leaves S and counts out of L, Q's oldest pages are evicted while
 *   H is full, it enters Q's top, and S is pruned. Evicting Q's oldest: its S entry (if any)
 *   becomes non-resident and enters NH.
 * - after every access, while S holds more than 2C entries, NH's oldest leaves S and NH.
 *
 * libCacheSim's LIRS evicts on hits too (a hit on a page only in Q while L and H are full demotes
 * S's bottom into a full Q), and the accounting of its rarer paths can let it hold a page more or
 * less than C. A frame simulator evicts only on faults, so this class keeps libCacheSim's state
 * exactly and holds the pages it let go in their frames ("dropped"): the next faults take those
 * frames first, as libCacheSim fills free space without evicting. A dropped page accessed before
 * that is a hit here and a miss in libCacheSim (counted in droppedHits); the access then runs
 * libCacheSim's miss path, so the two stay in step. If a fault finds nothing dropped, Q's oldest
 * page is evicted as LIRS would.
 */
class Lirs implements ReplacementPolicy {
  private readonly s = new PageList();
  private readonly q = new BlockList(0);
  private readonly nh = new BlockList(2);
  private readonly dropped = new BlockList(4);
  private flags = new Uint8Array(0);
  private lirs = 0;
  private hirs = 0;
  /** libCacheSim's own count of the bytes (pages) it holds */
  private occ = 0;
  private resident = 0;
  /** the missing page whose miss path up to its insertion ran in victim() */
  private prepared = -1;
  private preparedAdmit = false;
  droppedHits = 0;
  private readonly incoming: Int32Array | undefined;
  private readonly capacity: () => number;

  constructor(ctx: PolicyContext) {
    this.incoming = ctx.incoming;
    this.capacity = ctx.capacity ?? (() => this.resident);
  }

  get size(): number {
    return this.resident;
  }
  resize(pages: number): void {
    this.s.resize(pages);
    const links = grown(this.q.links, STRIDE * pages);
    this.q.links = this.nh.links = this.dropped.links = links;
    this.flags = grown(this.flags, pages);
  }

  private hLimit(): number {
    return Math.max(1, Math.floor(0.01 * this.capacity()));
  }

  /** in libCacheSim's cache: a LIR or resident HIR entry in S, or an entry in Q */
  private held(p: number): boolean {
    const f = this.flags[p]!;
    return (f & IN_Q) !== 0 || ((f & IN_S) !== 0 && (f & (S_LIR | S_RES)) !== 0);
  }

  /** p may have left libCacheSim's cache: if it is in a frame here, it is dropped */
  private left(p: number): void {
    const f = this.flags[p]!;
    if ((f & (HERE | DROPPED)) === HERE && !this.held(p)) {
      this.dropped.pushBack(p);
      this.flags[p] = f | DROPPED;
    }
  }

  private undrop(p: number): void {
    if ((this.flags[p]! & DROPPED) !== 0) {
      this.dropped.unlink(p);
      this.flags[p]! &= ~DROPPED;
    }
  }

  private sRemove(p: number): void {
    this.s.unlink(p);
    this.flags[p]! &= ~(IN_S | S_LIR | S_RES);
  }

  private nhRemove(p: number): void {
    if ((this.flags[p]! & IN_NH) !== 0) {
      this.nh.unlink(p);
      this.flags[p]! &= ~IN_NH;
    }
  }

  private prune(): void {
    const s = this.s;
    while (s.head !== s.tail) {
      const p = s.head;
      const f = this.flags[p]!;
      if ((f & S_LIR) !== 0) break;
      if ((f & S_RES) === 0) this.nhRemove(p);
      this.sRemove(p);
      this.left(p);
    }
  }

  /** Q's oldest page leaves libCacheSim's cache */
  private evictHir(): void {
    const p = this.q.head;
    if (p < 0) return;
    this.hirs--;
    this.q.unlink(p);
    this.flags[p]! &= ~IN_Q;
    if ((this.flags[p]! & IN_S) !== 0) {
      this.flags[p]! &= ~S_RES;
      this.nhRemove(p);
      this.nh.pushBack(p);
      this.flags[p]! |= IN_NH;
    }
    this.occ--;
    this.left(p);
  }

  /** the bottom of S is demoted to Q */
  private evictLir(): void {
    const p = this.s.head;
    if (p < 0) return;
    this.lirs--;
    this.sRemove(p);
    this.occ--;
    const h = this.hLimit();
    while (this.hirs + 1 > h && this.q.size > 0) this.evictHir();
    if ((this.flags[p]! & IN_Q) !== 0) this.q.moveToBack(p);
    else {
      this.q.pushBack(p);
      this.flags[p]! |= IN_Q;
    }
    this.hirs++;
    this.occ++;
    this.prune();
    this.left(p);
  }

  private demoteWhileFull(): void {
    const l = this.capacity() - this.hLimit();
    while (this.lirs + 1 > l && this.s.size > 0) this.evictLir();
  }

  /** libCacheSim's lookup with update: true when it is a hit there */
  private find(x: number): boolean {
    let f = this.flags[x]!;
    if ((f & IN_S) !== 0) this.s.moveToBack(x);
    if ((f & IN_Q) !== 0) this.q.moveToBack(x);
    if ((f & IN_S) !== 0) {
      if ((f & S_LIR) !== 0) {
        this.prune();
        return true;
      }
      if ((f & S_RES) === 0) return false;
      if ((f & IN_Q) !== 0) {
        this.hirs--;
        this.q.unlink(x);
        this.flags[x]! &= ~IN_Q;
        this.occ--;
      }
      this.demoteWhileFull();
      this.flags[x]! |= S_LIR;
      this.lirs++;
      this.occ++;
      return true;
    }
    if ((f & IN_Q) !== 0) {
      this.demoteWhileFull();
      f = this.flags[x]!;
      if ((f & IN_S) === 0) {
        this.s.pushBack(x);
        this.flags[x] = (f & ~S_LIR) | IN_S | S_RES;
      }
      // x may have left Q (it was Q's only page) and is held again through its S entry
      this.undrop(x);
      return true;
    }
    return false;
  }

  /** the miss path before insertion (admission and evictions); false when x is not admitted */
  private admit(x: number): boolean {
    const c = this.capacity();
    const h = this.hLimit();
    const l = c - h;
    const f = this.flags[x]!;
    const nonResidentHir = (f & IN_S) !== 0 && (f & (S_LIR | S_RES)) === 0;
    if (nonResidentHir) {
      this.demoteWhileFull();
      this.nhRemove(x);
    } else {
      if (1 > l || 1 > h) return false;
      if (this.lirs + 1 > l && this.hirs + 1 > h) while (this.hirs + 1 > h && this.q.size > 0) this.evictHir();
    }
    // libCacheSim's eviction loop, guarded against making no progress
    while (this.occ + 1 > c) {
      const before = this.occ;
      const g = this.flags[x]!;
      if ((g & IN_S) !== 0 && (g & (S_LIR | S_RES)) === 0) {
        while (this.hirs >= h && this.q.size > 0) this.evictHir();
        this.evictLir();
      } else if ((g & (IN_S | IN_Q)) === 0 && this.lirs + 1 > l && this.hirs + 1 > h) this.evictHir();
      if (this.occ >= before) break;
    }
    return true;
  }

  private place(x: number): void {
    const f = this.flags[x]!;
    if ((f & IN_S) !== 0 && (f & (S_LIR | S_RES)) === 0) {
      this.flags[x] = f | S_LIR | S_RES;
      this.lirs++;
      this.occ++;
      return;
    }
    if ((f & (IN_S | IN_Q)) === 0) {
      this.s.pushBack(x);
      if (this.lirs + 1 <= this.capacity() - this.hLimit()) {
        this.flags[x] = f | IN_S | S_LIR | S_RES;
        this.lirs++;
      } else {
        this.q.pushBack(x);
        this.flags[x] = f | IN_S | S_RES | IN_Q;
        this.hirs++;
      }
    } else return;
    this.occ++;
  }

  private limitStack(): void {
    const max = 2 * this.capacity();
    while (this.s.size > max && this.nh.size > 0) {
      const p = this.nh.head;
      this.nhRemove(p);
      this.sRemove(p);
    }
  }

  /** a miss in libCacheSim for x, which is in a frame here */
  private miss(x: number, admitted: boolean): void {
    if (admitted) this.place(x);
    this.limitStack();
    if (!admitted) this.left(x);
  }

  insert(page: number): void {
    this.flags[page]! |= HERE;
    this.resident++;
    if (this.prepared === page) {
      this.prepared = -1;
      this.miss(page, this.preparedAdmit);
    } else {
      this.find(page);
      this.miss(page, this.admit(page));
    }
  }

  /**
   * Kept small on purpose (engine.ts's access(): V8 inlines a policy's hit only while it is
   * small): the common hit, on a LIR page in S and not in Q, is find()'s first case inline
   * (prune() and limitStack() are called only when their loops have work); the rest in otherHit().
   */
  hit(page: number): void {
    const flags = this.flags;
    if ((flags[page]! & (IN_S | S_LIR | IN_Q | DROPPED)) !== (IN_S | S_LIR)) {
      this.otherHit(page);
      return;
    }
    const s = this.s;
    s.moveToBack(page);
    if (s.head !== s.tail && (flags[s.head]! & S_LIR) === 0) this.prune();
    if (s.size > 2 * this.capacity()) this.limitStack();
  }

  private otherHit(page: number): void {
    if ((this.flags[page]! & DROPPED) !== 0) {
      this.undrop(page);
      this.droppedHits++;
      this.find(page);
      this.miss(page, this.admit(page));
      return;
    }
    this.find(page);
    this.limitStack();
  }

  remove(page: number): void {
    this.resident--;
    const f = this.flags[page]!;
    this.flags[page] = f & ~HERE;
    if ((f & DROPPED) !== 0) {
      this.undrop(page);
      return;
    }
    // A freed page (F, RESET, OOM kill) leaves every list, as libCacheSim's remove does.
    if ((f & IN_S) !== 0) {
      // (a resident HIR page counts in hirs through its Q entry, below)
      if ((f & S_LIR) !== 0) this.lirs--;
      this.sRemove(page);
      if ((f & S_LIR) !== 0) this.prune();
    }
    this.nhRemove(page);
    if ((f & IN_Q) !== 0) {
      this.q.unlink(page);
      this.flags[page]! &= ~IN_Q;
      this.hirs--;
    }
    if ((f & (S_LIR | IN_Q)) !== 0 || (f & (IN_S | S_RES)) === (IN_S | S_RES)) this.occ--;
  }

  victim(accept: Accept): number {
    const x = this.incoming?.[0] ?? -1;
    if (x >= 0 && x < this.flags.length && (this.flags[x]! & HERE) === 0 && this.prepared !== x) {
      // (find() does nothing to a page in neither S nor Q)
      if ((this.flags[x]! & (IN_S | IN_Q)) !== 0) this.find(x);
      this.preparedAdmit = this.admit(x);
      this.prepared = x;
    }
    let q = this.dropped.firstAccepted(accept);
    // Nothing dropped: libCacheSim holds more than the frames; evict as LIRS would.
    for (let n = this.q.size; q < 0 && n > 0; n--) {
      this.evictHir();
      q = this.dropped.firstAccepted(accept);
    }
    for (let n = this.s.size; q < 0 && n > 0 && this.s.size > 0; n--) {
      this.evictLir();
      this.evictHir();
      q = this.dropped.firstAccepted(accept);
    }
    return q;
  }
}

export const lirs = {
  name: 'lirs',
  summary: 'LIRS (SIGMETRICS 2002): inter-reference recency; LIR pages (99%) stay, resident HIR pages (1%) cycle',
  needsFuture: false,
  engineFree: true,
  create: (ctx: PolicyContext) => new Lirs(ctx),
} satisfies PolicyDefinition;
