/**
 * `--baseline FILE [--tolerance T]` for any command whose result rows BASELINE_SPECS knows
 * (simulate; compare): declared once here so that every command spells and handles them alike.
 *
 * The result goes to standard output in its --format, unchanged except that JSON gains
 * `baseline_check`; the table of changed figures goes to standard error; a figure worse beyond
 * the tolerance ends the run with exit 1 (RegressionError) once the result is out.
 */
import type { Command } from 'commander';
import { RegressionError, UsageError } from '../errors.js';
import {
  BASELINE_SPECS,
  checkConfig,
  compareSaved,
  comparisonResult,
  parseTolerance,
  readSavedResult,
  regressionMessage,
  savedFromResult,
  type Comparison,
  type SavedResult,
} from '../report/baseline.js';
import { render } from '../report/index.js';
import type { CommandResult } from '../report/result.js';
import { chalkFor, emit, type Io } from './io.js';
import type { InputFile } from '../report/stamp.js';
import type { RawOptions } from '../options/options.js';

export interface BaselineOptions {
  baseline?: string;
  tolerance?: string;
}

export const BASELINE_HELP =
  '\nFigures compared (a higher value is worse), rows matched by key columns:\n' +
  Object.entries(BASELINE_SPECS)
    .map(([command, spec]) => `  ${command} (by ${spec.keyColumns.join(', ')}):\n    ${spec.worseIfHigher.join(', ')}`)
    .join('\n') +
  '\nA figure is worse beyond the tolerance when\n  current - baseline > tolerance * |baseline|.';

export function addBaselineOptions(cmd: Command): Command {
  return cmd
    .option('--baseline <file>', 'compare with a result saved with --format json: the changes go to standard error, exit 1 when worse')
    .option('-t, --tolerance <t>', 'with --baseline: how much worse a figure may be, a percentage (2%) or a fraction (0.02); default 0');
}

export interface BaselineCheck {
  baseline: SavedResult;
  tolerance: number;
}

/**
 * Reads the baseline before the run and refuses one of another command, or one whose config
 * differs from `known` (the members the command knows before running, e.g. frames and policy),
 * so that a long run is not wasted. Undefined without --baseline.
 */
export function startBaselineCheck(raw: BaselineOptions, command: string, known: Record<string, unknown>): BaselineCheck | undefined {
  const tolerance = parseTolerance(raw.tolerance);
  if (raw.baseline === undefined) {
    if (raw.tolerance !== undefined) throw new UsageError('--tolerance needs --baseline');
    return undefined;
  }
  const baseline = readSavedResult(raw.baseline);
  if (baseline.command !== command) throw new UsageError(`${baseline.name} is a '${baseline.command}' result, not a '${command}' one`);
  checkConfig(baseline, { name: 'this run', config: known });
  return { baseline, tolerance };
}

/** Emits the result; with a baseline, also the comparison, and throws RegressionError when worse. */
export function emitChecked(io: Io, result: CommandResult, raw: RawOptions, check: BaselineCheck | undefined, inputs?: readonly InputFile[]): void {
  if (!check) {
    emit(io, result, raw, inputs);
    return;
  }
  const comparison = compareSaved(check.baseline, savedFromResult(result), check.tolerance);
  result.extra = {
    ...result.extra,
    baseline_check: {
      baseline: check.baseline.name,
      tolerance: check.tolerance,
      regression: comparison.regressions.length > 0,
      worse: comparison.regressions.map((f) => ({ ...f.key, metric: f.metric, baseline: f.baseline, current: f.current })),
    },
  };
  emit(io, result, raw, inputs);
  reportToStderr(io, comparison, raw);
  if (comparison.regressions.length > 0) throw new RegressionError(regressionMessage(comparison));
}

/**
 * The comparison on standard error: a table of what changed (coloured when standard error is a
 * terminal), or one line when nothing did. Not shown under --quiet (the regression message,
 * which names the worse figures, still is).
 */
export function reportToStderr(io: Io, comparison: Comparison, raw: RawOptions): void {
  if (raw.quiet) return;
  const result = comparisonResult(comparison);
  for (const n of result.notes ?? []) io.stderr(`vmmem: ${n}\n`);
  if (result.rows.length === 0) {
    io.stderr(`vmmem: ${result.summary![0]}\n`);
    return;
  }
  io.stderr(render(result, 'table', chalkFor(io, raw.color, io.stderrIsTty)));
}
