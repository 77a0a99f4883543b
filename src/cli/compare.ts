import { Command, Option } from 'commander';
import { POLICY_NAMES } from '../policies/index.js';
import { compareFigure } from '../report/figure.js';
import { addPlotOutOption, plotOutKind, writeFigure } from './figure-out.js';
import type { Io } from './io.js';
import { inputsOf } from '../report/stamp.js';
import { addBaselineOptions, emitChecked, startBaselineCheck, type BaselineCheck, type BaselineOptions } from './baseline.js';
import { addEngineOptions, addOutputOptions, addTraceOptions, readOptions } from '../options/options.js';
import { DEFAULT_COMPARE_SIZES, runCompare, throwIfCellsFailed, type CompareRawOptions } from '../api/compare.js';

// merge.ts takes it from here
export { throwIfCellsFailed } from '../api/compare.js';

interface CompareOptions extends CompareRawOptions, BaselineOptions {
  plotOut?: string;
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
    // the order of the checks, and so which of two mistakes is reported: --trace-format, --plot-out, the rest
    readOptions(raw);
    plotOutKind(raw.plotOut);
    const progress = io.stderrIsTty && !raw.quiet;
    let check: BaselineCheck | undefined;
    const { result, sources } = await runCompare(traces, raw, {
      // A baseline is read, and its configuration checked, before the long work starts.
      checked: ({ policies, sizes, pageSize }) => {
        check = startBaselineCheck(raw, 'compare', { policies, sizes, page_size: pageSize });
      },
      cellsDone: progress ? (name, done, cells) => io.stderr(`\r\x1b[Kvmmem compare: ${name}: ${done}/${cells} runs done`) : undefined,
      traceDone: progress ? () => io.stderr('\r\x1b[K') : undefined,
    });
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
