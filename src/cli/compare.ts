import { Command, Option } from 'commander';
import { EXIT, PartialFailure, UsageError } from '../errors.js';
import { stackCellCounts, stackCells, stackCellsExact } from '../run/curves.js';
import { loadPageTrace, nextUseOf } from '../run/page-trace.js';
import { defaultJobs, footprintOf, SweepPool, sweepTrace, type CellCounts } from '../run/sweep.js';
import { policies as policyDefinitions, POLICY_NAMES, type PolicyName } from '../policies/index.js';
import { compareResult, compareRow, failedCells, type CompareConfig, type CompareTraceStats } from '../report/compare.js';
import type { Row } from '../report/result.js';
import { openSource } from '../trace/source.js';
import { parseCount } from '../units.js';
import { compareFigure } from '../report/figure.js';
import { addPlotOutOption, plotOutKind, writeFigure } from './figure-out.js';
import { inputsOf, type Io } from './io.js';
import { addBaselineOptions, emitChecked, startBaselineCheck, type BaselineOptions } from './baseline.js';
import { addEngineOptions, addOutputOptions, addTraceOptions, engineConfig, parsePolicy, readOptions, type RawOptions } from './options.js';
import { parseSizeList, resolveSizes } from './sizes.js';

export const DEFAULT_COMPARE_SIZES = '10%,25%,50%,75%,100%';

/** Below this many accesses x cells, threads cost more than they save: run in-process. */
const SMALL_SWEEP = 2_000_000;

/**
 * OPT's one-pass stack may make this many record moves per access and opt cell (divided by the
 * worker threads) before its cells are replayed instead: about the work of the replays (as mrc).
 */
const OPT_MOVES_PER_CELL = 8;

