/**
 * `inspect`: the validation, defaults and pass behind `vmmem inspect` (src/cli/inspect.ts maps
 * argv onto these and adds the table view's histogram and plots).
 */
import { TraceProfile } from '../analysis/profile.js';
import { UsageError } from '../errors.js';
import { INSPECT_REPORTS, inspectResult, type InspectReport } from '../report/inspect.js';
import type { CommandResult } from '../report/result.js';
import { skipNotes } from '../report/skips.js';
import { interleave, VmRegistry } from '../trace/interleave.js';
import { createReader } from '../trace/reader.js';
import { displayOf, openSource, type TraceSource } from '../trace/source.js';
import { parseCount } from '../units.js';
import { parsePageSize, readOptions, type RawOptions } from '../options/options.js';
import { inputsOf } from '../report/stamp.js';
import { toDocument, type ResultDocument } from './document.js';
import { toRaw, type Library, type ProgressCallback } from './options.js';

export const DEFAULT_WINDOW = 1000;

/** The raw (command-line) options of `vmmem inspect`. */
export interface InspectRawOptions extends RawOptions {
  window?: string;
  interval?: string;
  report?: string;
}

export interface InspectHooks {
  /** once the traces are open: the progress to report the rows read to */
  started?(sources: TraceSource[]): { update(rows: number): void; stop(): void };
}

export interface InspectRun {
  result: CommandResult;
  profile: TraceProfile;
  names: { names: string[]; order: number[] };
  report: InspectReport;
  window: number;
  sources: TraceSource[];
}

/** The pass behind `vmmem inspect TRACES... OPTIONS`: the profile and its result, unformatted. */
export async function runInspect(traces: string[], raw: InspectRawOptions, hooks: InspectHooks = {}): Promise<InspectRun> {
  if (traces.length === 0) throw new UsageError('no trace: give TRACE files');
  const report = (raw.report ?? 'summary') as InspectReport;
  if (!INSPECT_REPORTS.includes(report)) throw new UsageError(`--report: '${raw.report}' is not one of ${INSPECT_REPORTS.join(', ')}`);
  const window = raw.window === undefined ? DEFAULT_WINDOW : parseCount(raw.window, '--window', 1, 2 ** 31 - 1);
  const interval = raw.interval === undefined ? undefined : parseCount(raw.interval, '--interval');
  const pageSize = parsePageSize(raw);
  const read = readOptions(raw);
  if (traces.filter((t) => t === '-').length > 1) throw new UsageError('standard input (-) can be given once');
  const sources: TraceSource[] = [];
  for (const t of traces) sources.push(await openSource(t, read.traceFormat));
  const readers = sources.map((s) => createReader(s, read));
  const registry = new VmRegistry();
  const profile = new TraceProfile({ pageSize, window, interval, display: displayOf(sources) });
  const progress = hooks.started?.(sources);
  try {
    let done = 0;
    for await (const batch of interleave(readers, registry)) {
      profile.rows(batch);
      progress?.update((done += batch.length));
    }
    profile.finish();
  } finally {
    progress?.stop();
  }
  const notes = skipNotes(readers.map((r) => ({ file: r.source.display, counts: r.skipped })));
  const names = { names: registry.names, order: registry.outputOrder() };
  const result = inspectResult(profile, names, report, sources.map((s) => s.display), notes);
  return { result, profile, names, report, window, sources };
}

/** Options of {@link inspect}: `vmmem inspect`'s options in camelCase. */
export interface InspectOptions extends Library<Omit<InspectRawOptions, 'format' | 'color' | 'quiet' | 'output' | 'columns' | 'wide' | 'frames' | 'memory' | 'policy' | 'swap' | 'onOom' | 'seed' | 'latency' | 'strictAlloc' | 'tick' | 'agingBits' | 'tau'>> {
  /** trace files, one VM each (or a vm column) */
  traces: string[];
  /** told the rows read so far, once per batch */
  onProgress?: ProgressCallback;
}

/** The result of {@link inspect}: `vmmem inspect --format json`, parsed (summary rows; `reuse` and `working_set` members). */
export type InspectResult = ResultDocument<'inspect'>;

/**
 * What traces hold without simulating them: accesses, footprint, reuse distances, working set;
 * the result is `vmmem inspect ... --format json`, parsed.
 *
 * @example
 * const r = await inspect({ traces: ['traces/zipf.csv'], window: 500 });
 */
export async function inspect(options: InspectOptions): Promise<InspectResult> {
  const { traces, onProgress, ...rest } = options;
  const hooks: InspectHooks = onProgress ? { started: () => ({ update: (rows) => onProgress({ pass: 'read', rows }), stop() {} }) } : {};
  const { result, sources } = await runInspect(traces, toRaw<InspectRawOptions>(rest), hooks);
  return toDocument<'inspect'>(result, inputsOf(sources));
}
