/**
 * `compare`: the validation, defaults and sweep behind `vmmem compare` (src/cli/compare.ts maps
 * argv onto these and formats the result).
 */
import { EXIT, PartialFailure, UsageError } from '../errors.js';
import { stackCellCounts, stackCells, stackCellsExact } from '../run/curves.js';
import { loadPageTrace, nextUseOf } from '../run/page-trace.js';
import { defaultJobs, footprintOf, SweepPool, sweepTrace, type CellCounts, type CellResult, type StackJob, type StackResult, type SweepJob } from '../run/sweep.js';
import type { EngineConfig } from '../engine/config.js';
import type { SizeCounters } from '../analysis/mrc.js';
import { policies as policyDefinitions, POLICY_NAMES, type PolicyName } from '../policies/index.js';
import { compareResult, compareRow, failedCells, type CompareConfig, type CompareTraceStats } from '../report/compare.js';
import type { CommandResult, Row } from '../report/result.js';
import { openSource, type TraceSource } from '../trace/source.js';
import { parseCount } from '../units.js';
import { engineConfig, parsePolicy, readOptions, type RawOptions } from '../options/options.js';
import { parseSizeList, resolveSizes } from '../options/sizes.js';
import { inputsOf } from '../report/stamp.js';
import { toDocument, type ResultDocument } from './document.js';
import { toRaw, type Library } from './options.js';

export const DEFAULT_COMPARE_SIZES = '10%,25%,50%,75%,100%';

/** Below this many accesses x cells, threads cost more than they save: run in-process. */
const SMALL_SWEEP = 2_000_000;

/**
 * OPT's one-pass stack may make this many record moves per access and opt cell (divided by the
 * worker threads) before its cells are replayed instead: about the work of the replays (as mrc).
 */
const OPT_MOVES_PER_CELL = 8;

/** The raw (command-line) options of `vmmem compare`. */
export interface CompareRawOptions extends RawOptions {
  policies?: string;
  /** the same as `policies` (hidden) */
  policy?: string;
  jobs?: string;
  shard?: string;
}

export function parsePolicies(text: string | undefined): PolicyName[] {
  if (text === undefined || text.trim() === 'all') return [...POLICY_NAMES];
  const names: PolicyName[] = [];
  for (const part of text.split(',')) {
    const name = parsePolicy(part.trim(), '--policies');
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** `--shard i/n`: shard i (1-based) of n. */
export function parseShard(text: string | undefined): { index: number; count: number } | null {
  if (text === undefined) return null;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index >= 1) || index > count) {
    throw new UsageError(`--shard: '${text}' is not i/n with 1 <= i <= n (e.g. --shard 2/8)`);
  }
  return { index, count };
}

/**
 * The cells of a sweep are numbered c = (trace * sizes + size) * policies + policy, over the
 * size list as written; shard i of n takes the cells with c mod n = i - 1. Interleaving spreads
 * the slow cells (opt, large traces) evenly; the rule needs nothing but the command line.
 */
export function ownsCell(shard: { index: number; count: number } | null, cell: number): boolean {
  return shard === null || cell % shard.count === shard.index - 1;
}

export interface CompareHooks {
  /** once the options are checked, before any trace is opened (the CLI reads its baseline here) */
  checked?(known: { policies: PolicyName[]; sizes: string; pageSize: number }): void;
  /**
   * `done` of `cells` runs of trace `name` done, a run being a cell replayed or an lru or opt
   * pass that gives several cells at once (none: no report)
   */
  cellsDone?(name: string, done: number, cells: number): void;
  /** after each trace's cells */
  traceDone?(name: string): void;
}

export interface CompareRun {
  result: CommandResult;
  /** per TRACE: its source, or null when this shard opened none of its cells */
  sources: (TraceSource | null)[];
}

