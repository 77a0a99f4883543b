import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { mrcResult } from '../report/mrc.js';
import { mrcFigure } from '../report/figure.js';
import { addPlotOutOption, plotOutKind, writeFigure } from './figure-out.js';
import { emit, type Io } from './io.js';
import { inputsOf } from '../report/stamp.js';
import { addOutputOptions, addTraceOptions, outputFormat } from '../options/options.js';
import { DEFAULT_POINTS, runMrc, type MrcRawOptions } from '../api/mrc.js';
import type { OutputFormat } from '../report/index.js';

interface MrcOptions extends MrcRawOptions {
  plot?: boolean;
  plotOut?: string;
}

export function mrcCommand(io: Io): Command {
  const cmd = new Command('mrc')
    .summary('miss-ratio curve: faults at every memory size (LRU, OPT in one pass; any policy sampled)')
    .description(
      'Faults against memory size for many sizes at once. LRU: Mattson\'s stack\n' +
        'algorithm, stack distances counted with a bit per access time and counts\n' +
        'per block of bits (O(log n) per access, memory following the distinct\n' +
        'pages). OPT: Mattson\'s OPT stack in one pass when that is cheap, else opt\n' +
        'replayed at each size on\n' +
        'worker threads. Both equal simulate at every size (unlimited swap). Several\n' +
        'traces are interleaved as in simulate and share one memory. Other policies\n' +
        'are replayed at each size, or, with --sample-rate or --sample-size, estimated\n' +
        'from a spatial sample of the pages: SHARDS for lru and opt, miniature\n' +
        'simulation (the policy run on the sample with round(rate x size) frames,\n' +
        'faults / rate) for the others.',
    )
    .argument('<trace...>', 'trace files (one VM each, interleaved as in simulate); - reads standard input')
    .option('-p, --policy <list>', 'lru, opt, or lru,opt for both curves (default lru)')
    .option('-f, --frames <list>', 'sizes in frames, as in compare: 64,128 or 64..4096x2 or 64..1024+64 or 10%,50%')
    .option('-m, --memory <list>', 'sizes as bytes, as in compare: 16MiB,32MiB or 1MiB..1GiBx2')
    .option('--points <n>', `n sizes spread geometrically from 1 frame to the footprint, or all (every size); default ${DEFAULT_POINTS}`)
    .option('--page-size <size>', 'page size, a power of two from 1 B to 1 GiB (default 4KiB)')
    .option('--sample-rate <rate>', 'sample the pages whose hash falls below rate (0 < rate <= 1, e.g. 0.01): SHARDS for lru and opt, miniature simulation for the other policies')
    .option('--sample-size <pages>', 'a fixed-size sample: at most this many pages, the rate lowered as pages arrive (SHARDS_fixed); the final rate is reported')
    .option('--seed <n>', 'salts the sampling hash, so that other samples (and their variance) can be seen; default: no salt')
    .option('--exact-too', 'with --sample-rate: also compute the exact curves and report the sampling error')
    .option('--plot', 'draw the plot above the table even when standard output is not a terminal')
    .option('--no-plot', 'no plot, not even on a terminal')
    .option('-j, --jobs <n>', 'worker threads for replaying opt per size (default: the number of CPUs)');
  addPlotOutOption(cmd, 'the curves');
  addTraceOptions(cmd);
  addOutputOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nColumns (CSV/JSON): policy,frames,memory_bytes,faults,miss_ratio,major_faults,\n' +
      'swap_ins,swap_outs,evictions,accesses,sample_rate (miss_ratio = faults / accesses,\n' +
      'R and W page accesses, cold misses included; sample_rate 1 = exact), and with a\n' +
      'sampled curve estimated,method (estimated false: a size below 1 / rate frames,\n' +
      'which the sample cannot resolve; method stack, replay, shards, shards-fixed or\n' +
      'miniature). Rows: each policy as listed, the exact curve before the sampled\n' +
      'one, sizes ascending.\n' +
      'major_faults (= swap_ins), swap_outs and evictions are what simulate counts at\n' +
      'that size with unlimited swap, from the same pass (write-back stack analysis,\n' +
      'Thompson and Smith 1989: a fault is major when its page was written since its\n' +
      'last F or RESET; a swap-out is the first eviction after a write); a SHARDS\n' +
      'curve from the sampled pass alone leaves them empty. See docs/one-pass.md.\n' +
      'SHARDS: a sampled stack distance d stands for d / rate and the faults are the\n' +
      'sampled faults / rate (SHARDS_adj). --exact-too reports the mean absolute\n' +
      'error of the miss ratio over the estimated sizes.\n' +
      '\nExamples:\n' +
      '  vmmem mrc traces/zipf.csv --policy lru,opt\n' +
      '  vmmem mrc big.vmt --sample-rate 0.01 --exact-too --points 100 --format csv\n' +
      '  vmmem mrc big.vmt --policy fifo,clock --sample-rate 0.01 --frames 1%..100%x2\n' +
      '  vmmem mrc huge.vmt --sample-size 8192\n' +
      '\nExit codes: 0 ok, 64 bad usage, 65 bad trace data, 66 trace missing or\n' +
      'unreadable, 70 internal error.',
  );
  cmd.action(async (traces: string[], raw: MrcOptions) => {
    let format: OutputFormat = 'table';
    const { outcome, sources } = await runMrc(traces, raw, {
      readChecked: () => {
        format = outputFormat(raw);
        plotOutKind(raw.plotOut);
      },
      samplingChecked: () => {
        if (raw.plot === true && format !== 'table') throw new UsageError(`--plot draws in the table view, not in ${format}`);
      },
    });
    // The plot: in the table view on a terminal, or when asked for; --no-plot never.
    const withChart = format === 'table' && (raw.plot === true || (raw.plot === undefined && io.stdoutIsTty));
    const result = mrcResult(outcome, withChart);
    if (raw.plotOut !== undefined) await writeFigure(raw.plotOut, mrcFigure(result), result.summary?.join('\n') ?? '');
    emit(io, result, raw, inputsOf(sources));
  });
  return cmd;
}
