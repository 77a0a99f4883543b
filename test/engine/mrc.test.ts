import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lruFaults, optFaults, stackDistancePass, type StackPolicy } from '../../src/run/curves.js';
import { faultsAt, feed, LruStackDistances, ShardsFilter } from '../../src/analysis/mrc.js';
import { PageIds } from '../../src/pages/page-ids.js';
import { mulberry32 } from '../../src/rng.js';
import { loadPageTrace, nextUseOf } from '../../src/run/page-trace.js';
import { footprintOf, runCell, sweepTrace } from '../../src/run/sweep.js';
import type { PolicyName } from '../../src/policies/index.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { config, plainTrace, textSource } from '../helpers.js';

interface Op {
  vm: number;
  op: 'R' | 'W' | 'F' | 'RESET';
  page: number;
}

function csvTrace(ops: readonly Op[]): string {
  return `vm,op,addr\n${ops.map((o) => `vm${o.vm},${o.op},${o.op === 'RESET' ? 0 : o.page}`).join('\n')}\n`;
}

/** Faults of `policy` replayed by the engine at each size 1..max (index = frames). */
async function replayed(text: string, format: 'csv' | 'plain', policy: PolicyName, max: number): Promise<number[]> {
  const trace = await loadPageTrace([textSource(text, format)], DEFAULT_READ_OPTIONS, 1);
  const sweep = sweepTrace(trace, policy === 'opt' ? nextUseOf(trace, trace.ids.count) : null);
  const faults = [NaN];
  for (let frames = 1; frames <= max; frames++) {
    const r = runCell(sweep, config({ policy, frames }));
    if (!r.ok) throw new Error(r.message);
    faults.push(r.faults);
  }
  return faults;
}

/** Faults at sizes 1..max from the one-pass curves (index = frames); OPT forced through its stack. */
async function curve(text: string, format: 'csv' | 'plain', policy: StackPolicy, max: number, samples: (number | null)[] = [null], budgetPerSize = Infinity) {
  const out = await stackDistancePass({
    sources: [textSource(text, format)],
    read: DEFAULT_READ_OPTIONS,
    pageSize: 1,
    lruSamples: policy === 'lru' ? samples : [],
    keepTrace: policy === 'opt',
  });
  const sizes = Array.from({ length: max }, (_, i) => i + 1);
  const faults: number[][] = [];
  for (const sample of samples) {
    const f = policy === 'lru' ? lruFaults(out, sample, sizes) : (await optFaults(out, sample, sizes, { jobs: 1, budgetPerSize })).faults;
    faults.push([NaN, ...f]);
  }
  return { out, faults };
}

const BELADY = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];

describe('stack distances by hand', () => {
  it('LRU on 1 2 3 4 1 2 5 1 2 3 4 5: 10 faults with 3 frames, 8 with 4, 5 cold misses', async () => {
    const { out, faults } = await curve(plainTrace(BELADY), 'plain', 'lru', 5);
    // distances: 1 2 3 4 cold; 1 at 4, 2 at 4, 5 cold, 1 at 3, 2 at 3, 3 at 5, 4 at 5, 5 at 5
    expect(out.lru[0]!.cold).toBe(5);
    expect(faults[0]![3]).toBe(10);
    expect(faults[0]![4]).toBe(8);
    expect(faults[0]![5]).toBe(5);
  });

  it('OPT on 1 2 3 4 1 2 5 1 2 3 4 5: 7 faults with 3 frames, 6 with 4', async () => {
    const { faults } = await curve(plainTrace(BELADY), 'plain', 'opt', 5);
    expect(faults[0]![3]).toBe(7);
    expect(faults[0]![4]).toBe(6);
    expect(faults[0]![5]).toBe(5);
  });

  it('a freed page leaves a free frame: R1 R2 R3 F1 R4 R2 hits at 3 frames (LRU and OPT)', async () => {
    // With 3 frames: 1 2 3 fill memory, F1 frees a frame, 4 takes it, 2 is still resident.
    const text = 'R 1\nR 2\nR 3\nF 1\nR 4\nR 2\n';
    for (const policy of ['lru', 'opt'] as const) {
      const { faults } = await curve(text, 'plain', policy, 3);
      expect(faults[0]![3]).toBe(4);
      // With 2 frames: 1 2 | 3 evicts 1 (LRU; OPT: 1 is never used again) | F1 frees nothing | 4 evicts | 2 ...
      expect(faults[0]![2]).toBe(policy === 'lru' ? 5 : 4);
    }
  });
});

const opArb = (vms: number, pages: number, frees: boolean) =>
  fc.record({
    vm: fc.integer({ min: 0, max: vms - 1 }),
    op: frees
      ? fc.constantFrom<Op['op']>('R', 'R', 'R', 'W', 'W', 'F', 'RESET')
      : fc.constantFrom<Op['op']>('R', 'W'),
    page: fc.integer({ min: 0, max: pages - 1 }),
  });

