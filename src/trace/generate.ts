/**
 * Synthetic traces (`vmmem generate`): seeded access patterns over a VM's pages, yielded as the
 * same row batches the readers produce, so that every writer and the engine take them as they
 * take a file. The same plan and seed always give the same rows (mulberry32, no other source of
 * randomness, no floating-point step that differs between platforms).
 *
 * Patterns, over the pages 0 .. N-1 of each VM (N = `pages`), for M = `accesses` accesses:
 * - uniform: every access picks a page uniformly at random.
 * - zipf: page of rank k (1-based) with probability proportional to k^-alpha (alpha 0 is
 *   uniform), sampled by rejection-inversion (Hoermann and Derflinger 1996; O(1) time and
 *   memory). Ranks are scattered over the range by a seeded affine permutation
 *   page = ((k - 1) * A + B) mod N (A coprime to N), as hot pages are in a real heap.
 * - scan: one sequential pass over the range spread over the M accesses: access j touches page
 *   floor(j * N / M) (a run of M/N accesses per page when M > N; every (N/M)-th page when M < N).
 * - loop: the pages in order, again and again: access j touches page j mod N. Under LRU with
 *   fewer than N frames every access faults.
 * - phases: Denning's phase-transition model of locality: the run is split into phases of
 *   `phaseLength` accesses; each phase draws a locality set of `workingSet` consecutive pages
 *   at a random start, and its accesses are uniform within that set.
 * - mix: every access first picks a component by weight (default zipf 0.6, loop 0.2, scan 0.1,
 *   uniform 0.1), then samples it; each component keeps its own state over the same N pages.
 * An access is a write with probability `writeRatio`.
 *
 * Clones (`clones` in the options): every VM boots from one image and then runs the same plan
 * on its own. The image holds pages 0 .. N-1; each is a zero page with probability
 * `zeroFraction` (drawn once, from a stream of its own), else it holds the token `img-k`. Each
 * VM's rows start with one row per data page of the image, in page order (op `imageOp`: W loads
 * the image into memory, A only records what the page holds), then its M pattern accesses. A
 * pattern write leaves VM-private content (`<vm>-<n>`, n counting that VM's private writes from
 * 0) with probability `diverge`; otherwise it writes again what the page holds: its current
 * token, or, for a page that still holds the zero page, `common-k`, which every clone that
 * writes page k without diverging writes alike.
 */
import { UsageError } from '../errors.js';
import { mulberry32 } from '../rng.js';
import type { ContentNames } from './content.js';
import { OP_READ, OP_WRITE, RowBatch } from './rows.js';

export const PATTERNS = ['uniform', 'zipf', 'scan', 'loop', 'phases', 'mix'] as const;
export type PatternName = (typeof PATTERNS)[number];
export type MixComponent = Exclude<PatternName, 'mix'>;
export type MixWeights = Partial<Record<MixComponent, number>>;

export const DEFAULT_MIX: MixWeights = { zipf: 0.6, loop: 0.2, scan: 0.1, uniform: 0.1 };

/** Everything one VM's accesses are drawn from (validated by `checkPlan`). */
export interface VmPlan {
  name: string;
  pattern: PatternName;
  pages: number;
  accesses: number;
  /** zipf exponent */
  alpha: number;
  /** probability that an access is a write */
  writeRatio: number;
  /** address of page 0 */
  base: bigint;
  /** phases: pages in a locality set */
  workingSet: number;
  /** phases: accesses per phase */
  phaseLength: number;
  /** mix: component weights (need not sum to 1) */
  mix: MixWeights;
}

export interface GenerateOptions {
  seed: number;
  pageSize: number;
  /** a random 8-byte-aligned offset within the page (scan: the sequential position) instead of the page's first byte */
  offsets: boolean;
  /** the VMs are clones of one image (then `contents` must be given) */
  clones?: CloneOptions;
  /** interns the content tokens of the rows (clones) */
  contents?: ContentNames;
}

export interface CloneOptions {
  /** share of the image's pages that are zero pages (no image row) */
  zeroFraction: number;
  /** share of the pattern's writes that leave VM-private content */
  diverge: number;
  /** op of the image rows: OP_WRITE or OP_ALLOC */
  imageOp: number;
}

const TWO32 = 4294967296;
const MAX_PAGES = 2 ** 32 - 1;
/** the most bytes one VM's range may span: page numbers times page size stay exact doubles */
export const MAX_RANGE = 2 ** 48;
/** default distance between the bases of successive VMs */
export const VM_STRIDE = 2n ** 40n;
export const DEFAULT_BASE = 0x10000000n;

export function isPattern(name: string): name is PatternName {
  return (PATTERNS as readonly string[]).includes(name);
}

