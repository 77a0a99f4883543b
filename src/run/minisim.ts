/**
 * Sampled miss-ratio curves: one streaming pass over the pages a spatial sample keeps
 * (sampling.ts; an unsampled page is dropped before it is numbered, so memory follows the
 * sampled pages).
 * - LRU (SHARDS, Waldspurger et al., FAST 2015): the sampled pages' stack distances. A sampled
 *   access at time t, when the rate is R_t, stands for 1 / R_t accesses, and its distance d for
 *   d / R_t frames: it hits a cache of C frames when d / R_t <= C. The estimated faults at C are
 *   the sum of 1 / R_t over the sampled accesses that miss at C. At a fixed rate this is the
 *   sampled misses at floor(R C) frames divided by R; under a fixed-size sample the rate drops
 *   as pages arrive, and a page that leaves the sample leaves the stack (the FAST paper's
 *   rescaling of the histogram, kept exact by weighting each access when it is counted).
 * - Any other policy (miniature simulation, Waldspurger, Saemundsson, Ahmad and Park, ATC 2017):
 *   the policy itself replays the sampled accesses with a cache of round(R C) frames, and its
 *   faults divided by R estimate the faults at C frames. A size whose miniature cache would be
 *   under one frame (C < 1 / (2R)) cannot be simulated; sizes below 1 / R frames are computed
 *   but not estimates worth the name (the sample holds too few pages to resolve them) and are
 *   marked so.
 */
import type { EngineConfig } from '../engine/config.js';
import { curveEngineConfig } from './curves.js';
import { Engine } from '../engine/engine.js';
import { PageExpander, type PageBatch } from '../pages/expand.js';
import { feedPages } from './feed.js';
import { LruStackDistances, type SizeCounters } from '../analysis/mrc.js';
import { loadPageTrace, nextUseOf } from './page-trace.js';
import { SweepPool, sweepTrace } from './sweep.js';
import { PageIds } from '../pages/page-ids.js';
import { grown } from '../policies/policy.js';
import { policies, type PolicyName } from '../policies/index.js';
import { VmRegistry } from '../trace/interleave.js';
import { createReader, type ReadOptions } from '../trace/reader.js';
import { OP_FREE, OP_RESET, OP_WRITE, type SkipCounts } from '../trace/rows.js';
import { displayOf, type TraceSource } from '../trace/source.js';
import type { PageSampler } from '../analysis/sampling.js';

export interface SampledPassInput {
  sources: TraceSource[];
  read: ReadOptions;
  pageSize: number;
  sampler: PageSampler;
  /** build the SHARDS LRU histogram */
  lru: boolean;
  /** miniature caches to replay: a policy and a cache size in frames each */
  miniatures: readonly { policy: PolicyName; frames: number }[];
  /** engine options the policies take (seed, ...) */
  engine: Partial<EngineConfig>;
}

/** Weighted stack distances: weight[d] = the sum of 1 / R_t over sampled accesses at scaled distance d. */
export interface WeightedHistogram {
  /** scaled distance floor(d / R_t) -> weight; index 0 unused */
  weight: Float64Array;
  maxDistance: number;
  /** the sum of 1 / R_t over all sampled accesses (the estimated accesses) */
  accesses: number;
}

export interface SampledPass {
  /** R and W page accesses read, sampled or not */
  accesses: number;
  /** of those, the sampled ones */
  sampledAccesses: number;
  /** pages in the sample at the end */
  sampledPages: number;
  /** pages ever admitted (a fixed-size sample drops some again) */
  admittedPages: number;
  /** the rate at the end */
  rate: number;
  vmNames: string[];
  skipped: { file: string; counts: SkipCounts }[];
  lru: WeightedHistogram | null;
  /** the counters of each miniature cache, in input order (unscaled) */
  miniCounters: SizeCounters[];
  /** most pages the sample held at once */
  peakTracked: number;
}

