/**
 * Spatial sampling of pages (SHARDS, Waldspurger, Park, Garthwaite and Ahmad, FAST 2015): a page
 * is in the sample when the hash of its key (VM, 64-bit page number) falls below a threshold T
 * out of 2^24, so the same page is always in or always out and a sample at rate R = T / 2^24
 * holds about R of the pages and R of the accesses.
 * - Fixed rate: T = round(R * 2^24) for the whole run.
 * - Fixed size (SHARDS_fixed): at most S pages are tracked. T starts at 2^24 (every page); when
 *   a page below T would make S + 1, T drops to the largest hash among the tracked pages and
 *   every page at or above it leaves the sample (the consumer is told, to forget it). The rate
 *   at any time is T / 2^24; the sample at the end is exactly the fixed-rate sample at the final
 *   rate.
 * The decision is made on the page's key, before the page is given a dense id, so an unsampled
 * access costs its decoding and one hash (readers of paged vmt files, which number pages
 * themselves, pay one byte per page index instead).
 */
import { grown } from '../policies/policy.js';

/** 2^24 hash buckets, as in SHARDS. */
export const SAMPLE_MODULUS = 1 << 24;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The salt `--seed S` gives (0 for no seed: the hash vmmem has always used). */
export function sampleSalt(seed: number | undefined): number {
  return seed === undefined ? 0 : fmix32(Math.imul(seed >>> 0, 0x9e3779b9) ^ 0x7f4a7c15) | 1;
}

/**
 * The sampling hash of a page key: both 32-bit halves of the page number and the VM, each mixed
 * in by murmur3's finaliser (so pages that differ only in the high half, or only in the VM, are
 * sampled independently), salted.
 */
export function pageHash(vm: number, hi: number, lo: number, salt = 0): number {
  return fmix32(fmix32(fmix32(lo ^ 0x9e3779b9 ^ salt) ^ hi) ^ Math.imul(vm + 1, 0x27d4eb2f));
}

/** What a sampler's consumer must do when a page leaves a fixed-size sample. */
export type OnEvict = (page: number) => void;

const UNDECIDED = 0;
const IN = 1;
const OUT = 2;

/**
 * Decides, page by page, what is in the sample. keepKey() is the cheap test before a page has an
 * id; admit() decides for a page with an id (and, in a fixed-size sample, tracks it).
 */
export class PageSampler {
  /** current threshold: pages whose hash (mod 2^24) is below it are in */
  threshold: number;
  /** most pages tracked at once (fixed size), or Infinity */
  readonly capacity: number;
  /** per dense page id: UNDECIDED, IN or OUT */
  private state = new Uint8Array(0);
  /** fixed size: a max-heap of the tracked pages by hash, and their hashes */
  private heap = new Int32Array(0);
  private heapHash = new Int32Array(0);
  private heapSize = 0;
  /** pages that have ever been in the sample (a fixed-size sample drops some of them again) */
  admitted = 0;
  /** pages that left a fixed-size sample */
  evicted = 0;
  onEvict: OnEvict | null = null;

  private constructor(
    threshold: number,
    capacity: number,
    readonly salt: number,
  ) {
    this.threshold = threshold;
    this.capacity = capacity;
  }

  static rate(rate: number, salt = 0): PageSampler {
    return new PageSampler(Math.round(rate * SAMPLE_MODULUS), Infinity, salt);
  }

  static size(pages: number, salt = 0): PageSampler {
    return new PageSampler(SAMPLE_MODULUS, pages, salt);
  }

  /** the sampling rate now (the final rate once the trace has been read) */
  get rate(): number {
    return this.threshold / SAMPLE_MODULUS;
  }

  /** pages in the sample now */
  get tracked(): number {
    return this.capacity === Infinity ? this.admitted : this.heapSize;
  }

  hashOf(vm: number, hi: number, lo: number): number {
    return pageHash(vm, hi, lo, this.salt) & (SAMPLE_MODULUS - 1);
  }

  /** false when the page is certainly not in the sample (before it is given an id) */
  keepKey(vm: number, hi: number, lo: number): boolean {
    return this.hashOf(vm, hi, lo) < this.threshold;
  }

  /** admit() for a page numbered elsewhere: its key is read only while it is undecided. */
  admitId(p: number, ids: { vmOf: Uint16Array; hiOf: Uint32Array; loOf: Uint32Array }): boolean {
    const s = p < this.state.length ? this.state[p]! : UNDECIDED;
    if (s !== UNDECIDED) return s === IN;
    return this.admit(p, ids.vmOf[p]!, ids.hiOf[p]!, ids.loOf[p]!);
  }

  /** Whether page `p` (key vm, hi, lo) is in the sample; a fixed-size sample may evict others. */
  admit(p: number, vm: number, hi: number, lo: number): boolean {
    if (p >= this.state.length) this.state = grown(this.state, p + 1);
    const s = this.state[p]!;
    if (s !== UNDECIDED) return s === IN;
    const h = this.hashOf(vm, hi, lo);
    if (h >= this.threshold) {
      this.state[p] = OUT;
      return false;
    }
    this.state[p] = IN;
    this.admitted++;
    if (this.capacity === Infinity) return true;
    this.push(p, h);
    if (this.heapSize > this.capacity) this.lower();
    return this.state[p] === IN;
  }

  /** Fixed size, one page too many: the threshold drops to the largest hash, and those pages leave. */
  private lower(): void {
    const top = this.heapHash[0]!;
    this.threshold = top;
    while (this.heapSize > 0 && this.heapHash[0]! >= top) {
      const q = this.pop();
      this.state[q] = OUT;
      this.evicted++;
      this.onEvict?.(q);
    }
  }

  private push(p: number, h: number): void {
    if (this.heapSize === this.heap.length) {
      this.heap = grown(this.heap, this.heapSize + 1);
      this.heapHash = grown(this.heapHash, this.heapSize + 1);
    }
    let i = this.heapSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.heapHash[parent]! >= h) break;
      this.heap[i] = this.heap[parent]!;
      this.heapHash[i] = this.heapHash[parent]!;
      i = parent;
    }
    this.heap[i] = p;
    this.heapHash[i] = h;
  }

  private pop(): number {
    const top = this.heap[0]!;
    const n = --this.heapSize;
    const p = this.heap[n]!;
    const h = this.heapHash[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.heapHash[c + 1]! > this.heapHash[c]!) c++;
      if (this.heapHash[c]! <= h) break;
      this.heap[i] = this.heap[c]!;
      this.heapHash[i] = this.heapHash[c]!;
      i = c;
    }
    this.heap[i] = p;
    this.heapHash[i] = h;
    return top;
  }
}
