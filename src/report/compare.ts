/**
 * `compare`'s result: one row per (trace, policy, size), SPEC 3.1 columns first. Built from a
 * plain `CompareOutcome` that is also what a `--shard` run's JSON carries, so that `merge` can
 * rebuild exactly what the unsharded run prints, in any format.
 */
import type { CellCounts } from '../run/sweep.js';
import { TraceError, UsageError } from '../errors.js';
import { formatBytes } from '../units.js';
import { parseCsv } from './csv.js';
import type { Cell, Column, CommandResult, Row } from './result.js';
import { SCHEMA } from './result.js';

/** The SPEC 3.1 columns, then ours (only ever appended). */
export const COMPARE_KEYS = [
  'trace',
  'policy',
  'frames',
  'accesses',
  'faults',
  'major_faults',
  'fault_rate',
  'swap_ins',
  'swap_outs',
  'eat_ns',
  'memory_bytes',
  'oom_kills',
  'error',
] as const;

/**
 * The columns a `--shard` run's CSV adds after COMPARE_KEYS: `shard` (`i/n`) and `shard_data`,
 * one JSON object per row with what `merge` needs to rebuild the unsharded output in any format
 * and that CSV does not otherwise hold: the row's unrounded `fault_rate` and `eat_ns`, its
 * trace's statistics (as JSON `traces`) and the run's `config` (as JSON `config`).
 */
export const SHARD_CSV_KEYS = ['shard', 'shard_data'] as const;

/** The run's options, as JSON `config` (identical in every shard of one sweep). */
export interface CompareConfig {
  /** the traces as named on the command line; each is its own set of rows */
  traces: string[];
  policies: string[];
  /** those of `policies` that read the future (opt): bounds, not candidates for the best */
  look_ahead_policies: string[];
  /** the size list as typed, and the option it came from */
  sizes: string;
  size_option: 'frames' | 'memory';
  page_size: number;
  /** Infinity, printed in JSON as "unlimited" */
  swap_slots: number | 'unlimited';
  seed: number;
  on_oom: string;
  strict_alloc: boolean;
  latency_ns: Record<string, number>;
  /** vmmem's version (added by the CLI) */
  version?: string;
  /** per trace: its path and format (null in a shard that did not read it; added by the CLI) */
  inputs?: { path: string; format: string | null; gzip?: boolean }[];
}

/** The config without `inputs`, which differ between the shards of one sweep (each opens its own traces). */
function sweepIdentity(config: CompareConfig): string {
  const { inputs: _inputs, ...rest } = config;
  return JSON.stringify(rest);
}

export interface SkipCountsJson {
  ifetch: number;
  other: number;
  bad: number;
}

/** What was learnt from reading one trace. */
export interface CompareTraceStats {
  trace: string;
  /** R and W page accesses */
  accesses: number;
  distinct_pages: number;
  vms: string[];
  /** the sizes of the list resolved for this trace (frames, first occurrences, list order) */
  frames: number[];
  skipped: SkipCountsJson;
}

export interface CompareOutcome {
  config: CompareConfig;
  /** per config.traces; null for a trace this shard did not read */
  traces: (CompareTraceStats | null)[];
  rows: Row[];
  /** set in a --shard run's output only */
  shard: { index: number; count: number } | null;
}

/** The figures of one replayed cell (what a sweep cell counts). */
export type CellFigures = Omit<CellCounts, 'ok'>;

/** Error texts of cells that ran out of memory under --on-oom=error start with this. */
export const OOM_PREFIX = 'out of memory';

export function compareRow(trace: string, policy: string, frames: number, pageSize: number, figures: CellFigures | null, error: string | null): Row {
  return {
    trace,
    policy,
    frames,
    accesses: figures?.accesses ?? null,
    faults: figures?.faults ?? null,
    major_faults: figures?.majorFaults ?? null,
    fault_rate: figures ? (figures.accesses ? figures.faults / figures.accesses : 0) : null,
    swap_ins: figures?.swapIns ?? null,
    swap_outs: figures?.swapOuts ?? null,
    eat_ns: figures?.eatNs ?? null,
    memory_bytes: frames * pageSize,
    oom_kills: figures?.oomKills ?? null,
    error,
  };
}