/** Throws UsageError naming what is wrong with a plan. */
export function checkPlan(plan: VmPlan, pageSize: number): void {
  const where = `VM '${plan.name}'`;
  if (!Number.isSafeInteger(plan.pages) || plan.pages < 1 || plan.pages > MAX_PAGES) {
    throw new UsageError(`${where}: pages must be a whole number from 1 to ${MAX_PAGES}`);
  }
  if (plan.pages * pageSize > MAX_RANGE) throw new UsageError(`${where}: ${plan.pages} pages of ${pageSize} bytes span more than 2^48 bytes`);
  if (!Number.isSafeInteger(plan.accesses) || plan.accesses < 1) throw new UsageError(`${where}: accesses must be a whole number >= 1`);
  if (!(plan.alpha >= 0) || !Number.isFinite(plan.alpha)) throw new UsageError(`${where}: alpha must be a number >= 0`);
  if (!(plan.writeRatio >= 0 && plan.writeRatio <= 1)) throw new UsageError(`${where}: the write ratio must be from 0 to 1`);
  if (plan.base < 0n || plan.base + BigInt(plan.pages) * BigInt(pageSize) > 2n ** 64n) {
    throw new UsageError(`${where}: base 0x${plan.base.toString(16)} plus ${plan.pages} pages runs past the 64-bit address space`);
  }
  if (!Number.isSafeInteger(plan.workingSet) || plan.workingSet < 1 || plan.workingSet > plan.pages) {
    throw new UsageError(`${where}: the working set must be from 1 to ${plan.pages} pages`);
  }
  if (!Number.isSafeInteger(plan.phaseLength) || plan.phaseLength < 1) throw new UsageError(`${where}: the phase length must be at least 1 access`);
  const weights = Object.values(plan.mix);
  if (weights.some((w) => !(w! >= 0) || !Number.isFinite(w)) || !weights.some((w) => w! > 0)) {
    throw new UsageError(`${where}: mix weights must be numbers >= 0, at least one of them positive`);
  }
}

/** Picks a page index in [0, pages); scan also sets `fraction`, its position within the page. */
interface Sampler {
  next(): number;
  fraction: number;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** (a * b) mod n, exact for a, b < n < 2^32. */
function mulMod(a: number, b: number, n: number): number {
  const hi = Math.floor(b / 65536);
  const lo = b % 65536;
  return (((a * hi) % n) * 65536 + a * lo) % n;
}

/**
 * Zipf by rejection-inversion (W. Hoermann, G. Derflinger, "Rejection-inversion to generate
 * variates from monotone discrete distributions", ACM TOMACS 6(3), 1996), as in Apache Commons
 * RNG's RejectionInversionZipfSampler. Returns ranks 1..n.
 */
export class ZipfSampler {
  private readonly hX1: number;
  private readonly hN: number;
  private readonly s: number;
  constructor(
    private readonly n: number,
    private readonly exponent: number,
    private readonly random: () => number,
  ) {
    this.hX1 = this.hIntegral(1.5) - 1;
    this.hN = this.hIntegral(n + 0.5);
    this.s = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2));
  }
  rank(): number {
    if (this.exponent === 0) return 1 + Math.floor(this.random() * this.n);
    for (;;) {
      const u = this.hN + this.random() * (this.hX1 - this.hN);
      const x = this.hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > this.n) k = this.n;
      if (k - x <= this.s || u >= this.hIntegral(k + 0.5) - this.h(k)) return k;
    }
  }
  private h(x: number): number {
    return Math.exp(-this.exponent * Math.log(x));
  }
  /** the integral of h from 1 to x, (x^(1-s) - 1) / (1 - s), stable near s = 1 */
  private hIntegral(x: number): number {
    const logX = Math.log(x);
    return helper2((1 - this.exponent) * logX) * logX;
  }
  private hIntegralInverse(x: number): number {
    let t = x * (1 - this.exponent);
    if (t < -1) t = -1; // rounding can push it just below
    return Math.exp(helper1(t) * x);
  }
}

/** log1p(x) / x, stable near 0 */
function helper1(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}

/** expm1(x) / x, stable near 0 */
function helper2(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x));
}

function uniformSampler(n: number, random: () => number): Sampler {
  return { fraction: 0, next: () => Math.floor(random() * n) };
}

function zipfSampler(n: number, alpha: number, random: () => number): Sampler {
  const zipf = new ZipfSampler(n, alpha, random);
  // An affine permutation scatters the ranks: A near n / golden ratio, coprime to n.
  let a = Math.max(1, Math.floor(n * 0.6180339887498949)) | 1;
  while (gcd(a, n) !== 1) a += 2;
  a %= n;
  if (n === 1) a = 0;
  const b = Math.floor(random() * n);
  return { fraction: 0, next: () => (mulMod(zipf.rank() - 1, a, n) + b) % n };
}

