import { Command } from 'commander';
import { simulate } from '../engine/simulate.js';
import { simulateResult } from '../report/simulate.js';
import { openSource } from '../trace/source.js';
import { UsageError } from '../errors.js';
import { policies } from '../policies/index.js';
import { addBaselineOptions, BASELINE_HELP, emitChecked, startBaselineCheck, type BaselineOptions } from './baseline.js';
import { sourcesPlan, startProgress } from './progress.js';
import { addEngineOptions, addOutputOptions, addTraceOptions, engineConfig, parsePolicy, readOptions, type RawOptions } from './options.js';
import type { Io } from './io.js';

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
  addBaselineOptions(cmd);
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
  cmd.action(async (traces: string[], raw: RawOptions & BaselineOptions & { scheduler?: string }) => {
    if (raw.scheduler !== undefined && raw.scheduler !== 'global') {
      throw new UsageError(`--scheduler: unknown scheduler '${raw.scheduler}' (available: global)`);
    }
    const read = readOptions(raw);
    const config = engineConfig(raw, parsePolicy(raw.policy ?? 'lru'));
    if (traces.filter((t) => t === '-').length > 1) throw new UsageError('standard input (-) can be given once');
    const sources = [];
    for (const t of traces) sources.push(await openSource(t, read.traceFormat));
    const check = startBaselineCheck(raw, 'simulate', { policy: config.policy, scheduler: config.scheduler, frames: config.frames, page_size: config.pageSize });
    const progress = startProgress(io, raw.quiet, sourcesPlan('simulate', sources, policies[config.policy].needsFuture ? 2 : 1));
    let outcome: Awaited<ReturnType<typeof simulate>>;
    try {
      outcome = await simulate({ sources, read, config, progress });
    } finally {
      progress.stop();
    }
    emitChecked(io, simulateResult(outcome), raw, check);
  });
  return cmd;
}
