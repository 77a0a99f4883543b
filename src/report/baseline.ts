/**
 * CI regression checks (SPEC 3.2): a result against a saved `--format json` result of the same
 * command and configuration. Rows are matched by the command's key columns; each figure where a
 * higher value is worse is compared, and a figure is a regression when
 *
 *     current - baseline > tolerance * |baseline|
 *
 * (so with a baseline of 0, any increase). Generic over CommandResult rows: a command takes
 * part by naming its key columns and its "worse if higher" figures in BASELINE_SPECS.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, InputError, TraceError, UsageError } from '../errors.js';
import { toJson } from './json.js';
import { SCHEMA, type Cell, type Column, type CommandResult, type Row, type Tone } from './result.js';

export interface BaselineSpec {
  /** the columns that identify a row */
  keyColumns: readonly string[];
  /** the figures for which a higher value is worse, in the order they are reported */
  worseIfHigher: readonly string[];
  /** config members that need not match (for example because they are row keys) */
  ignoreConfig?: readonly string[];
}

export const BASELINE_SPECS: Record<string, BaselineSpec> = {
  simulate: {
    keyColumns: ['vm'],
    worseIfHigher: ['faults', 'major_faults', 'fault_rate', 'swap_ins', 'swap_outs', 'oom_kills', 'eat_ns'],
  },
  compare: {
    keyColumns: ['trace', 'policy', 'frames'],
    worseIfHigher: ['faults', 'major_faults', 'fault_rate', 'swap_ins', 'swap_outs', 'eat_ns'],
  },
};

/** A result as saved with `--format json` (or this run's, in the same shape). */
export interface SavedResult {
  /** for messages: the file, or "this run" */
  name: string;
  command: string;
  config: Record<string, unknown>;
  rows: Row[];
}

/** Reads and checks a saved JSON result: 66 when missing, 65 when it is not a vmmem result. */
export function readSavedResult(path: string): SavedResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file (save a baseline with --format json > ${path})`);
    if (code === 'EISDIR') throw new InputError(`${path}: is a directory, not a saved result`);
    throw new InputError(`${path}: cannot read (${code ?? (err as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new TraceError(path, 0, `not a JSON document (${(err as Error).message}); save results with --format json`);
  }
  return savedFromDocument(doc, path);
}

/** A parsed result document (a saved file's, or one the library returned), checked; `name` names it in messages. */
export function savedFromDocument(doc: unknown, name: string): SavedResult {
  const d = doc as Record<string, unknown>;
  if (typeof d !== 'object' || d === null || d.schema !== SCHEMA) {
    throw new TraceError(name, 0, `not a vmmem result (no "schema": "${SCHEMA}"); save results with --format json`);
  }
  if (typeof d.command !== 'string' || !Array.isArray(d.rows) || typeof d.config !== 'object' || d.config === null) {
    throw new TraceError(name, 0, 'a vmmem result needs "command", "config" and "rows"');
  }
  return { name, command: d.command, config: d.config as Record<string, unknown>, rows: d.rows as Row[] };
}

/** This run's result in the shape it would be saved in (config normalised as JSON writes it). */
export function savedFromResult(result: CommandResult, name = 'this run'): SavedResult {
  const doc = JSON.parse(toJson(result)) as { command: string; config: Record<string, unknown>; rows: Row[] };
  return { name, command: doc.command, config: doc.config, rows: doc.rows };
}

/** `2%` or `0.02` -> 0.02. */
export function parseTolerance(text: string | undefined): number {
  if (text === undefined) return 0;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) throw new UsageError(`--tolerance: '${text}' is not a percentage (e.g. 2%) or a fraction (e.g. 0.02)`);
  return m[2] === '%' ? Number(m[1]) / 100 : Number(m[1]);
}

export function specFor(command: string): BaselineSpec {
  const spec = BASELINE_SPECS[command];
  if (!spec) throw new UsageError(`cannot check '${command}' results against a baseline (only ${Object.keys(BASELINE_SPECS).join(', ')})`);
  return spec;
}

