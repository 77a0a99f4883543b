/**
 * The passes behind `mrc`. One streaming pass over the traces (interleaved as `simulate` does)
 * feeds the LRU stack-distance counters (memory follows the distinct pages) and, when OPT is
 * asked for, keeps the page accesses (5 bytes each): OPT needs the future. OPT's faults then
 * come from the one-pass OPT stack when its work stays within a budget comparable to replaying
 * opt at every requested size, else from those replays (exact either way).
 */
import { DEFAULT_LATENCY, type EngineConfig } from '../engine/config.js';
import type { PolicyName } from '../policies/index.js';
import { grown } from '../policies/policy.js';
import { VmRegistry } from '../trace/interleave.js';
import { feedPages } from './feed.js';
import { createReader, type ReadOptions } from '../trace/reader.js';
import { OP_FREE, OP_RESET, OP_WRITE, type SkipCounts } from '../trace/rows.js';
import { displayOf, type TraceSource } from '../trace/source.js';
import { PageExpander, type PageBatch } from '../pages/expand.js';
import { countersAt, feed, LruStackDistances, OptStackDistances, ShardsFilter, StackBudgetExceeded, type SizeCounters, type StackHistogram, type WriteBackCounts } from '../analysis/mrc.js';
import { PageIds } from '../pages/page-ids.js';
import { nextUseOf } from './page-trace.js';
import { SweepPool, type CellCounts, type SweepTrace } from './sweep.js';
import { eat } from './simulate.js';
import { VmCounters } from '../engine/stats.js';

export type StackPolicy = 'lru' | 'opt';

/**
 * The engine a curve's replays run (opt's fallback here, replayed and miniature curves in
 * run/minisim.ts): one global policy, unlimited swap, the default latencies; the frames are
 * set per size.
 */
export function curveEngineConfig(pageSize: number, policy: PolicyName, over: Partial<EngineConfig> = {}): EngineConfig {
  return {
    frames: 1,
    pageSize,
    swapSlots: Infinity,
    policy,
    scheduler: 'global',
    seed: 1,
    onOom: 'kill',
    strictAlloc: false,
    latency: DEFAULT_LATENCY,
    ...over,
  };
}

export interface CurveInput {
  sources: TraceSource[];
  read: ReadOptions;
  pageSize: number;
  /** LRU histograms to build: one per entry, a SHARDS sampling rate or null for the exact curve */
  lruSamples: readonly (number | null)[];
  /** keep the accesses for OPT */
  keepTrace: boolean;
  /** salts the SHARDS hash (sampleSalt(--seed)); 0 by default */
  salt?: number;
}

export interface CurvePass {
  pageSize: number;
  /** R and W page accesses */
  accesses: number;
  /** distinct pages read or written */
  footprint: number;
  vmNames: string[];
  skipped: { file: string; counts: SkipCounts }[];
  /** per entry of input.lruSamples */
  lru: StackHistogram[];
  /** per entry of input.lruSamples: the write-back counters (finished) */
  lruWriteBack: WriteBackCounts[];
  lruSamples: readonly (number | null)[];
  /** the page operations, when kept */
  trace: { op: Uint8Array; page: Int32Array; length: number } | null;
  ids: PageIds;
}

export async function stackDistancePass(input: CurveInput): Promise<CurvePass> {
  const ids = new PageIds();
  const registry = new VmRegistry();
  const filters = input.lruSamples.map((r) => (r === null ? null : new ShardsFilter(r, input.salt ?? 0)));
  const lru = input.lruSamples.map(() => new LruStackDistances(true));
  const keep = input.keepTrace;
  let op = new Uint8Array(keep ? 1 << 16 : 0);
  let page = new Int32Array(keep ? 1 << 16 : 0);
  let length = 0;
  let accesses = 0;
  let footprint = 0;
  let seen = new Uint8Array(1024);
  const expander = new PageExpander(input.pageSize, ids, (batch: PageBatch) => {
    if (ids.count > seen.length) seen = grown(seen, ids.count);
    for (let i = 0; i < batch.length; i++) {
      if (batch.op[i]! > OP_WRITE) continue;
      accesses++;
      const p = batch.page[i]!;
      if (seen[p] === 0) {
        seen[p] = 1;
        footprint++;
      }
    }
    lru.forEach((stack, k) => feed(stack, batch.op, batch.page, batch.length, ids, filters[k]!));
    if (keep) {
      if (length + batch.length > op.length) {
        op = grown(op, length + batch.length);
        page = grown(page, length + batch.length);
      }
      op.set(batch.op.subarray(0, batch.length), length);
      page.set(batch.page.subarray(0, batch.length), length);
      length += batch.length;
    }
  }, displayOf(input.sources));
  const readers = input.sources.map((s) => createReader(s, input.read));
  await feedPages(readers, registry, expander);
  for (const stack of lru) stack.finish();
  return {
    pageSize: input.pageSize,
    accesses,
    footprint,
    vmNames: [...registry.names],
    skipped: readers.map((r) => ({ file: r.source.display, counts: r.skipped })),
    lru: lru.map((s) => s.result),
    lruWriteBack: lru.map((s) => s.writeBack!),
    lruSamples: input.lruSamples,
    trace: keep ? { op: op.subarray(0, length), page: page.subarray(0, length), length } : null,
    ids,
  };
}

