/**
 * Sampled curves (issue 20): the sampling hash, fixed-size samples, SHARDS and miniature
 * simulation against exact curves, the marking of sizes a sample cannot resolve.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampledPass, miniatureFrames, shardsFaults, smallestEstimated } from '../../src/run/minisim.js';
import { pageHash, PageSampler, SAMPLE_MODULUS, sampleSalt } from '../../src/analysis/sampling.js';
import { POLICY_NAMES } from '../../src/policies/index.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { tempFile, textSource } from '../helpers.js';
import { vmmem } from '../cli/in-process.js';

type JsonRow = Record<string, number | string | boolean | null>;

async function json(args: string[]): Promise<{ rows: JsonRow[]; doc: Record<string, unknown>; stderr: string }> {
  const r = await vmmem([...args, '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout) as Record<string, unknown>;
  return { rows: doc.rows as JsonRow[], doc, stderr: r.stderr };
}

/** Chi-square statistic of counts against equal expectation. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const e = total / counts.length;
  return counts.reduce((s, c) => s + ((c - e) * (c - e)) / e, 0);
}

describe('the sampling hash', () => {
  // 64 bins, 63 degrees of freedom: the 99.9% quantile of chi-square(63) is about 103.4.
  const bins = (keys: [number, number, number][], salt: number): number[] => {
    const counts = new Array<number>(64).fill(0);
    for (const [vm, hi, lo] of keys) counts[(pageHash(vm, hi, lo, salt) & (SAMPLE_MODULUS - 1)) >>> 18]!++;
    return counts;
  };
  const N = 64 * 1000;
  it('is uniform over consecutive pages, pages differing in the high half only, and VMs', () => {
    for (const salt of [0, sampleSalt(1), sampleSalt(2)]) {
      expect(chiSquare(bins(Array.from({ length: N }, (_, i) => [0, 0, i]), salt))).toBeLessThan(103.4);
      expect(chiSquare(bins(Array.from({ length: N }, (_, i) => [0, i, 7]), salt))).toBeLessThan(103.4);
      expect(chiSquare(bins(Array.from({ length: N }, (_, i) => [i % 65536, 0, i >>> 16]), salt))).toBeLessThan(103.4);
    }
  });

  it('samples each kind of neighbour independently: about R of pages differing only in hi, or only in the VM', () => {
    const threshold = Math.round(0.1 * SAMPLE_MODULUS);
    let hiIn = 0;
    let vmIn = 0;
    for (let i = 0; i < N; i++) {
      if ((pageHash(0, i, 42) & (SAMPLE_MODULUS - 1)) < threshold) hiIn++;
      if ((pageHash(i % 65536, 1, 42 + (i >>> 16)) & (SAMPLE_MODULUS - 1)) < threshold) vmIn++;
    }
    // binomial(64000, 0.1): mean 6400, sd 76
    expect(Math.abs(hiIn - 6400)).toBeLessThan(400);
    expect(Math.abs(vmIn - 6400)).toBeLessThan(400);
  });

  it('--seed salts it: another seed samples other pages, the same seed the same ones', () => {
    const sampled = (salt: number): Set<number> => {
      const s = PageSampler.rate(0.1, salt);
      const out = new Set<number>();
      for (let p = 0; p < 10000; p++) if (s.keepKey(0, 0, p)) out.add(p);
      return out;
    };
    const a = sampled(sampleSalt(1));
    const b = sampled(sampleSalt(2));
    const again = sampled(sampleSalt(1));
    expect([...a]).toEqual([...again]);
    const both = [...a].filter((p) => b.has(p)).length;
    // independent samples of 10%: about 1% of the pages in both (100), not 10% (1000)
    expect(both).toBeLessThan(200);
    expect(sampleSalt(undefined)).toBe(0);
  });
});

describe('a fixed-size sample', () => {
  it('never tracks more than S pages, and ends as the fixed-rate sample at its final rate (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 600 }), (S, stream) => {
        const s = PageSampler.size(S);
        const inSample = new Set<number>();
        s.onEvict = (q) => inSample.delete(q);
        for (const p of stream) {
          if (s.admit(p, 0, 0, p)) inSample.add(p);
          expect(s.tracked).toBeLessThanOrEqual(S);
          expect(inSample.size).toBe(s.tracked);
        }
        const finalRate = PageSampler.rate(s.rate);
        const expected = [...new Set(stream)].filter((p) => finalRate.keepKey(0, 0, p)).sort((a, b) => a - b);
        expect([...inSample].sort((a, b) => a - b)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('holds the sampled stack to S pages whatever the trace length (property over lengths)', async () => {
    for (const distinct of [500, 5000, 20000]) {
      const lines = Array.from({ length: distinct * 2 }, (_, i) => `R ${(i * 7919) % distinct}`).join('\n');
      const pass = await sampledPass({
        sources: [textSource(lines + '\n', 'plain')],
        read: DEFAULT_READ_OPTIONS,
        pageSize: 1,
        sampler: PageSampler.size(64),
        lru: true,
        miniatures: [],
        engine: {},
      });
      expect(pass.peakTracked).toBeLessThanOrEqual(64);
      expect(pass.sampledPages).toBeLessThanOrEqual(64);
      expect(pass.accesses).toBe(distinct * 2);
      // the final rate keeps about 64 of the distinct pages
      expect(pass.rate * distinct).toBeGreaterThan(20);
      expect(pass.rate * distinct).toBeLessThan(200);
    }
  });
});

describe('sampled curves at rate 1 equal the exact ones', () => {
  it.each(POLICY_NAMES.filter((p) => p !== 'opt'))('%s: --sample-rate 1 gives the exact curve (SHARDS = Mattson, miniature = full replay)', async (policy) => {
    const { rows } = await json(['mrc', 'traces/zipf.csv', 'traces/db.csv', '--policy', policy, '--sample-rate', '1', '--exact-too', '--frames', '1,7,30,64,150,400']);
    const exact = rows.filter((r) => r.method === 'stack' || r.method === 'replay');
    const sampled = rows.filter((r) => r.method === 'shards' || r.method === 'miniature');
    expect(exact).toHaveLength(6);
    expect(sampled.map((r) => r.faults)).toEqual(exact.map((r) => r.faults));
    expect(sampled.every((r) => r.estimated === true)).toBe(true);
    // and alone, from the sampled pass (which numbers only the pages it keeps)
    const alone = await json(['mrc', 'traces/zipf.csv', 'traces/db.csv', '--policy', policy, '--sample-rate', '1', '--frames', '1,7,30,64,150,400']);
    expect(alone.rows.map((r) => r.faults)).toEqual(exact.map((r) => r.faults));
    expect(alone.rows.every((r) => r.accesses === 8000)).toBe(true);
  });

  it('opt: --sample-rate 1 gives the exact curve', async () => {
    const { rows } = await json(['mrc', 'traces/zipf.csv', '--policy', 'opt', '--sample-rate', '1', '--exact-too', '--frames', '1,7,30,64']);
    expect(rows.filter((r) => r.sample_rate === 1 && r.method === 'shards').map((r) => r.faults)).toEqual(
      rows.filter((r) => r.method === 'stack' || r.method === 'replay').map((r) => r.faults),
    );
  });

  it('a fixed-size sample larger than the footprint is the exact curve (lru), F and RESET included', async () => {
    const file = tempFile('fr.plain', ['R 1', 'W 2', 'R 3', 'R 1', 'F 2', 'R 4', 'R 2', 'R 3', 'RESET', 'R 1', 'R 5', 'R 1', 'R 4'].join('\n') + '\n');
    const exact = await json(['mrc', file, '--page-size', '1', '--points', 'all']);
    const fixed = await json(['mrc', file, '--page-size', '1', '--points', 'all', '--sample-size', '100']);
    expect(fixed.rows.map((r) => r.faults)).toEqual(exact.rows.map((r) => r.faults));
    expect(fixed.rows.every((r) => r.method === 'shards-fixed' && r.sample_rate === 1)).toBe(true);
  });
});

describe('sizes a sample cannot resolve', () => {
  it('are marked estimated = false in every format, left out of the error, and named on standard error', async () => {
    const args = ['mrc', 'traces/zipf.csv', '--policy', 'lru,fifo', '--sample-rate', '0.1', '--exact-too', '--frames', '5,9,10,40,100'];
    const { rows, doc, stderr } = await json(args);
    const sampled = rows.filter((r) => r.sample_rate === 0.1);
    // 1 / 0.1 = 10 frames: 5 and 9 are below it
    expect(sampled.map((r) => r.estimated)).toEqual([false, false, true, true, true, false, false, true, true, true]);
    expect(stderr).toMatch(/2 sizes below 10 frames \(1 \/ rate\) are not estimated.*a rate of at least 0\.2 reaches 5 frames/);
    for (const e of doc.shards_error as { sizes: number }[]) expect(e.sizes).toBe(3);
    const csv = await vmmem([...args, '--format', 'csv']);
    expect(csv.stdout.split('\n')[0]).toBe('policy,frames,memory_bytes,faults,miss_ratio,major_faults,swap_ins,swap_outs,evictions,accesses,sample_rate,estimated,method');
    expect(csv.stdout).toContain('\nlru,5,20480,');
    expect(csv.stdout).toMatch(/\nfifo,9,36864,\d+,[0-9.]+,\d+,\d+,\d+,\d+,5000,0\.1,false,miniature\n/);
  });

  it('the miniature cache of C frames at rate R has round(R C) frames; 1 / R frames is the smallest estimated size', () => {
    expect(miniatureFrames(100, 0.01)).toBe(1);
    expect(miniatureFrames(149, 0.01)).toBe(1);
    expect(miniatureFrames(150, 0.01)).toBe(2);
    expect(miniatureFrames(49, 0.01)).toBe(0);
    expect(miniatureFrames(29, 0.1)).toBe(3);
    expect(smallestEstimated(0.01)).toBe(100);
    expect(smallestEstimated(0.3)).toBe(4);
  });

  it('exact curves print no estimated column', async () => {
    const r = await vmmem(['mrc', 'traces/zipf.csv', '--frames', '5,10', '--format', 'csv']);
    expect(r.stdout.split('\n')[0]).toBe('policy,frames,memory_bytes,faults,miss_ratio,major_faults,swap_ins,swap_outs,evictions,accesses,sample_rate');
  });
});

describe('SHARDS weighting', () => {
  it('a sampled access at rate R stands for 1 / R accesses and its distance d for d / R frames', () => {
    // 3 sampled accesses at rate 0.5: two cold, one at distance 2 (4 full-size frames)
    const h = { weight: new Float64Array([0, 0, 0, 0, 2]), maxDistance: 4, accesses: 6 };
    expect(shardsFaults(h, [1, 3, 4, 10], 6)).toEqual([6, 6, 4, 4]);
  });
});

describe('sampled curves are close to the exact ones at sizes >= 1 / R', () => {
  it('Zipf(0.7), 10^6 accesses over 10^6 pages, R = 0.01: mean absolute error of the miss ratio below 0.02 for lru, fifo and clock (averaged over 3 salts)', async () => {
    const file = tempFile('zipf.vmt', '');
    const gen = await vmmem(['generate', '--pattern', 'zipf', '--pages', '1000000', '--accesses', '1000000', '--alpha', '0.7', '--seed', '3', '-o', file, '-q']);
    expect(gen.code, gen.stderr).toBe(0);
    const sizes = ['100', '300', '1000', '3000', '10000', '30000', '100000'];
    const exact = await json(['mrc', file, '--policy', 'lru,fifo,clock', '--frames', sizes.join(',')]);
    for (const policy of ['lru', 'fifo', 'clock']) {
      const truth = exact.rows.filter((r) => r.policy === policy).map((r) => r.miss_ratio as number);
      let mean = 0;
      for (const seed of ['1', '2', '3']) {
        const s = await json(['mrc', file, '--policy', policy, '--sample-rate', '0.01', '--seed', seed, '--frames', sizes.join(',')]);
        const est = s.rows.map((r) => r.miss_ratio as number);
        expect(s.rows.every((r) => r.estimated === true)).toBe(true);
        mean += est.reduce((acc, m, i) => acc + Math.abs(m - truth[i]!), 0) / est.length / 3;
      }
      expect(mean, policy).toBeLessThan(0.02);
    }
  }, 240_000);
});