/** The sweep behind `vmmem compare TRACES... OPTIONS`: the result unformatted, failed cells in their rows. */
export async function runCompare(traces: string[], raw: CompareRawOptions, hooks: CompareHooks = {}): Promise<CompareRun> {
  const read = readOptions(raw);
  if (raw.policies !== undefined && raw.policy !== undefined) throw new UsageError('--policies and --policy both name the policies: use one');
  const policies = parsePolicies(raw.policies ?? raw.policy);
  if (raw.frames !== undefined && raw.memory !== undefined) throw new UsageError('--frames and --memory both give the sizes: use one');
  const base = engineConfig({ ...raw, frames: undefined, memory: undefined }, policies[0]!, policies);
  const option = raw.memory !== undefined ? '--memory' : '--frames';
  const sizes = parseSizeList(raw.memory ?? raw.frames ?? DEFAULT_COMPARE_SIZES, option, base.pageSize);
  const shard = parseShard(raw.shard);
  const jobs = raw.jobs === undefined ? defaultJobs() : parseCount(raw.jobs, '--jobs', 1);
  if (traces.length === 0) throw new UsageError('no trace: give TRACE files');
  if (traces.filter((t) => t === '-').length > 1) throw new UsageError('standard input (-) can be given once');
  const dup = traces.find((t, i) => traces.indexOf(t) !== i);
  if (dup !== undefined) throw new UsageError(`${dup} is given twice`);

  const config: CompareConfig = {
    traces: traces.map((t) => (t === '-' ? '<stdin>' : t)),
    policies,
    look_ahead_policies: policies.filter((p) => policyDefinitions[p].needsFuture),
    sizes: sizes.text,
    size_option: option === '--memory' ? 'memory' : 'frames',
    page_size: base.pageSize,
    swap_slots: base.swapSlots,
    seed: base.seed,
    on_oom: base.onOom,
    strict_alloc: base.strictAlloc,
    latency_ns: {
      hit: base.latency.hitNs,
      minor: base.latency.minorNs,
      major: base.latency.majorNs,
      swapout: base.latency.swapoutNs,
      walkref: base.latency.walkrefNs,
    },
  };
  hooks.checked?.({ policies, sizes: sizes.text, pageSize: base.pageSize });
  const K = sizes.items.length;
  const P = policies.length;
  const stats: (CompareTraceStats | null)[] = traces.map(() => null);
  const rows: Row[] = [];
  // Open (check) every trace this shard reads before the long work starts.
  const sources: (TraceSource | null)[] = [];
  for (let t = 0; t < traces.length; t++) {
    let owned = false;
    for (let c = t * K * P; c < (t + 1) * K * P && !owned; c++) owned = ownsCell(shard, c);
    sources.push(owned ? await openSource(traces[t]!, read.traceFormat) : null);
  }
  const pool = new SweepPool(jobs);
  try {
    for (let t = 0; t < traces.length; t++) {
      const source = sources[t];
      if (!source) continue;
      const trace = await loadPageTrace([source], read, base.pageSize);
      const footprint = footprintOf({ ...trace, pageCount: trace.ids.count });
      const frames = resolveSizes(sizes, footprint);
      const unique: number[] = [];
      const cells: { policy: PolicyName; frames: number }[] = [];
      const seen = new Set<number>();
      for (let k = 0; k < K; k++) {
        // A repeated size (10% may be 64 frames too): its first occurrence is the cell.
        if (seen.has(frames[k]!)) continue;
        seen.add(frames[k]!);
        unique.push(frames[k]!);
        for (let j = 0; j < P; j++) if (ownsCell(shard, (t * K + k) * P + j)) cells.push({ policy: policies[j]!, frames: frames[k]! });
      }
      const needsFuture = cells.some((c) => policyDefinitions[c.policy].needsFuture);
      const nextUse = needsFuture ? nextUseOf(trace, trace.ids.count) : null;
      const name = config.traces[t]!;
      // lru and opt: every size from one pass (docs/one-pass.md) where that is exact; one
      // lru cell replays faster than the pass.
      const stacks: StackJob[] = [];
      if (stackCellsExact(base)) {
        for (const policy of ['lru', 'opt'] as const) {
          const at = cells.filter((c) => c.policy === policy && c.frames >= 1).map((c) => c.frames);
          if (at.length === 0 || (policy === 'lru' && at.length === 1)) continue;
          const budget = policy === 'opt' ? (OPT_MOVES_PER_CELL * trace.positions * at.length) / Math.max(1, jobs) : Infinity;
          stacks.push({ policy, sizes: at, budget });
        }
      }
      const inPass = (c: { policy: PolicyName; frames: number }): boolean => stacks.some((j) => j.policy === c.policy && j.sizes.includes(c.frames));
      const others = cells.filter((c) => !inPass(c));
      const small = raw.jobs === undefined && (others.length + stacks.length <= 1 || trace.length * (others.length + stacks.length) < SMALL_SWEEP);
      const shared = sweepTrace(trace, nextUse);
      const configOf = (c: { policy: PolicyName; frames: number }): EngineConfig => ({ ...base, policy: c.policy, frames: c.frames });
      // the results so far, by cell
      const done = new Map<{ policy: PolicyName; frames: number }, CellResult>();
      const passed = new Map<PolicyName, Map<number, CellCounts>>();
      const pass = (job: StackJob, counters: SizeCounters[] | null): void => {
        if (counters !== null) passed.set(job.policy, new Map(job.sizes.map((f, i) => [f, stackCellCounts(counters[i]!, trace.positions, base)])));
      };
      let progress = 0;
      const report = hooks.cellsDone ? (n: number, of: number) => hooks.cellsDone?.(name, n, of) : undefined;
      if (small || !pool.usesWorkers) {
        // here, one after another: the passes, then the cells they did not give
        for (const job of stacks) pass(job, stackCells(trace, job.policy, nextUse, job.sizes, job.budget));
      } else {
        // the passes and the other cells on the workers together
        const jobsHere: SweepJob[] = [...stacks.map((stack) => ({ stack })), ...others.map((c) => ({ config: configOf(c) }))];
        const results = await pool.runJobs(shared, jobsHere, report ? (n) => report((progress = n), jobsHere.length) : undefined);
        stacks.forEach((job, i) => {
          const r = results[i] as StackResult;
          // a pass that failed (a bug) leaves its cells to be replayed, as one over its budget does
          if (r.ok) pass(job, r.counters);
        });
        others.forEach((c, i) => done.set(c, results[stacks.length + i] as CellResult));
      }
      const replayed = cells.filter((c) => !passed.get(c.policy)?.has(c.frames));
      const left = replayed.filter((c) => !done.has(c));
      const total = progress + left.length;
      const results = await pool.run(shared, left.map(configOf), {
        inProcess: small,
        onDone: report ? (n) => report(progress + n, total) : undefined,
      });
      left.forEach((c, i) => done.set(c, results[i]!));
      hooks.traceDone?.(name);
      replayed.forEach((c) => {
        const r = done.get(c)!;
        rows.push(compareRow(name, c.policy, c.frames, base.pageSize, r.ok ? r : null, r.ok ? null : r.message));
      });
      for (const [policy, at] of passed) for (const [f, r] of at) rows.push(compareRow(name, policy, f, base.pageSize, r, null));
      const skipped = trace.skipped[0]!.counts;
      stats[t] = {
        trace: name,
        accesses: trace.positions,
        distinct_pages: footprint,
        vms: [...trace.registry.names],
        frames: unique,
        skipped: { ifetch: skipped.ifetch, other: skipped.other, bad: skipped.bad },
      };
    }
  } finally {
    await pool.close();
  }
  return { result: compareResult({ config, traces: stats, rows, shard }), sources };
}