function columns(rows: Row[]): Column[] {
  const anyOom = rows.some((r) => typeof r.oom_kills === 'number' && r.oom_kills > 0);
  const anyError = rows.some((r) => r.error !== null && r.error !== undefined);
  return [
    { key: 'trace', heading: 'trace', kind: 'text' },
    { key: 'policy', heading: 'policy', kind: 'text' },
    { key: 'frames', heading: 'frames' },
    { key: 'accesses', heading: 'accesses' },
    { key: 'faults', heading: 'faults' },
    { key: 'major_faults', heading: 'major' },
    { key: 'fault_rate', heading: 'fault rate', kind: 'rate' },
    { key: 'swap_ins', heading: 'swap in' },
    { key: 'swap_outs', heading: 'swap out' },
    { key: 'eat_ns', heading: 'EAT ns', kind: 'ns' },
    { key: 'memory_bytes' },
    { key: 'oom_kills', heading: anyOom ? 'oom' : undefined },
    { key: 'error', heading: anyError ? 'error' : undefined, kind: 'text' },
  ];
}

/** Rows in output order: trace (command line), frames (ascending), policy (as listed). */
export function sortRows(config: CompareConfig, rows: Row[]): Row[] {
  const traceIndex = new Map(config.traces.map((t, i) => [t, i]));
  const policyIndex = new Map(config.policies.map((p, i) => [p, i]));
  const key = (r: Row): [number, number, number] => [traceIndex.get(String(r.trace)) ?? -1, Number(r.frames), policyIndex.get(String(r.policy)) ?? -1];
  return [...rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
}

/** The exit status of a finished sweep: 70 when a cell hit a bug, 3 when one ran out of memory, else 0. */
export function failedCells(rows: Row[]): { failed: number; internal: number; oom: number } {
  let internal = 0;
  let oom = 0;
  for (const r of rows) {
    if (typeof r.error !== 'string') continue;
    if (r.error.startsWith(OOM_PREFIX)) oom++;
    else internal++;
  }
  return { failed: internal + oom, internal, oom };
}

function skipNotes(t: CompareTraceStats): string[] {
  const notes: string[] = [];
  const { ifetch, other, bad } = t.skipped;
  if (bad) notes.push(`${t.trace}: skipped ${bad} bad line${bad === 1 ? '' : 's'} (--skip-bad-lines)`);
  if (ifetch) notes.push(`${t.trace}: skipped ${ifetch} instruction fetch${ifetch === 1 ? '' : 'es'} (replay them with --ifetch)`);
  if (other) notes.push(`${t.trace}: skipped ${other} line${other === 1 ? '' : 's'} that are not accesses`);
  return notes;
}

export function compareResult(outcome: CompareOutcome): CommandResult {
  const { config } = outcome;
  const rows = sortRows(config, outcome.rows);
  // The best policy per (trace, size): fewest faults among the cells that ran, not counting
  // the policies that read the future (opt bounds them all) unless nothing else was compared.
  const lookAhead = new Set(config.look_ahead_policies ?? []);
  const onlyLookAhead = config.policies.every((p) => lookAhead.has(p));
  const candidate = (r: Row): boolean => typeof r.faults === 'number' && (onlyLookAhead || !lookAhead.has(String(r.policy)));
  const highlight = new Set<number>();
  let i = 0;
  while (i < rows.length) {
    let j = i;
    while (j < rows.length && rows[j]!.trace === rows[i]!.trace && rows[j]!.frames === rows[i]!.frames) j++;
    let best = Infinity;
    for (let k = i; k < j; k++) if (candidate(rows[k]!)) best = Math.min(best, rows[k]!.faults as number);
    for (let k = i; k < j; k++) if (candidate(rows[k]!) && rows[k]!.faults === best) highlight.add(k);
    i = j;
  }
  const notes: string[] = [];
  for (const t of outcome.traces) if (t) notes.push(...skipNotes(t));
  for (const r of rows) {
    if (typeof r.oom_kills === 'number' && r.oom_kills > 0) {
      notes.push(`${r.trace}: ${r.policy} at ${r.frames} frames: ${r.oom_kills} VM${r.oom_kills === 1 ? ' was' : 's were'} OOM-killed (their later accesses were skipped)`);
    }
  }
  const swap = typeof config.swap_slots === 'number' && Number.isFinite(config.swap_slots) ? `${config.swap_slots} slots` : 'unlimited';
  const bounds = onlyLookAhead ? [] : config.policies.filter((p) => lookAhead.has(p));
  const summary = [
    `page size ${formatBytes(config.page_size)}, swap ${swap}; * = fewest faults at that size` +
      (bounds.length ? ` (${bounds.join(', ')} reads the future: a bound, not marked)` : ''),
  ];
  for (const t of outcome.traces) {
    if (t) summary.push(`${t.trace}: ${t.accesses} accesses, ${t.distinct_pages} distinct pages`);
  }
  if (outcome.shard) summary.push(`shard ${outcome.shard.index} of ${outcome.shard.count}: join the shards' JSON or CSV with vmmem merge`);
  const extra: Record<string, unknown> = { traces: outcome.traces };
  if (outcome.shard) extra.shard = outcome.shard;
  const shard = outcome.shard;
  const statsOf = new Map(outcome.traces.filter((t) => t !== null).map((t) => [t.trace, t]));
  const csvTail: CommandResult['csvTail'] = shard
    ? {
        keys: [...SHARD_CSV_KEYS],
        values: (printed, k) => {
          const r = rows[k]!;
          const data = { fault_rate: r.fault_rate, eat_ns: r.eat_ns, trace: statsOf.get(String(r.trace)) ?? null, config: printed.config };
          return [`${shard.index}/${shard.count}`, JSON.stringify(data, (_key, v: unknown) => (v === Infinity ? 'unlimited' : v))];
        },
      }
    : undefined;
  return {
    command: 'compare',
    config: config as unknown as Record<string, unknown>,
    columns: columns(rows),
    rows,
    extra,
    summary,
    notes,
    highlight,
    csvTail,
  };
}

// ---- reading shard outputs back (vmmem merge) ----

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A compare --format json document, as written by compareResult's JSON; `file` names it in errors. */
export function compareOutcomeFromJson(text: string, file: string): CompareOutcome {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new TraceError(file, 0, `not JSON (${(err as Error).message}); merge reads the output of compare --format json`);
  }
  const bad = (why: string): never => {
    throw new TraceError(file, 0, `not the JSON output of vmmem compare: ${why}`);
  };
  if (!isRecord(doc)) return bad('not an object');
  if (doc.schema !== SCHEMA) return bad(`schema is ${JSON.stringify(doc.schema)}, expected "${SCHEMA}"`);
  if (doc.command !== 'compare') return bad(`it is the output of ${JSON.stringify(doc.command)}`);
  const config = doc.config;
  if (!isRecord(config) || !Array.isArray(config.traces) || !Array.isArray(config.policies) || typeof config.page_size !== 'number') {
    return bad('config is missing or incomplete');
  }
  if (!Array.isArray(doc.rows) || !doc.rows.every(isRecord)) return bad('rows is missing');
  for (const r of doc.rows as Record<string, unknown>[]) {
    const keys = Object.keys(r);
    if (keys.length !== COMPARE_KEYS.length || keys.some((k, i) => k !== COMPARE_KEYS[i])) return bad('a row does not have the compare columns');
  }
  if (!Array.isArray(doc.traces) || doc.traces.length !== config.traces.length) return bad('traces is missing');
  let shard: CompareOutcome['shard'] = null;
  if (doc.shard !== undefined) {
    const s = doc.shard;
    if (!isRecord(s) || !Number.isInteger(s.index) || !Number.isInteger(s.count)) return bad('shard is malformed');
    shard = { index: s.index as number, count: s.count as number };
  }
  return {
    config: config as unknown as CompareConfig,
    traces: doc.traces as (CompareTraceStats | null)[],
    rows: doc.rows as Row[],
    shard,
  };
}

