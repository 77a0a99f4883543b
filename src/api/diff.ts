/**
 * `diff`: two results compared figure by figure, as `--baseline` compares a run, behind `vmmem
 * diff` (src/cli/diff.ts reads the files, formats what this returns and exits 1 on a regression).
 */
import { UsageError } from '../errors.js';
import { compareSaved, comparisonResult, parseTolerance, readSavedResult, savedFromDocument, type Comparison } from '../report/baseline.js';
import type { CommandResult } from '../report/result.js';
import type { InputFile } from '../report/stamp.js';
import { toDocument, type ResultDocument } from './document.js';
import type { OptionValue } from './options.js';

export interface DiffRun {
  comparison: Comparison;
  result: CommandResult;
  inputs: InputFile[];
}

/** A saved result: a JSON file, or a result the library returned (named `what` in messages). */
function saved(r: string | ResultDocument, what: string) {
  if (typeof r !== 'string') return savedFromDocument(r, what);
  if (r === '-') throw new UsageError('standard input (-) is not read by the library: pass the result file');
  return readSavedResult(r);
}

/** The comparison of `current` against `baseline` and its result. */
export function runDiff(baseline: string | ResultDocument, current: string | ResultDocument, tolerance: string | undefined, all: boolean): DiffRun {
  const t = parseTolerance(tolerance);
  const comparison = compareSaved(saved(baseline, 'baseline'), saved(current, 'current'), t);
  const inputs = [baseline, current].filter((r): r is string => typeof r === 'string').map((path) => ({ path, format: 'json' }));
  return { comparison, result: comparisonResult(comparison, all), inputs };
}

export interface DiffOptions {
  /** the result to compare against: a file saved with `--format json`, or a result the library returned */
  baseline: string | ResultDocument;
  /** the result to check, in either form */
  current: string | ResultDocument;
  /** how much worse a figure may be: `'2%'`, `'0.02'` or `0.02`; default 0 */
  tolerance?: OptionValue;
  /** list every figure compared, unchanged ones too */
  all?: boolean;
}

/** `vmmem diff`'s JSON; `regression` is true when a figure is worse beyond the tolerance. */
export type DiffResult = ResultDocument<'diff'> & { regression: boolean; counts: Record<'worse' | 'within' | 'better' | 'same', number> };

/**
 * `vmmem diff BASELINE CURRENT`: what changed, figure by figure. A regression is reported in
 * the result (`regression: true`), not thrown: the CLI turns it into exit 1.
 */
export async function diff(options: DiffOptions): Promise<DiffResult> {
  const tolerance = options.tolerance === undefined ? undefined : String(options.tolerance);
  const { result, inputs } = runDiff(options.baseline, options.current, tolerance, options.all === true);
  return toDocument<'diff'>(result, inputs) as DiffResult;
}
