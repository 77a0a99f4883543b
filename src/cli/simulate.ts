import { Command } from 'commander';
import { simulate } from '../engine/simulate.js';
import { simulateResult } from '../report/simulate.js';
import { openSource } from '../trace/source.js';
import { RegressionError, UsageError } from '../errors.js';
import { checkConfig, compareSaved, parseTolerance, readSavedResult, regressionMessage, savedFromResult } from '../report/baseline.js';
import { BASELINE_HELP, reportToStderr } from './diff.js';
import { sourcesPlan, startProgress } from './progress.js';
import { policies } from '../policies/index.js';
import { addEngineOptions, addOutputOptions, addTraceOptions, engineConfig, parsePolicy, readOptions, type RawOptions } from './options.js';
import { emit, type Io } from './io.js';

export function simulateCommand(io: Io): Command {
  const cmd = new Command('simulate')
    .summary('replay traces through one memory configuration')
    .description(
      // paragraphs without line breaks: commander wraps them to the terminal's width
      'Replays memory-access traces (one VM per file, or a vm column) through paging, swap and a ' +
        'replacement policy, and prints per-VM and total fault, swap and latency statistics. ' +
        'TRACE is a file (csv, lackey, din, plain, vmt; optionally .gz) or - for standard input.',
    )
    .argument('<trace...>', 'trace files, one VM each (or a vm column); - reads standard input');
  addEngineOptions(cmd);
  addTraceOptions(cmd);
  addOutputOptions(cmd);
  cmd.option('--scheduler <name>', 'which VM gives up a frame when memory is full: global (one policy over all pages)');
  cmd.option('--baseline <file>', 'compare with a result saved with --format json: the changes go to standard error, exit 1 when worse');
  cmd.option('-t, --tolerance <t>', 'with --baseline: how much worse a figure may be, a percentage (2%) or a fraction (0.02); default 0');
  cmd.addHelpText(
    'after',
    '\nExamples:\n' +
      '  vmmem simulate traces/ls.lackey.gz --frames 64 --policy clock\n' +
      '  vmmem simulate web.csv db.csv --memory 16MiB --swap 8MiB --format csv\n' +
      '  vmmem simulate web.csv --frames 64 --format json > base.json  # a baseline\n' +
      '  vmmem simulate web.csv --frames 64 --baseline base.json --tolerance 2%\n' +
      `${BASELINE_HELP}\n` +
      'With --baseline the result goes to standard output as usual (any --format;\n' +
      'JSON adds "baseline_check") and the table of changed figures to standard\n' +
      'error. A baseline saved with another configuration or other VMs is an error\n' +
      '(exit 64).\n' +
      '\nExit codes: 0 ok, 1 worse than the baseline, 3 out of memory with\n' +
      '--on-oom=error, 64 bad usage, 65 bad trace data, 66 trace or baseline missing\n' +
      'or unreadable, 70 internal error.',
  );
  cmd.action(async (traces: string[], raw: RawOptions & { scheduler?: string; baseline?: string; tolerance?: string }) => {
    if (raw.scheduler !== undefined && raw.scheduler !== 'global') {
      throw new UsageError(`--scheduler: unknown scheduler '${raw.scheduler}' (available: global)`);
    }
    const read = readOptions(raw);
    const config = engineConfig(raw, parsePolicy(raw.policy ?? 'lru'));
    if (traces.filter((t) => t === '-').length > 1) throw new UsageError('standard input (-) can be given once');
    const sources = [];
    for (const t of traces) sources.push(await openSource(t, read.traceFormat));
    // Read the baseline first, and refuse one from another configuration before a long run.
    const tolerance = parseTolerance(raw.tolerance);
    if (raw.tolerance !== undefined && raw.baseline === undefined) throw new UsageError('--tolerance needs --baseline');
    const baseline = raw.baseline === undefined ? undefined : readSavedResult(raw.baseline);
    if (baseline) {
      if (baseline.command !== 'simulate') throw new UsageError(`${baseline.name} is a '${baseline.command}' result, not a 'simulate' one`);
      const known = { policy: config.policy, scheduler: config.scheduler, frames: config.frames, page_size: config.pageSize };
      checkConfig(baseline, { name: 'this run', config: known });
    }
    const passes = policies[config.policy].needsFuture ? 2 : 1;
    const progress = startProgress(io, raw.quiet, sourcesPlan('simulate', sources, passes));
    let outcome;
    try {
      outcome = await simulate({ sources, read, config, progress });
    } finally {
      progress.stop();
    }
    const result = simulateResult(outcome);
    if (!baseline) {
      emit(io, result, raw);
      return;
    }
    const comparison = compareSaved(baseline, savedFromResult(result), tolerance);
    result.extra = {
      ...result.extra,
      baseline_check: {
        baseline: baseline.name,
        tolerance,
        regression: comparison.regressions.length > 0,
        worse: comparison.regressions.map((f) => ({ ...f.key, metric: f.metric, baseline: f.baseline, current: f.current })),
      },
    };
    emit(io, result, raw);
    reportToStderr(io, comparison, raw);
    if (comparison.regressions.length > 0) throw new RegressionError(regressionMessage(comparison));
  });
  return cmd;
}