/** LRU counters at each size: exact (sample null) or the SHARDS estimate at that rate. */
export function lruCounters(pass: CurvePass, sample: number | null, sizes: readonly number[]): SizeCounters[] {
  const k = pass.lruSamples.indexOf(sample);
  if (k < 0) throw new Error(`no LRU pass for sample ${sample}`);
  return countersAt(pass.lru[k]!, pass.lruWriteBack[k]!, sizes, sample, pass.accesses);
}

/** LRU faults at each size: exact (sample null) or the SHARDS estimate at that rate. */
export function lruFaults(pass: CurvePass, sample: number | null, sizes: readonly number[]): number[] {
  return lruCounters(pass, sample, sizes).map((c) => c.faults);
}

export interface OptOptions {
  /** worker threads for replays (1 = in-process) */
  jobs: number;
  /**
   * Record moves the one-pass stack may make, per access and requested size and divided by
   * `jobs`, before the sizes are replayed instead. The default, 8, is about the work of replaying
   * opt at every size (a move costs ~15 ns, a replayed access ~120 ns). 0 always replays,
   * Infinity never does.
   */
  budgetPerSize?: number;
  /** salts the SHARDS hash, as in CurveInput */
  salt?: number;
}

export interface OptCurve {
  faults: number[];
  /** every size-dependent counter, per size */
  counters: SizeCounters[];
  /** how they were computed */
  method: 'stack' | 'replay';
}

/** OPT faults at each size: exact (sample null) or the SHARDS estimate. Needs a pass with keepTrace. */
export async function optFaults(pass: CurvePass, sample: number | null, sizes: readonly number[], opts: OptOptions): Promise<OptCurve> {
  if (pass.trace === null) throw new Error('OPT needs the trace kept');
  const filter = sample === null ? null : new ShardsFilter(sample, opts.salt ?? 0);
  const rate = sample ?? 1;
  const sub = sampledTrace(pass.trace.op, pass.trace.page, pass.trace.length, pass.ids, filter);
  const nextUse = nextUseOf(sub, pass.ids.count);
  const distinct = new Set(sizes).size;
  const budget = ((opts.budgetPerSize ?? 8) * sub.positions * distinct) / Math.max(1, opts.jobs);
  if (budget > 0) {
    try {
      // The write-back counters need the pages never used again in the engine's order.
      const stack = new OptStackDistances(nextUse, sub.freesPages || sub.writes, budget, true);
      feed(stack, sub.op, sub.page, sub.length, pass.ids, null);
      stack.finish();
      const counters = countersAt(stack.result, stack.writeBack!, sizes, sample, pass.accesses);
      return { faults: counters.map((c) => c.faults), counters, method: 'stack' };
    } catch (err) {
      if (!(err instanceof StackBudgetExceeded)) throw err;
    }
  }
  // Replay opt over the (sampled) accesses at each size, scaled like the stack's distances.
  const scaled = sizes.map((c) => Math.floor(c * rate + 1e-9));
  const frames = [...new Set(scaled.filter((f) => f >= 1))];
  const n = pass.ids.count;
  const trace: SweepTrace = {
    op: sub.op,
    page: sub.page,
    length: sub.length,
    pageCount: n,
    vmOf: pass.ids.vmOf.subarray(0, n),
    hiOf: pass.ids.hiOf.subarray(0, n),
    loOf: pass.ids.loOf.subarray(0, n),
    vmNames: pass.vmNames,
    nextUse,
  };
  const base = curveEngineConfig(pass.pageSize, 'opt');
  const pool = new SweepPool(opts.jobs);
  let results;
  try {
    // Threads pay off only for real work (starting one costs about as much as 1M accesses).
    const small = frames.length <= 1 || sub.length * frames.length < 2_000_000;
    results = await pool.run(trace, frames.map((f) => ({ ...base, frames: f })), { inProcess: small });
  } finally {
    await pool.close();
  }
  const replayed = new Map<number, CellCounts>();
  frames.forEach((f, i) => {
    const r = results[i]!;
    if (!r.ok) throw new Error(`opt replay at ${f} frames failed: ${r.message}`);
    replayed.set(f, r);
  });
  const scale = (n: number): number => (sample === null ? n : Math.round(n / rate));
  const counters = scaled.map((f): SizeCounters => {
    const r = f >= 1 ? replayed.get(f)! : null;
    // Below one sampled frame every access misses (no sizes like that without sampling).
    const misses = r ? r.faults : sub.positions;
    return {
      faults: sample === null ? misses : Math.min(pass.accesses, Math.round(misses / rate)),
      majorFaults: r ? scale(r.majorFaults) : 0,
      swapIns: r ? scale(r.swapIns) : 0,
      swapOuts: r ? scale(r.swapOuts) : 0,
      evictions: r ? scale(r.evictions) : 0,
    };
  });
  return { faults: counters.map((c) => c.faults), counters, method: 'replay' };
}