export async function sampledPass(input: SampledPassInput): Promise<SampledPass> {
  const ids = new PageIds();
  const registry = new VmRegistry();
  const sampler = input.sampler;
  const stack = input.lru ? new LruStackDistances() : null;
  let weight = new Float64Array(1024);
  let maxDistance = 0;
  let weightedAccesses = 0;
  let sampledAccesses = 0;
  let peakTracked = 0;
  if (stack !== null) sampler.onEvict = (q) => stack.forget(q);
  const base = curveEngineConfig(input.pageSize, 'lru', input.engine);
  const engines = input.miniatures.map((m) => {
    const e = new Engine({ ...base, policy: m.policy, frames: m.frames }, ids);
    e.trackFrames = false;
    e.vmNames = registry.names;
    return e;
  });
  if (engines.some((e) => e.config.policy === 'opt')) throw new Error('opt needs the future: its sampled curve comes from curves.ts');
  const expander = new PageExpander(
    input.pageSize,
    ids,
    (batch: PageBatch) => {
      if (stack !== null) {
        stack.resize(ids.count);
        for (let i = 0; i < batch.length; i++) {
          const o = batch.op[i]!;
          const p = batch.page[i]!;
          if (o <= OP_WRITE) {
            const w = 1 / sampler.rate;
            const d = stack.access(p, o === OP_WRITE);
            weightedAccesses += w;
            if (d > 0) {
              // the distance in full-size frames: d / R_t, rounded down (d <= R_t C <=> floor(d / R_t) <= C)
              const scaled = Math.floor(d * w + 1e-9);
              if (scaled >= weight.length) weight = grown(weight, scaled + 1);
              weight[scaled]! += w;
              if (scaled > maxDistance) maxDistance = scaled;
            }
          } else if (o === OP_FREE) stack.free(p);
          else if (o === OP_RESET) stack.reset(p, ids.vmOf, ids.count);
        }
      }
      for (let i = 0; i < batch.length; i++) if (batch.op[i]! <= OP_WRITE) sampledAccesses++;
      if (engines.length > 0) {
        const last = registry.names.length - 1;
        for (const e of engines) {
          e.ensureVm(last);
          e.replay(batch);
        }
      }
      if (sampler.tracked > peakTracked) peakTracked = sampler.tracked;
    },
    displayOf(input.sources),
  );
  expander.filter = sampler;
  const readers = input.sources.map((s) => createReader(s, input.read));
  await feedPages(readers, registry, expander);
  const miniCounters = engines.map((e) => {
    const c = { faults: 0, majorFaults: 0, swapIns: 0, swapOuts: 0, evictions: 0 };
    for (const v of e.vms) {
      c.faults += v.faults;
      c.majorFaults += v.majorFaults;
      c.swapIns += v.swapIns;
      c.swapOuts += v.swapOuts;
      c.evictions += v.evictions;
    }
    return c;
  });
  return {
    accesses: sampledAccesses + expander.filteredAccesses,
    sampledAccesses,
    sampledPages: sampler.tracked,
    admittedPages: sampler.admitted,
    rate: sampler.rate,
    vmNames: [...registry.names],
    skipped: readers.map((r) => ({ file: r.source.display, counts: r.skipped })),
    lru: stack === null ? null : { weight, maxDistance, accesses: weightedAccesses },
    miniCounters,
    peakTracked: Math.max(peakTracked, sampler.tracked),
  };
}

/** Estimated LRU faults at each size from a weighted SHARDS histogram, within [0, accesses]. */
export function shardsFaults(h: WeightedHistogram, frames: readonly number[], totalAccesses: number): number[] {
  const cum = new Float64Array(h.maxDistance + 1);
  let sum = 0;
  for (let d = 1; d <= h.maxDistance; d++) {
    sum += h.weight[d]!;
    cum[d] = sum;
  }
  return frames.map((c) => {
    const hits = c >= 1 ? cum[Math.min(c, h.maxDistance)]! : 0;
    return Math.max(0, Math.min(totalAccesses, Math.round(h.accesses - hits)));
  });
}

/** The miniature cache that stands for C frames at rate R: round(R C) frames (0: too small to simulate). */
export function miniatureFrames(c: number, rate: number): number {
  return Math.floor(c * rate + 0.5 + 1e-9);
}

/** Estimated faults of a miniature run: its faults / R, within [0, accesses]. */
export function scaledFaults(miniFaults: number, rate: number, totalAccesses: number): number {
  return Math.min(totalAccesses, Math.round(miniFaults / rate));
}

/** The smallest size a sample at this rate resolves: 1 / R frames, rounded up. */
export function smallestEstimated(rate: number): number {
  return Math.ceil(1 / rate - 1e-9);
}

/**
 * Exact faults of `policy` at each size, by replaying it at every distinct size (the trace read
 * once into memory, the sizes on worker threads, as compare does): what a miniature simulation
 * at rate 1 must equal.
 */
export async function replayedCounters(
  sources: TraceSource[],
  read: ReadOptions,
  pageSize: number,
  policy: PolicyName,
  frames: readonly number[],
  jobs: number,
  engine: Partial<EngineConfig>,
): Promise<SizeCounters[]> {
  const trace = await loadPageTrace(sources, read, pageSize);
  const nextUse = policies[policy].needsFuture ? nextUseOf(trace, trace.ids.count) : null;
  const sizes = [...new Set(frames)];
  const base = curveEngineConfig(pageSize, policy, engine);
  const pool = new SweepPool(jobs);
  try {
    const small = sizes.length <= 1 || trace.length * sizes.length < 2_000_000;
    const results = await pool.run(sweepTrace(trace, nextUse), sizes.map((f) => ({ ...base, frames: f })), { inProcess: small });
    const at = new Map<number, SizeCounters>();
    sizes.forEach((f, i) => {
      const r = results[i]!;
      if (!r.ok) throw new Error(`${policy} replay at ${f} frames failed: ${r.message}`);
      at.set(f, { faults: r.faults, majorFaults: r.majorFaults, swapIns: r.swapIns, swapOuts: r.swapOuts, evictions: r.evictions });
    });
    return frames.map((f) => at.get(f)!);
  } finally {
    await pool.close();
  }
}
