import { Command } from 'commander';
import { simulate } from '../engine/simulate.js';
import { simulateResult } from '../report/simulate.js';
import { openSource } from '../trace/source.js';
import { UsageError } from '../errors.js';
import { addEngineOptions, addOutputOptions, addTraceOptions, engineConfig, parsePolicy, readOptions, type RawOptions } from './options.js';
import { emit, type Io } from './io.js';
import { addTranslationOptions, translationConfig, type TranslationRawOptions } from './translation-options.js';
import { addMemoryOptions, memoryConfig, type MemoryRawOptions } from './memory-options.js';

export function simulateCommand(io: Io): Command {
  const cmd = new Command('simulate')
    .summary('replay traces through one memory configuration')
    .description(
      'Replays memory-access traces (one VM per file, or a vm column) through paging, swap and a\n' +
        'replacement policy, and prints per-VM and total fault, swap and latency statistics.\n' +
        'TRACE is a file (csv, lackey, din, plain, vmt; optionally .gz) or - for standard input.',
    )
    .argument('<trace...>', 'trace files, one VM each (or a vm column); - reads standard input');
  addEngineOptions(cmd);
  addTraceOptions(cmd);
  addOutputOptions(cmd);
  addTranslationOptions(cmd);
  addMemoryOptions(cmd);
  cmd.option('--scheduler <name>', 'which VM gives up a frame when memory is full: global (one policy over all pages)');
  cmd.addHelpText(
    'after',
    '\nExamples:\n' +
      '  vmmem simulate traces/ls.lackey.gz --frames 64 --policy clock\n' +
      '  vmmem simulate web.csv db.csv --memory 16MiB --swap 8MiB --format csv\n' +
      '  vmmem simulate traces/zipf.csv --translation nested,shadow --host-page 2MiB\n' +
      '  vmmem simulate traces/clones.csv --memory 4MiB --dedup ksm --ksm-interval 500\n' +
      '\nExit codes: 0 ok, 3 out of memory with --on-oom=error, 64 bad usage, 65 bad trace data,\n' +
      '66 trace missing or unreadable, 70 internal error.',
  );
  cmd.action(async (traces: string[], raw: RawOptions & TranslationRawOptions & MemoryRawOptions & { scheduler?: string }) => {
    if (raw.scheduler !== undefined && raw.scheduler !== 'global') {
      throw new UsageError(`--scheduler: unknown scheduler '${raw.scheduler}' (available: global)`);
    }
    const read = readOptions(raw);
    const config = engineConfig(raw, parsePolicy(raw.policy ?? 'lru'));
    const memory = memoryConfig(raw, config);
    if (memory !== undefined) config.memory = memory;
    const translation = translationConfig(raw, config);
    if (traces.filter((t) => t === '-').length > 1) throw new UsageError('standard input (-) can be given once');
    const sources = [];
    for (const t of traces) sources.push(await openSource(t, read.traceFormat));
    const outcome = await simulate({ sources, read, config, translation });
    emit(io, simulateResult(outcome), raw);
  });
  return cmd;
}
