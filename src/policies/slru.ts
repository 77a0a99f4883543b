import { PageList } from './list.js';
import { grown, type Accept, type PolicyContext, type PolicyDefinition, type ReplacementPolicy } from './policy.js';

const SEGMENTS = 4;
const NONE = 255;
/** a page libCacheSim's SLRU evicted on a hit: still in a frame here (see below) */
const DROPPED = 254;

/**
 * Segmented LRU as libCacheSim runs it with its defaults: four LRU segments 0..3, each of
 * floor(C / 4) pages (head = least recent). A fault loads the page into the lowest segment with
 * room; when none has room (memory full) the least recent page of the lowest non-empty segment
 * is evicted and the page goes to segment 0. A hit in segment 3 makes the page its most recent;
 * a hit in segment s < 3 moves the page to segment s + 1, and while a segment holds more than its
 * share its least recent page moves down one segment (from segment 0: it is evicted).
 *
 * When C is not a multiple of 4 segment 0 holds up to C mod 4 pages over its share, and a hit that
 * moves a page out of it evicts that many pages: libCacheSim then holds fewer pages than C until
 * the next faults. A frame simulator evicts only on faults, so such pages stay in their frames
 * here ("dropped"): the next faults take their frames first (as libCacheSim fills its free space
 * without evicting). A dropped page accessed before that is a hit here and a miss in libCacheSim;
 * it is then placed as libCacheSim places the missing page. With C a multiple of 4 nothing is
 * ever dropped, and the counts are libCacheSim's.
 */
class Slru implements ReplacementPolicy {
  private readonly segs: PageList[] = [];
  private readonly dropped = new PageList();
  private seg = new Uint8Array(0);
  private evicting = -1;
  /** the page being loaded follows an eviction: it goes to segment 0 */
  private placeLow = false;
  /** accesses to dropped pages (hits here, misses in libCacheSim) */
  droppedHits = 0;
  private readonly capacity: () => number;

  constructor(ctx: PolicyContext) {
    for (let i = 0; i < SEGMENTS; i++) this.segs.push(new PageList());
    this.capacity = ctx.capacity ?? (() => this.size);
  }

  get size(): number {
    const g = this.segs;
    return this.dropped.size + g[0]!.size + g[1]!.size + g[2]!.size + g[3]!.size;
  }
  resize(pages: number): void {
    for (const s of this.segs) s.resize(pages);
    this.dropped.resize(pages);
    this.seg = grown(this.seg, pages, NONE);
  }

  private share(): number {
    return Math.floor(this.capacity() / SEGMENTS);
  }

  private put(page: number, s: number): void {
    this.segs[s]!.pushBack(page);
    this.seg[page] = s;
  }

  /** where libCacheSim puts a missing page */
  private place(page: number): void {
    let s = 0;
    if (!this.placeLow) {
      const share = this.share();
      while (s < SEGMENTS && this.segs[s]!.size + 1 > share) s++;
      if (s === SEGMENTS) s = 0;
    }
    this.placeLow = false;
    this.put(page, s);
  }

  insert(page: number): void {
    this.place(page);
  }

  hit(page: number): void {
    const s = this.seg[page]!;
    if (s === DROPPED) {
      this.droppedHits++;
      this.dropped.unlink(page);
      this.placeLow = false;
      this.place(page);
    } else if (s === SEGMENTS - 1) this.segs[s]!.moveToBack(page);
    else {
      this.segs[s]!.unlink(page);
      this.put(page, s + 1);
      const share = this.share();
      while (this.segs[s + 1]!.size > share) this.cool(s + 1, share);
    }
  }

  /** moves segment s's least recent page down one segment; from segment 0 it is dropped */
  private cool(s: number, share: number): void {
    const list = this.segs[s]!;
    const p = list.head;
    list.unlink(p);
    if (s === 0) {
      this.dropped.pushBack(p);
      this.seg[p] = DROPPED;
      return;
    }
    this.put(p, s - 1);
    while (this.segs[s - 1]!.size > share) this.cool(s - 1, share);
  }

  remove(page: number): void {
    const s = this.seg[page]!;
    if (s === DROPPED) this.dropped.unlink(page);
    else this.segs[s]!.unlink(page);
    this.seg[page] = NONE;
    if (page === this.evicting) {
      this.evicting = -1;
      this.placeLow = s !== DROPPED;
    }
  }

  victim(accept: Accept): number {
    // Dropped pages first: libCacheSim has room for the page without evicting.
    let q = this.dropped.firstAccepted(accept);
    for (let s = 0; q < 0 && s < SEGMENTS; s++) q = this.segs[s]!.firstAccepted(accept);
    this.evicting = q;
    return q;
  }
}

export const slru = {
  name: 'slru',
  summary: 'segmented LRU: four LRU segments of C/4 pages; a hit promotes one segment, overflow demotes',
  needsFuture: false,
  engineFree: true,
  create: (ctx: PolicyContext) => new Slru(ctx),
} satisfies PolicyDefinition;