function scanSampler(n: number, passLength: number): Sampler {
  let j = 0;
  const sampler: Sampler = {
    fraction: 0,
    next() {
      // floor(j * N / M) exactly: (j / M) * N in floating point can fall just below a whole
      // page (access 15 of a scan of 22 pages in 22 accesses gave page 14), visiting one page twice and
      // skipping the next.
      const k = j % passLength;
      j++;
      const scaled = k * n;
      let page: number;
      let rest: number;
      if (Number.isSafeInteger(scaled)) {
        page = Math.floor(scaled / passLength);
        rest = scaled - page * passLength;
      } else {
        const big = BigInt(k) * BigInt(n);
        page = Number(big / BigInt(passLength));
        rest = Number(big % BigInt(passLength));
      }
      page = Math.min(n - 1, page);
      sampler.fraction = rest / passLength;
      return page;
    },
  };
  return sampler;
}

function loopSampler(n: number): Sampler {
  let j = 0;
  return {
    fraction: 0,
    next() {
      const page = j;
      j = j + 1 === n ? 0 : j + 1;
      return page;
    },
  };
}

function phasesSampler(n: number, workingSet: number, phaseLength: number, random: () => number): Sampler {
  let left = 0;
  let start = 0;
  return {
    fraction: 0,
    next() {
      if (left === 0) {
        start = Math.floor(random() * (n - workingSet + 1));
        left = phaseLength;
      }
      left--;
      return start + Math.floor(random() * workingSet);
    },
  };
}

function mixSampler(plan: VmPlan, random: () => number): Sampler {
  const names = (Object.keys(plan.mix) as MixComponent[]).filter((k) => plan.mix[k]! > 0);
  const weights = names.map((k) => plan.mix[k]!);
  const sum = weights.reduce((s, w) => s + w, 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const w of weights) cumulative.push((acc += w / sum));
  cumulative[cumulative.length - 1] = 1; // rounding must not leave a gap below 1
  const parts = names.map((k, i) => samplerFor({ ...plan, pattern: k, accesses: Math.max(1, Math.round(plan.accesses * weights[i]! / sum)) }, random));
  const sampler: Sampler = {
    fraction: 0,
    next() {
      const u = random();
      let i = 0;
      while (u >= cumulative[i]!) i++;
      const part = parts[i]!;
      const page = part.next();
      sampler.fraction = part.fraction;
      return page;
    },
  };
  return sampler;
}

function samplerFor(plan: VmPlan, random: () => number): Sampler {
  const n = plan.pages;
  switch (plan.pattern) {
    case 'uniform':
      return uniformSampler(n, random);
    case 'zipf':
      return zipfSampler(n, plan.alpha, random);
    case 'scan':
      return scanSampler(n, Math.max(1, plan.accesses));
    case 'loop':
      return loopSampler(n);
    case 'phases':
      return phasesSampler(n, plan.workingSet, plan.phaseLength, random);
    case 'mix':
      return mixSampler(plan, random);
  }
}

/**
 * The seed of VM i's generator: VM 0 uses the seed itself. (All mulberry32 seeds lie on one cycle
 * of 2^32 draws; VM i's stream starts 613,683,765 draws after VM i-1's, so the VMs' streams do
 * not overlap below some 200 million accesses per VM, at up to three draws an access.)
 */
export function vmSeed(seed: number, vmIndex: number): number {
  return (seed + Math.imul(vmIndex, 0x9e3779b9)) >>> 0;
}

class VmStream {
  readonly random: () => number;
  readonly sampler: Sampler;
  readonly baseHi: number;
  readonly baseLo: number;
  left: number;
  reads = 0;
  writes = 0;
  /** clones: the next image page to load (pages before it are done), and the token ids the VM's pages hold (0: zero page) */
  imageNext = 0;
  imageRows = 0;
  privateWrites = 0;
  holds: Int32Array | null = null;
  constructor(
    readonly plan: VmPlan,
    readonly index: number,
    seed: number,
  ) {
    this.random = mulberry32(vmSeed(seed, index));
    this.sampler = samplerFor(plan, this.random);
    this.baseHi = Number(plan.base >> 32n);
    this.baseLo = Number(plan.base & 0xffffffffn);
    this.left = plan.accesses;
  }
}