interface CompareOptions extends RawOptions, BaselineOptions {
  policies?: string;
  jobs?: string;
  shard?: string;
  plotOut?: string;
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

export function compareCommand(io: Io): Command {
  const cmd = new Command('compare')
    .summary('every policy at every memory size: one row per (trace, policy, size)')
    .description(
      'Replays each trace with every policy at every memory size. Each trace is\n' +
        'read once into memory (5 bytes per page access) and is its own set of rows;\n' +
        'the cells run in parallel on worker threads. With unlimited swap, the lru and\n' +
        'opt cells come from one pass over the trace that counts every size at once\n' +
        '(docs/one-pass.md), equal to replaying them. The table marks (*, green) the\n' +
        'policy with the fewest faults per size (opt, which reads the future, is shown\n' +
        'as the bound and not marked).',
    )
    .argument('<trace...>', 'trace files; each is compared on its own (- reads standard input)')
    .option('--policies <list>', `policies to compare, comma-separated, or all (default all: ${POLICY_NAMES.join(',')})`)
    .addOption(new Option('-p, --policy <list>', 'the same as --policies').hideHelp());
  addEngineOptions(cmd, false, {
    frames:
      'memory sizes in frames: a list such as 64,128,256; ranges 64..4096x2 (geometric) or 64..1024+64 ' +
      `(steps); fractions of the trace's footprint 10%,50% = floor(distinct pages * pct / 100) (default ${DEFAULT_COMPARE_SIZES})`,
    memory: 'memory sizes as bytes, same list syntax: 16MiB,32MiB or 1MiB..1GiBx2 (frames = floor(size / page size))',
  });
  addTraceOptions(cmd);
  addBaselineOptions(cmd);
  addPlotOutOption(cmd, 'faults against size per policy');
  addOutputOptions(cmd);
  cmd
    .option('-j, --jobs <n>', 'worker threads (default: the number of CPUs; small sweeps run in-process); 1 runs in-process')
    .option('--shard <i/n>', 'run only shard i of n of the (trace, policy, size) cells; join the outputs (JSON, or CSV: it adds the columns shard,shard_data) with vmmem merge');
  cmd.addHelpText(
    'after',
    '\nSizes are sorted and repeats dropped per trace (10% and 64 may be one size).\n' +
      'Rows: trace (as given), size (ascending), policy (as listed). Columns:\n' +
      '  trace,policy,frames,accesses,faults,major_faults,fault_rate,swap_ins,\n' +
      '  swap_outs,eat_ns,memory_bytes,oom_kills,error\n' +
      'A cell that fails keeps its row with the reason in error; the others still run.\n' +
      '\nExamples:\n' +
      '  vmmem compare traces/zipf.csv --policies lru,fifo,clock,opt --frames 64..1024x2\n' +
      '  vmmem compare web.csv db.csv --memory 16MiB,32MiB --format csv\n' +
      '  vmmem compare big.vmt --frames 10%,25%,50% --shard 3/8 --format json > s3.json\n' +
      '\nExit codes: 0 ok, 3 a cell ran out of memory with --on-oom=error (its row says\n' +
      'so, all rows are printed), 64 bad usage, 65 bad trace data, 66 trace missing or\n' +
      'unreadable, 70 a cell failed with an internal error (after all rows are printed).',
  );
  cmd.action(async (traces: string[], raw: CompareOptions) => {
    const read = readOptions(raw);
    plotOutKind(raw.plotOut);
    if (raw.policies !== undefined && raw.policy !== undefined) throw new UsageError('--policies and --policy both name the policies: use one');
    const policies = parsePolicies(raw.policies ?? raw.policy);
    if (raw.frames !== undefined && raw.memory !== undefined) throw new UsageError('--frames and --memory both give the sizes: use one');
    const base = engineConfig({ ...raw, frames: undefined, memory: undefined }, policies[0]!, policies);
    const option = raw.memory !== undefined ? '--memory' : '--frames';
    const sizes = parseSizeList(raw.memory ?? raw.frames ?? DEFAULT_COMPARE_SIZES, option, base.pageSize);
    const shard = parseShard(raw.shard);
    const jobs = raw.jobs === undefined ? defaultJobs() : parseCount(raw.jobs, '--jobs', 1);
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
    // A baseline is read, and its configuration checked, before the long work starts.
    const check = startBaselineCheck(raw, 'compare', { policies, sizes: sizes.text, page_size: base.pageSize });
    const K = sizes.items.length;
    const P = policies.length;
    const stats: (CompareTraceStats | null)[] = traces.map(() => null);
    const rows: Row[] = [];
    const progress = io.stderrIsTty && !raw.quiet;
    // Open (check) every trace this shard reads before the long work starts.
    const sources = [];
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
        const passed = new Map<PolicyName, Map<number, CellCounts>>();
        if (stackCellsExact(base)) {
          for (const policy of ['lru', 'opt'] as const) {
            const at = cells.filter((c) => c.policy === policy && c.frames >= 1).map((c) => c.frames);
            if (at.length === 0 || (policy === 'lru' && at.length === 1)) continue;
            const budget = policy === 'opt' ? (OPT_MOVES_PER_CELL * trace.positions * at.length) / Math.max(1, jobs) : Infinity;
            const counters = stackCells(trace, policy, nextUse, at, budget);
            if (counters === null) continue;
            passed.set(policy, new Map(at.map((f, i) => [f, stackCellCounts(counters[i]!, trace.positions, base)])));
          }
        }
        const replayed = cells.filter((c) => !passed.get(c.policy)?.has(c.frames));
        const small = raw.jobs === undefined && (replayed.length <= 1 || trace.length * replayed.length < SMALL_SWEEP);
        const results = await pool.run(
          sweepTrace(trace, nextUse),
          replayed.map((c) => ({ ...base, policy: c.policy, frames: c.frames })),
          {
            inProcess: small,
            onDone: progress ? (done) => io.stderr(`\r\x1b[Kvmmem compare: ${name}: ${done}/${replayed.length} cells replayed`) : undefined,
          },
        );
        if (progress) io.stderr('\r\x1b[K');
        replayed.forEach((c, i) => {
          const r = results[i]!;
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
    const result = compareResult({ config, traces: stats, rows, shard });
    if (raw.plotOut !== undefined) await writeFigure(raw.plotOut, compareFigure(result), result.summary?.join('\n') ?? '');
    try {
      emitChecked(io, result, raw, check, inputsOf(sources, traces));
    } finally {
      // a failed cell's exit code (3 or 70) wins over a regression's 1
      throwIfCellsFailed(result.rows);
    }
  });
  return cmd;
}

/** After printing: exit 70 when a cell failed with a bug, 3 when one ran out of memory. */
export function throwIfCellsFailed(rows: Row[]): void {
  const f = failedCells(rows);
  if (f.failed === 0) return;
  const what = f.internal > 0 ? `${f.internal} with an internal error (a bug: rerun with --jobs 1 and VMMEM_DEBUG=1, and report it)` : `${f.oom} out of memory (--on-oom=error)`;
  throw new PartialFailure(`${f.failed} of ${rows.length} cells failed, ${what}; see the error column`, f.internal > 0 ? EXIT.internal : EXIT.oom);
}