/** The operations on sampled pages (all of them without a filter); RESETs are always kept. */
function sampledTrace(
  op: Uint8Array,
  page: Int32Array,
  length: number,
  ids: PageIds,
  filter: ShardsFilter | null,
): { op: Uint8Array; page: Int32Array; length: number; positions: number; freesPages: boolean; writes: boolean } {
  let freesPages = false;
  let writes = false;
  let positions = 0;
  if (filter === null) {
    for (let i = 0; i < length; i++) {
      const o = op[i]!;
      if (o <= OP_WRITE) {
        positions++;
        if (o === OP_WRITE) writes = true;
      } else if (o === OP_FREE || o === OP_RESET) freesPages = true;
    }
    return { op, page, length, positions, freesPages, writes };
  }
  const subOp = new Uint8Array(length);
  const subPage = new Int32Array(length);
  let n = 0;
  for (let i = 0; i < length; i++) {
    const o = op[i]!;
    if (o !== OP_RESET && !filter.sampled(page[i]!, ids.vmOf, ids.hiOf, ids.loOf)) continue;
    if (o <= OP_WRITE) {
      positions++;
      if (o === OP_WRITE) writes = true;
    } else if (o === OP_FREE || o === OP_RESET) freesPages = true;
    subOp[n] = o;
    subPage[n++] = page[i]!;
  }
  return { op: subOp.subarray(0, n), page: subPage.subarray(0, n), length: n, positions, freesPages, writes };
}

/**
 * `compare`'s lru and opt cells from one pass over a trace held in memory (all sizes at once),
 * when that is exact: unlimited swap (so nothing is ever OOM-killed) and no --strict-alloc,
 * under the global scheduler. Returns the counters per size, or null when OPT's stack ran past
 * `budget` record moves (the caller then replays those cells).
 */
export function stackCells(
  trace: { op: Uint8Array; page: Int32Array; length: number; ids: PageIds },
  policy: StackPolicy,
  nextUse: Int32Array | null,
  sizes: readonly number[],
  budget = Infinity,
): SizeCounters[] | null {
  let stack;
  if (policy === 'lru') stack = new LruStackDistances(true);
  else {
    if (nextUse === null) throw new Error('opt needs the look-ahead');
    const sub = sampledTrace(trace.op, trace.page, trace.length, trace.ids, null);
    stack = new OptStackDistances(nextUse, sub.freesPages || sub.writes, budget, true);
  }
  try {
    feed(stack, trace.op, trace.page, trace.length, trace.ids, null);
  } catch (err) {
    if (err instanceof StackBudgetExceeded) return null;
    throw err;
  }
  stack.finish();
  return countersAt(stack.result, stack.writeBack!, sizes, null, stack.result.accesses);
}

/** Whether stackCells is exact for cells of this configuration. */
export function stackCellsExact(config: EngineConfig): boolean {
  return config.swapSlots === Infinity && !config.strictAlloc && config.scheduler === 'global' && config.memory === undefined && config.vms === undefined;
}

/** A cell's figures from one-pass counters, as runCell would count them (SPEC 2.5's EAT). */
export function stackCellCounts(c: SizeCounters, accesses: number, config: EngineConfig): CellCounts {
  const total = new VmCounters();
  total.accesses = accesses;
  total.hits = accesses - c.faults;
  total.faults = c.faults;
  total.majorFaults = c.majorFaults;
  total.minorFaults = c.faults - c.majorFaults;
  total.swapIns = c.swapIns;
  total.swapOuts = c.swapOuts;
  // Under one scheduler over all VMs, every swap-out is waited for by the fault that caused it.
  total.swapOutWaits = c.swapOuts;
  total.evictions = c.evictions;
  return {
    ok: true,
    accesses,
    faults: c.faults,
    majorFaults: c.majorFaults,
    swapIns: c.swapIns,
    swapOuts: c.swapOuts,
    evictions: c.evictions,
    oomKills: 0,
    eatNs: eat(total, config),
  };
}
