/**
 * `vmmem diff BASELINE CURRENT`: two saved JSON results compared as `--baseline` compares a run.
 */
import { Command } from 'commander';
import { RegressionError } from '../errors.js';
import { runDiff } from '../api/diff.js';
import { regressionMessage } from '../report/baseline.js';
import { BASELINE_HELP } from './baseline.js';
import { emit, type Io } from './io.js';
import { addOutputOptions, type RawOptions } from '../options/options.js';

export function diffCommand(io: Io): Command {
  const cmd = new Command('diff')
    .summary('compare two saved JSON results; exit 1 when the second is worse')
    .description(
      'Compares two results saved with --format json (simulate, or compare) figure by figure, as ' +
        '--baseline does for a run: prints what changed (better in green, worse in red on a ' +
        'terminal) and exits 1 when a figure of CURRENT is worse than in BASELINE beyond the ' +
        'tolerance. Results of another command or configuration (frames, policy, scheduler, page ' +
        'size, swap, latency, ...) or with other rows (VMs) are an error (exit 64).',
    )
    .argument('<baseline>', 'the saved result to compare against (JSON)')
    .argument('<current>', 'the saved result to check (JSON)')
    .option('-t, --tolerance <t>', 'how much worse a figure may be: a percentage (2%) or a fraction (0.02); default 0')
    .option('--all', 'list every figure compared, unchanged ones too');
  addOutputOptions(cmd);
  cmd.addHelpText(
    'after',
    `${BASELINE_HELP}\n` +
      '\nColumns: the key columns (vm; or trace,policy,frames), then\n' +
      'metric,baseline,current,change,relative_change,verdict\n' +
      '(verdict: same, better, within = worse but within the tolerance, worse).\n' +
      '\nExamples:\n' +
      '  vmmem diff base.json new.json --tolerance 2%\n' +
      '\nExit codes: 0 no regression, 1 regression, 64 results that cannot be compared,\n' +
      '65 not a vmmem JSON result, 66 file missing.',
  );
  cmd.action(async (baselinePath: string, currentPath: string, raw: RawOptions & { tolerance?: string; all?: boolean }) => {
    const { comparison, result, inputs } = runDiff(baselinePath, currentPath, raw.tolerance, raw.all === true);
    emit(io, result, raw, inputs);
    if (comparison.regressions.length > 0) throw new RegressionError(regressionMessage(comparison));
  });
  return cmd;
}