/** After printing: exit 70 when a cell failed with a bug, 3 when one ran out of memory. */
export function throwIfCellsFailed(rows: Row[]): void {
  const f = failedCells(rows);
  if (f.failed === 0) return;
  const what = f.internal > 0 ? `${f.internal} with an internal error (a bug: rerun with --jobs 1 and VMMEM_DEBUG=1, and report it)` : `${f.oom} out of memory (--on-oom=error)`;
  throw new PartialFailure(`${f.failed} of ${rows.length} cells failed, ${what}; see the error column`, f.internal > 0 ? EXIT.internal : EXIT.oom);
}

/**
 * Options of {@link compare}: `vmmem compare`'s options in camelCase. `frames` and `memory`
 * take the CLI's size lists (`'64..1024x2'`, `'10%,50%'`) or one number; `policies` a list
 * (`'lru,fifo'` or an array).
 */
export interface CompareOptions extends Library<Omit<CompareRawOptions, 'format' | 'color' | 'quiet' | 'output' | 'columns' | 'wide' | 'policies' | 'policy'>> {
  /** trace files; each is its own set of rows */
  traces: string[];
  /** the policies to compare (default all) */
  policies?: string | readonly string[];
}

/** The result of {@link compare}: `vmmem compare --format json`, parsed. Failed cells keep their row, with the reason in `error`. */
export type CompareResult = ResultDocument<'compare'>;

/**
 * Replays each trace with every policy at every memory size (one row per trace, policy, size);
 * the result is what `vmmem compare ... --format json` prints, parsed.
 *
 * @example
 * const r = await compare({ traces: ['traces/zipf.csv'], policies: ['lru', 'fifo'], frames: '64,128' });
 * @throws UsageError (bad options), TraceError, InputError; a failed cell does not throw (see `rows[i].error`)
 */
export async function compare(options: CompareOptions): Promise<CompareResult> {
  const { traces, policies, ...rest } = options;
  const raw = toRaw<CompareRawOptions>(rest);
  if (policies !== undefined) raw.policies = typeof policies === 'string' ? policies : policies.join(',');
  const { result, sources } = await runCompare(traces, raw);
  return toDocument<'compare'>(result, inputsOf(sources, traces));
}