/** Per-VM counts of what was generated. */
export interface GeneratedCounts {
  /** of the pattern's accesses */
  reads: number;
  writes: number;
  /** clones: rows of the image pass */
  imageRows: number;
  /** clones: pattern writes that left VM-private content */
  privateWrites: number;
}

/** The clones' image: token id per page, 0 for a zero page (drawn from a stream of its own, so it does not depend on the number of clones). */
function cloneImage(pages: number, zeroFraction: number, seed: number, contents: ContentNames): Int32Array {
  const random = mulberry32(vmSeed(seed, -1));
  const image = new Int32Array(pages);
  for (let k = 0; k < pages; k++) if (random() >= zeroFraction) image[k] = contents.id(`img-${k}`);
  return image;
}

/** page * pageSize + offset above the stream's base, as (hi, lo) in `at` */
function addressOf(s: VmStream, within: number, at: { hi: number; lo: number }): void {
  // within < 2^48: an exact double; then a 64-bit add to the base.
  const sumLo = s.baseLo + (within % TWO32);
  at.lo = sumLo >>> 0;
  at.hi = (s.baseHi + Math.floor(within / TWO32) + (sumLo >= TWO32 ? 1 : 0)) >>> 0;
}

/**
 * The rows of the plans, interleaved round robin (one access of each VM in turn; a VM whose
 * accesses are done drops out). Row i of VM v carries VM index v. `counts` is filled as rows
 * are made.
 */
export function* generateRows(
  plans: readonly VmPlan[],
  opts: GenerateOptions,
  counts: GeneratedCounts[] = [],
  batchSize = 8192,
): Generator<RowBatch> {
  for (const p of plans) checkPlan(p, opts.pageSize);
  const streams = plans.map((p, i) => new VmStream(p, i, opts.seed));
  const pageSize = opts.pageSize;
  const offsetSlots = pageSize >= 8 ? pageSize / 8 : 1;
  const clones = opts.clones;
  const contents = opts.contents;
  let image: Int32Array | null = null;
  let common: Int32Array | null = null;
  if (clones) {
    if (!contents) throw new Error('generateRows: clones need a content interner');
    const pages = plans[0]!.pages;
    if (plans.some((p) => p.pages !== pages)) throw new Error('generateRows: clones must all have the same pages');
    image = cloneImage(pages, clones.zeroFraction, opts.seed, contents);
    common = new Int32Array(pages);
    let dataPages = 0;
    for (let k = 0; k < pages; k++) if (image[k] !== 0) dataPages++;
    let first = 0;
    while (first < pages && image[first] === 0) first++;
    for (const s of streams) {
      s.imageNext = first;
      s.holds = new Int32Array(pages);
      s.left += dataPages;
      s.imageRows = dataPages;
    }
  }
  const at = { hi: 0, lo: 0 };
  let active = streams.filter((s) => s.left > 0);
  let batch = new RowBatch(batchSize);
  let line = 0;
  while (active.length > 0) {
    for (const s of active) {
      s.left--;
      if (image !== null && s.imageNext < image.length) {
        // the image pass: the next data page, at its first byte
        const k = s.imageNext;
        s.imageNext = k + 1;
        while (s.imageNext < image.length && image[s.imageNext] === 0) s.imageNext++;
        s.holds![k] = image[k]!;
        addressOf(s, k * pageSize, at);
        batch.push(clones!.imageOp, s.index, at.hi, at.lo, 1, NaN, ++line, image[k]!);
      } else {
        const page = s.sampler.next();
        const write = s.random() < s.plan.writeRatio;
        let offset = 0;
        if (opts.offsets) {
          const slot = s.plan.pattern === 'scan' ? Math.floor(s.sampler.fraction * offsetSlots) : Math.floor(s.random() * offsetSlots);
          offset = pageSize >= 8 ? slot * 8 : 0;
        }
        addressOf(s, page * pageSize + offset, at);
        let content = 0;
        if (write) {
          s.writes++;
          if (clones) {
            if (s.random() < clones.diverge) content = contents!.id(`${s.plan.name}-${s.privateWrites++}`);
            else content = s.holds![page] || (common![page] ||= contents!.id(`common-${page}`));
            s.holds![page] = content;
          }
        } else s.reads++;
        batch.push(write ? OP_WRITE : OP_READ, s.index, at.hi, at.lo, 1, NaN, ++line, content);
      }
      if (batch.full) {
        yield batch;
        batch = new RowBatch(batchSize);
      }
    }
    if (active.some((s) => s.left === 0)) active = active.filter((s) => s.left > 0);
  }
  if (batch.length > 0) yield batch;
  streams.forEach((s, i) => (counts[i] = { reads: s.reads, writes: s.writes, imageRows: s.imageRows, privateWrites: s.privateWrites }));
}