const traceArb = (frees: boolean) =>
  fc
    .array(opArb(3, 12, frees), { minLength: 1, maxLength: 160 })
    .filter((ops) => ops.some((o) => o.op === 'R' || o.op === 'W'));

describe('miss-ratio curves equal the engine replayed at every size', () => {
  for (const policy of ['lru', 'opt'] as const) {
    it(`${policy}: random traces with several VMs, F and RESET (property)`, async () => {
      await fc.assert(
        fc.asyncProperty(traceArb(true), async (ops) => {
          const text = csvTrace(ops);
          const { out, faults } = await curve(text, 'csv', policy, 40);
          const max = out.footprint + 1;
          const reference = await replayed(text, 'csv', policy, max);
          for (let c = 1; c <= max; c++) expect(faults[0]![c], `${c} frames`).toBe(reference[c]);
          // Monotone: more memory never faults more (stack algorithms have no Belady anomaly).
          for (let c = 2; c <= 40; c++) expect(faults[0]![c]!).toBeLessThanOrEqual(faults[0]![c - 1]!);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('OPT faults no more than any policy at any size (R/W traces, property)', async () => {
    await fc.assert(
      fc.asyncProperty(traceArb(false), async (ops) => {
        const text = csvTrace(ops);
        const { out, faults } = await curve(text, 'csv', 'opt', 20);
        for (const policy of ['fifo', 'lru', 'lfu', 'clock', 'random'] as const) {
          const other = await replayed(text, 'csv', policy, Math.min(20, out.footprint + 1));
          for (let c = 1; c < other.length; c++) expect(faults[0]![c]!).toBeLessThanOrEqual(other[c]!);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('LRU survives the renumbering of access times (200 000 accesses, frees, 300 pages)', async () => {
    const lines: string[] = [];
    const random = mulberry32(7);
    for (let i = 0; i < 200_000; i++) {
      const page = Math.floor(random() * 300);
      lines.push(i % 97 === 0 ? `F ${page}` : `${i % 3 === 0 ? 'W' : 'R'} ${page}`);
    }
    const text = `${lines.join('\n')}\n`;
    const { faults } = await curve(text, 'plain', 'lru', 301);
    const trace = await loadPageTrace([textSource(text, 'plain')], DEFAULT_READ_OPTIONS, 1);
    const sweep = sweepTrace(trace, null);
    expect(footprintOf(sweep)).toBe(300);
    for (const frames of [1, 50, 150, 299, 300]) {
      const r = runCell(sweep, config({ policy: 'lru', frames }));
      expect(r.ok && r.faults).toBe(faults[0]![frames]);
    }
  });
});

/**
 * The LRU stack by its definition: an array from the top, holes where pages were freed. An
 * access's distance is its page's place (1-based; 0 when not in the stack); the page goes on
 * top, and the hole nearest the top (if any, and above the page) takes the page's old place
 * (a first touch: that hole drops out). A free leaves a hole in the page's place.
 */
class NaiveLruStack {
  private stack: number[] = [];
  access(p: number): number {
    const i = this.stack.indexOf(p);
    const h = this.stack.indexOf(-1);
    if (i < 0) {
      if (h >= 0) this.stack.splice(h, 1);
      this.stack.unshift(p);
      return 0;
    }
    if (h >= 0 && h < i) {
      this.stack.splice(h, 1);
      this.stack[i - 1] = -1;
    } else this.stack.splice(i, 1);
    this.stack.unshift(p);
    return i + 1;
  }
  free(p: number): void {
    const i = this.stack.indexOf(p);
    if (i >= 0) this.stack[i] = -1;
  }
}

describe('LRU stack distances equal the stack by its definition', () => {
  // Small renumbering room (64 times) renumbers often; the default (2^16) builds deep block
  // counts (5000 pages: over 16 x 16 words of bits), and distances cross every level.
  const check = (ops: readonly { page: number; free: boolean }[]): void => {
    const naive = new NaiveLruStack();
    const small = new LruStackDistances(false, 64);
    const large = new LruStackDistances(false);
    const pages = Math.max(1, ...ops.map((o) => o.page + 1));
    small.resize(pages);
    large.resize(pages);
    ops.forEach((o, i) => {
      if (o.free) {
        naive.free(o.page);
        small.free(o.page);
        large.free(o.page);
        return;
      }
      const want = naive.access(o.page);
      const got = [small.access(o.page, false), large.access(o.page, false)];
      if (got[0] !== want || got[1] !== want) throw new Error(`op ${i} (page ${o.page}): distance ${got.join('/')} instead of ${want}`);
    });
  };

  it('random accesses and frees (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.array(fc.record({ page: fc.nat({ max: 599 }), free: fc.double({ min: 0, max: 1, noNaN: true }) }), { maxLength: 3000 }),
        (range, draws) => check(draws.map((d) => ({ page: d.page % range, free: d.free < 0.05 }))),
      ),
      { numRuns: 40 },
    );
  });

  it('5000 pages, 40 000 operations: deep block counts and renumbering', () => {
    const random = mulberry32(11);
    const ops = [];
    for (let i = 0; i < 40_000; i++) {
      // half the accesses to 100 hot pages, the rest over 5000
      const page = random() < 0.5 ? Math.floor(random() * 100) : Math.floor(random() * 5000);
      ops.push({ page, free: i % 211 === 0 });
    }
    check(ops);
  });
});

describe('OPT falls back to replaying each size when its stack would work too hard', () => {
  it('replayed and one-pass OPT curves agree (property), and say which they are', async () => {
    await fc.assert(
      fc.asyncProperty(traceArb(true), async (ops) => {
        const text = csvTrace(ops);
        const stack = await curve(text, 'csv', 'opt', 25, [null, 0.5], Infinity);
        const replay = await curve(text, 'csv', 'opt', 25, [null, 0.5], 0);
        expect(replay.faults).toEqual(stack.faults);
      }),
      { numRuns: 40 },
    );
    const pass = await stackDistancePass({ sources: [textSource(plainTrace(BELADY), 'plain')], read: DEFAULT_READ_OPTIONS, pageSize: 1, lruSamples: [], keepTrace: true });
    expect((await optFaults(pass, null, [3, 4], { jobs: 1, budgetPerSize: 0 })).method).toBe('replay');
    expect((await optFaults(pass, null, [3, 4], { jobs: 1 })).method).toBe('stack');
  });
});

/** A Zipf(alpha) reference string over `pages` pages from a seeded generator (inverse CDF). */
function zipfTrace(accesses: number, pages: number, alpha: number, seed: number): Int32Array {
  const cdf = new Float64Array(pages);
  let sum = 0;
  for (let k = 0; k < pages; k++) cdf[k] = sum += 1 / (k + 1) ** alpha;
  const random = mulberry32(seed);
  const out = new Int32Array(accesses);
  for (let i = 0; i < accesses; i++) {
    const u = random() * sum;
    let lo = 0;
    let hi = pages - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
  return out;
}

describe('SHARDS', () => {
  it('at rate 0.1 on a 10^6-access Zipf trace: mean absolute error of the miss ratio below 0.02', () => {
    const n = 1_000_000;
    const page = zipfTrace(n, 100_000, 0.9, 2026);
    const op = new Uint8Array(n); // all reads
    const ids = new PageIds();
    // Dense ids in order of first touch, as the expander gives them; page numbers spread out.
    const dense = new Int32Array(n);
    for (let i = 0; i < n; i++) dense[i] = ids.id(0, 0, page[i]! * 4099);
    const exact = new LruStackDistances();
    const sampled = new LruStackDistances();
    const filter = new ShardsFilter(0.1);
    feed(exact, op, dense, n, ids, null);
    feed(sampled, op, dense, n, ids, filter);
    // About a tenth of the accesses were tracked.
    expect(sampled.result.accesses / n).toBeGreaterThan(0.07);
    expect(sampled.result.accesses / n).toBeLessThan(0.13);
    // Evenly spaced sizes up to the footprint, as SHARDS's error is measured (Waldspurger et
    // al. FAST'15 section 5): below 1/rate frames the sample cannot resolve distances at all.
    const sizes = Array.from({ length: 100 }, (_, i) => Math.round(((i + 1) * ids.count) / 100));
    const e = faultsAt(exact.result, sizes, null, n);
    const s = faultsAt(sampled.result, sizes, 0.1, n);
    let error = 0;
    sizes.forEach((_, i) => (error += Math.abs(e[i]! - s[i]!) / n));
    expect(error / sizes.length).toBeLessThan(0.02);
    // The curve falls from about 2/3 to the cold misses: an error of 0.02 is a real bound.
    expect(e[0]! / n).toBeGreaterThan(0.6);
    expect(e[e.length - 1]! / n).toBeLessThan(0.11);
  });

  it('at rate 1 equals the exact curve', async () => {
    await fc.assert(
      fc.asyncProperty(traceArb(true), async (ops) => {
        const text = csvTrace(ops);
        for (const policy of ['lru', 'opt'] as const) {
          const exact = await curve(text, 'csv', policy, 30);
          const sampled = await curve(text, 'csv', policy, 30, [1]);
          expect(sampled.faults).toEqual(exact.faults);
        }
      }),
      { numRuns: 40 },
    );
  });
});