function describe(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Config members that say where a result came from, not how it was computed: the vmmem version
 * and the input files (a baseline saved from another path or an older vmmem still compares).
 */
const PROVENANCE = ['version', 'inputs'];

/**
 * Checks that two configurations match on every member both have (except `ignore`); returns the
 * members only one of them has (saved by another vmmem version). Throws ConfigError otherwise.
 */
export function checkConfig(
  baseline: SavedResult,
  current: { name: string; config: Record<string, unknown> },
  ignore: readonly string[] = [],
): string[] {
  const differences: string[] = [];
  const oneSided: string[] = [];
  const keys = new Set([...Object.keys(baseline.config), ...Object.keys(current.config)]);
  for (const key of keys) {
    if (ignore.includes(key) || PROVENANCE.includes(key)) continue;
    if (!(key in baseline.config) || !(key in current.config)) {
      oneSided.push(key);
      continue;
    }
    const a = JSON.stringify(baseline.config[key]);
    const b = JSON.stringify(current.config[key]);
    if (a !== b) differences.push(`${key} ${describe(baseline.config[key])} there, ${describe(current.config[key])} in ${current.name}`);
  }
  if (differences.length > 0) {
    throw new ConfigError(
      `${baseline.name} was saved with another configuration (${differences.join('; ')}): a baseline must come from the same configuration`,
    );
  }
  return oneSided;
}

export type Verdict = 'same' | 'better' | 'within' | 'worse';

export interface FigureChange {
  /** the row's key columns */
  key: Record<string, Cell>;
  metric: string;
  baseline: number;
  current: number;
  verdict: Verdict;
}

export interface Comparison {
  spec: BaselineSpec;
  tolerance: number;
  baseline: SavedResult;
  current: SavedResult;
  /** every figure compared, in row order then metric order */
  figures: FigureChange[];
  /** the figures worse beyond the tolerance */
  regressions: FigureChange[];
  /** config members only one side has */
  uncompared: string[];
}

function keyOf(row: Row, columns: readonly string[]): string {
  return columns.map((c) => String(row[c] ?? '')).join('\u0000');
}

function keyText(key: Record<string, Cell>): string {
  const values = Object.values(key);
  return values.length === 1 ? String(values[0]) : Object.entries(key).map(([k, v]) => `${k} ${v}`).join(', ');
}

/** The verdict on one figure: relative tolerance, with a hair of slack for rounding in floats. */
export function verdictOf(baseline: number, current: number, tolerance: number): Verdict {
  const slack = 1e-9 * Math.max(1, Math.abs(baseline));
  if (Math.abs(current - baseline) <= slack) return 'same';
  if (current < baseline) return 'better';
  return current - baseline > tolerance * Math.abs(baseline) + slack ? 'worse' : 'within';
}

/**
 * Compares `current` with `baseline` figure by figure. Throws ConfigError (exit 64) when the
 * commands or configurations differ or the rows do not match one to one.
 */
export function compareSaved(baseline: SavedResult, current: SavedResult, tolerance: number): Comparison {
  if (baseline.command !== current.command) {
    throw new ConfigError(`${baseline.name} is a '${baseline.command}' result, ${current.name} a '${current.command}' result: they cannot be compared`);
  }
  const spec = specFor(current.command);
  const uncompared = checkConfig(baseline, current, spec.ignoreConfig);
  const byKey = new Map<string, Row>();
  for (const row of baseline.rows) {
    const k = keyOf(row, spec.keyColumns);
    if (byKey.has(k)) throw new ConfigError(`${baseline.name}: two rows for ${keyText(pick(row, spec.keyColumns))}`);
    byKey.set(k, row);
  }
  const figures: FigureChange[] = [];
  const seen = new Set<string>();
  for (const row of current.rows) {
    const k = keyOf(row, spec.keyColumns);
    const base = byKey.get(k);
    const key = pick(row, spec.keyColumns);
    if (!base) throw new ConfigError(`${keyText(key)} is in ${current.name} but not in ${baseline.name}: a baseline must come from the same traces and configuration`);
    if (seen.has(k)) throw new ConfigError(`${current.name}: two rows for ${keyText(key)}`);
    seen.add(k);
    for (const metric of spec.worseIfHigher) {
      const b = base[metric];
      const c = row[metric];
      if (typeof b !== 'number' || typeof c !== 'number') continue;
      figures.push({ key, metric, baseline: b, current: c, verdict: verdictOf(b, c, tolerance) });
    }
  }
  for (const [k, row] of byKey) {
    if (!seen.has(k)) {
      throw new ConfigError(`${keyText(pick(row, spec.keyColumns))} is in ${baseline.name} but not in ${current.name}: a baseline must come from the same traces and configuration`);
    }
  }
  return { spec, tolerance, baseline, current, figures, regressions: figures.filter((f) => f.verdict === 'worse'), uncompared };
}

function pick(row: Row, columns: readonly string[]): Record<string, Cell> {
  return Object.fromEntries(columns.map((c) => [c, row[c] ?? null]));
}

export function percent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(6))}%`;
}

function relative(f: FigureChange): number | null {
  if (f.baseline === 0) return f.current === 0 ? 0 : null;
  return (f.current - f.baseline) / Math.abs(f.baseline);
}

function changeText(f: FigureChange): string {
  const r = relative(f);
  if (r === null) return 'from 0';
  return `${r > 0 ? '+' : ''}${(r * 100).toFixed(2)}%`;
}

/**
 * The comparison as a result: one row per figure that changed (every figure with `all`):
 * the key columns, then metric, baseline, current, change, relative_change, verdict.
 */
export function comparisonResult(c: Comparison, all = false): CommandResult {
  const shown = all ? c.figures : c.figures.filter((f) => f.verdict !== 'same');
  const columns: Column[] = [
    ...c.spec.keyColumns.map((k): Column => ({ key: k, heading: k, kind: 'text' })),
    { key: 'metric', heading: 'figure', kind: 'text' },
    { key: 'baseline', heading: 'baseline', kind: 'number' },
    { key: 'current', heading: 'current', kind: 'number' },
    { key: 'change', kind: 'number' },
    { key: 'relative_change', heading: 'change', kind: 'rate' },
    { key: 'verdict', heading: 'verdict', kind: 'text' },
  ];
  const rows: Row[] = shown.map((f) => ({
    ...f.key,
    metric: f.metric,
    baseline: f.baseline,
    current: f.current,
    change: f.current - f.baseline,
    relative_change: relative(f),
    verdict: f.verdict,
  }));
  const tones: (Tone | undefined)[] = shown.map((f) => (f.verdict === 'worse' ? 'bad' : f.verdict === 'better' ? 'good' : undefined));
  const count = (v: Verdict): number => c.figures.filter((f) => f.verdict === v).length;
  const summary = [
    `${c.current.name} against ${c.baseline.name}: ${c.figures.length} figures compared (${c.spec.worseIfHigher.join(', ')}), tolerance ${percent(c.tolerance)}: ` +
      `${count('worse')} worse beyond it, ${count('within')} worse within it, ${count('better')} better, ${count('same')} unchanged`,
  ];
  return {
    command: 'diff',
    config: { baseline: c.baseline.name, current: c.current.name, compared_command: c.current.command, tolerance: c.tolerance, key_columns: [...c.spec.keyColumns] },
    columns,
    rows,
    tones,
    summary,
    extra: {
      regression: c.regressions.length > 0,
      counts: { worse: count('worse'), within: count('within'), better: count('better'), same: count('same') },
    },
    notes: c.uncompared.map((k) => `config '${k}' is in only one of ${c.baseline.name} and ${c.current.name} (another vmmem version?): not compared`),
  };
}

/** One line naming the figures worse beyond the tolerance (the first eight, then a count). */
export function regressionMessage(c: Comparison): string {
  const listed = c.regressions.slice(0, 8).map((f) => `${keyText(f.key)} ${f.metric} ${fmt(f.baseline)} -> ${fmt(f.current)} (${changeText(f)})`);
  const more = c.regressions.length > 8 ? `, and ${c.regressions.length - 8} more` : '';
  const n = c.regressions.length;
  return `regression against ${c.baseline.name}: ${n} figure${n === 1 ? '' : 's'} worse beyond the ${percent(c.tolerance)} tolerance: ${listed.join(', ')}${more}`;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(10)));
}