/** Whether a shard output is JSON or CSV, from its first character (JSON is an object). */
export function shardFormat(text: string): 'json' | 'csv' {
  return /^\s*[{[]/.test(text) ? 'json' : 'csv';
}

const INT_KEYS = new Set(['frames', 'accesses', 'faults', 'major_faults', 'swap_ins', 'swap_outs', 'memory_bytes', 'oom_kills']);

/**
 * A `compare --shard i/n --format csv` output; `file` names it in errors. null for a shard that
 * holds no cells (a header only: such a shard says neither its number nor its sweep).
 */
export function compareOutcomeFromCsv(text: string, file: string): CompareOutcome | null {
  const bad = (line: number, why: string): never => {
    throw new TraceError(file, line, why);
  };
  const records = parseCsv(text, bad);
  const header = records[0]?.fields.join(',') ?? '';
  const keys = [...COMPARE_KEYS, ...SHARD_CSV_KEYS];
  if (header === COMPARE_KEYS.join(',')) {
    bad(1, `compare CSV without the columns ${SHARD_CSV_KEYS.join(',')}: merge reads the CSV of compare --shard i/n (or JSON)`);
  }
  if (header !== keys.join(',')) bad(1, `not the CSV output of vmmem compare --shard: the header is not ${keys.join(',')}`);
  if (records.length === 1) return null;
  let shard: { index: number; count: number } | null = null;
  let configText = '';
  let config: CompareConfig | null = null;
  const stats = new Map<string, CompareTraceStats>();
  const rows: Row[] = [];
  for (const { fields, line } of records.slice(1)) {
    if (fields.length !== keys.length) bad(line, `${fields.length} fields, the header has ${keys.length}`);
    const m = /^(\d+)\/(\d+)$/.exec(fields[COMPARE_KEYS.length]!);
    if (!m) bad(line, `shard is '${fields[COMPARE_KEYS.length]}', not i/n`);
    const s = { index: Number(m![1]), count: Number(m![2]) };
    if (shard && (s.index !== shard.index || s.count !== shard.count)) bad(line, `shard ${s.index}/${s.count} in a file of shard ${shard.index}/${shard.count}`);
    shard = s;
    let data: unknown;
    try {
      data = JSON.parse(fields[COMPARE_KEYS.length + 1]!);
    } catch {
      bad(line, 'shard_data is not JSON');
    }
    if (!isRecord(data) || !isRecord(data.config) || !isRecord(data.trace)) return bad(line, 'shard_data lacks config or trace');
    const text = JSON.stringify(data.config);
    if (config && text !== configText) bad(line, 'shard_data holds another config than the rows above');
    configText = text;
    config = data.config as unknown as CompareConfig;
    const row: Row = {};
    COMPARE_KEYS.forEach((key, k) => {
      const field = fields[k]!;
      let cell: Cell = field;
      if (key === 'fault_rate' || key === 'eat_ns') {
        const v = data[key];
        if (v !== null && typeof v !== 'number') bad(line, `shard_data.${key} is not a number`);
        cell = v as number | null;
      } else if (INT_KEYS.has(key)) {
        cell = field === '' ? null : Number(field);
        if (cell !== null && !Number.isSafeInteger(cell)) bad(line, `${key} is '${field}', not a count`);
      } else if (key === 'error') {
        cell = field === '' ? null : field;
      }
      row[key] = cell;
    });
    const trace = data.trace as unknown as CompareTraceStats;
    if (trace.trace !== row.trace) bad(line, `shard_data.trace is of ${JSON.stringify(trace.trace)}, the row of ${JSON.stringify(row.trace)}`);
    stats.set(trace.trace, trace);
    rows.push(row);
  }
  if (!Array.isArray(config!.traces) || !Array.isArray(config!.policies) || typeof config!.page_size !== 'number') bad(2, 'shard_data.config is incomplete');
  return { config: config!, traces: config!.traces.map((t) => stats.get(t) ?? null), rows, shard };
}

/** One shard output given to merge: its format and what it holds (null: a CSV shard with no cells). */
export interface ShardPart {
  file: string;
  format: 'json' | 'csv';
  outcome: CompareOutcome | null;
}

/**
 * The sweep's cell numbers (the rule of compare's `ownsCell`): per trace, its resolved size list
 * as written (repeats included), so that cell (t, k, j) is c = (t * sizes + k) * policies + j.
 * Given by the CLI, which parses size lists.
 */
export type SweepSizes = (config: CompareConfig, traces: CompareTraceStats[]) => number[][];

/**
 * Joins the outputs of the shards 1..n of one sweep into the outcome of the unsharded run.
 * Every shard must be there once, all from the same options and in one format. A CSV shard
 * with no cells (a header only) does not say which shard it is: such files stand for the
 * shards that no other file is, and there must be exactly as many of them.
 */
export function mergeShards(parts: ShardPart[], sweepSizes: SweepSizes): CompareOutcome {
  if (parts.length === 0) throw new UsageError('merge: no files');
  const mixed = parts.find((p) => p.format !== parts[0]!.format);
  if (mixed) {
    const name = (f: string): string => f.toUpperCase();
    throw new UsageError(`merge: ${mixed.file} is ${name(mixed.format)} and ${parts[0]!.file} ${name(parts[0]!.format)}: give every shard in one format`);
  }
  const full = parts.filter((p): p is ShardPart & { outcome: CompareOutcome } => p.outcome !== null);
  const empty = parts.filter((p) => p.outcome === null);
  const first = full[0];
  if (first === undefined) throw new UsageError(`merge: none of the files holds a cell (${parts[0]!.file} is a CSV header only): the shards that have the cells are missing`);
  const configText = sweepIdentity(first.outcome.config);
  const count = first.outcome.shard?.count ?? 1;
  const seen = new Map<number, string>();
  for (const { file, outcome } of full) {
    if (sweepIdentity(outcome.config) !== configText) {
      throw new UsageError(`merge: ${file} comes from a compare run with other traces or options than ${first.file}`);
    }
    const index = outcome.shard?.index ?? 1;
    const n = outcome.shard?.count ?? 1;
    if (n !== count) throw new UsageError(`merge: ${file} is shard ${index} of ${n}, ${first.file} is one of ${count}`);
    const other = seen.get(index);
    if (other !== undefined) throw new UsageError(`merge: ${file} and ${other} are both shard ${index} of ${count}`);
    seen.set(index, file);
  }
  const config = { ...first.outcome.config };
  if (config.inputs) {
    // each trace as the shard that read it saw it
    config.inputs = config.inputs.map((input, i) => full.map((p) => p.outcome.config.inputs?.[i]).find((x) => x && x.format !== null) ?? input);
  }
  const traces: (CompareTraceStats | null)[] = config.traces.map(() => null);
  for (const { outcome } of full) outcome.traces.forEach((t, i) => (traces[i] ??= t));
  const rows: Row[] = [];
  const cells = new Set<string>();
  for (const { file, outcome } of full) {
    for (const r of outcome.rows) {
      const key = JSON.stringify([r.trace, r.policy, r.frames]);
      if (cells.has(key)) throw new UsageError(`merge: ${file} repeats the cell ${r.trace} ${r.policy} ${r.frames} frames`);
      cells.add(key);
      rows.push(r);
    }
  }
  traces.forEach((t, i) => {
    if (t === null) throw new TraceError(first.file, 0, `no shard read ${config.traces[i]}`);
  });
  // Which shard owns each cell, and how many cells each shard owns.
  const sizes = sweepSizes(config, traces as CompareTraceStats[]);
  const K = sizes[0]?.length ?? 0;
  const P = config.policies.length;
  const ownerOf = new Map<string, number>();
  const owns = new Array<number>(count + 1).fill(0);
  sizes.forEach((frames, t) => {
    frames.forEach((f, k) => {
      if (frames.indexOf(f) !== k) return; // a repeated size: its first occurrence is the cell
      config.policies.forEach((policy, j) => {
        const shard = (((t * K + k) * P + j) % count) + 1;
        ownerOf.set(JSON.stringify([config.traces[t], policy, f]), shard);
        owns[shard]!++;
      });
    });
  });
  for (const { file, outcome } of full) {
    const own = outcome.shard?.index ?? 1;
    for (const r of outcome.rows) {
      const shard = ownerOf.get(JSON.stringify([r.trace, r.policy, r.frames]));
      const cell = `${r.trace} ${r.policy} ${r.frames} frames`;
      if (shard === undefined) throw new UsageError(`merge: ${file} holds the cell ${cell}, which is not in the sweep`);
      if (shard !== own) throw new UsageError(`merge: ${file} holds the cell ${cell}, which is shard ${shard}'s, not ${own}'s`);
    }
    if (outcome.rows.length !== owns[own]) throw new UsageError(`merge: ${file} (shard ${own} of ${count}) holds ${outcome.rows.length} of its ${owns[own]} cells`);
  }
  const missing: number[] = [];
  for (let k = 1; k <= count; k++) if (!seen.has(k)) missing.push(k);
  const list = (xs: number[]): string => `shard${xs.length > 1 ? 's' : ''} ${xs.join(', ')} of ${count}`;
  const withCells = missing.filter((k) => owns[k]! > 0);
  if (withCells.length > 0) throw new UsageError(`merge: ${list(withCells)} missing`);
  // What is left missing owns no cells: a CSV shard with no cells (a header alone) stands for one.
  if (empty.length > missing.length) {
    const of = missing.length === 0 ? 'no shard is left' : `only ${missing.length} shard${missing.length > 1 ? 's are' : ' is'} left`;
    throw new UsageError(`merge: ${empty[missing.length]!.file} is a CSV shard with no cells, but ${of} for such files (one given twice?)`);
  }
  if (empty.length < missing.length) {
    const absent = missing.length - empty.length;
    const which = empty.length === 0 ? list(missing) : `${absent} of the ${list(missing)}`;
    throw new UsageError(`merge: ${which} missing (${missing.length > 1 ? 'they own' : 'it owns'} no cells: ${missing.length > 1 ? 'their outputs are' : 'its output is'} the header alone)`);
  }
  return { config, traces, rows, shard: null };
}
