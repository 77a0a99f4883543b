import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { lruFaults, optFaults, stackDistancePass, type StackPolicy } from '../engine/curves.js';
import { defaultJobs } from '../engine/sweep.js';
import { mrcResult, type MrcCurve } from '../report/mrc.js';
import { openSource } from '../trace/source.js';
import { parseCount } from '../units.js';
import { emit, inputsOf, type Io } from './io.js';
import { addOutputOptions, addTraceOptions, outputFormat, parsePageSize, readOptions, type RawOptions } from './options.js';
import { geometricSizes, parseSizeList, resolveSizes } from './sizes.js';

export const DEFAULT_POINTS = 40;

interface MrcOptions extends RawOptions {
  points?: string;
  sampleRate?: string;
  exactToo?: boolean;
  plot?: boolean;
  jobs?: string;
}

function parseStackPolicies(text: string | undefined): StackPolicy[] {
  const names: StackPolicy[] = [];
  for (const part of (text ?? 'lru').split(',')) {
    const name = part.trim();
    if (name !== 'lru' && name !== 'opt') {
      throw new UsageError(
        `--policy: '${name}' has no miss-ratio curve in one pass: lru or opt (stack algorithms); ` +
          `for the others run vmmem compare --policies ${name} --frames LIST`,
      );
    }
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

function parseRate(text: string): number {
  const rate = /^\s*(0?\.\d+|1(\.0*)?|0|\d+e-\d+)\s*$/i.test(text) ? Number(text) : NaN;
  if (!(rate > 0 && rate <= 1)) throw new UsageError(`--sample-rate: '${text}' is not a rate above 0 and at most 1 (e.g. 0.01)`);
  if (Math.round(rate * 2 ** 24) < 1) throw new UsageError(`--sample-rate: '${text}' is below 2^-24, the finest SHARDS can sample`);
  return rate;
}

export function mrcCommand(io: Io): Command {
  const cmd = new Command('mrc')
    .summary('miss-ratio curve: faults at every memory size, in one pass (LRU, OPT)')
    .description(
      'Faults against memory size for many sizes at once. LRU: Mattson\'s stack\n' +
        'algorithm, stack distances counted with a Fenwick tree over access times\n' +
        '(O(log n) per access, memory following the distinct pages). OPT: Mattson\'s\n' +
        'OPT stack in one pass when that is cheap, else opt replayed at each size on\n' +
        'worker threads. Both equal simulate at every size (unlimited swap). Several\n' +
        'traces are interleaved as in simulate and share one memory. --sample-rate\n' +
        'estimates the curve from a spatial sample of the pages (SHARDS).',
    )
    .argument('<trace...>', 'trace files (one VM each, interleaved as in simulate); - reads standard input')
    .option('-p, --policy <list>', 'lru, opt, or lru,opt for both curves (default lru)')
    .option('-f, --frames <list>', 'sizes in frames, as in compare: 64,128 or 64..4096x2 or 64..1024+64 or 10%,50%')
    .option('-m, --memory <list>', 'sizes as bytes, as in compare: 16MiB,32MiB or 1MiB..1GiBx2')
    .option('--points <n>', `n sizes spread geometrically from 1 frame to the footprint, or all (every size); default ${DEFAULT_POINTS}`)
    .option('--page-size <size>', 'page size, a power of two from 1 B to 1 GiB (default 4KiB)')
    .option('--sample-rate <rate>', 'SHARDS: track only pages whose address hash falls below rate (0 < rate <= 1, e.g. 0.01)')
    .option('--exact-too', 'with --sample-rate: also compute the exact curves and report the sampling error')
    .option('--plot', 'draw the plot above the table even when standard output is not a terminal')
    .option('--no-plot', 'no plot, not even on a terminal')
    .option('-j, --jobs <n>', 'worker threads for replaying opt per size (default: the number of CPUs)');
  addTraceOptions(cmd);
  addOutputOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nColumns (CSV/JSON): policy,frames,memory_bytes,faults,miss_ratio,accesses,\n' +
      'sample_rate (miss_ratio = faults / accesses, R and W page accesses, cold misses\n' +
      'included; sample_rate 1 = exact). Rows: each policy as listed, the exact curve\n' +
      'before the sampled one, sizes ascending.\n' +
      'SHARDS: a sampled stack distance d stands for d / rate and the faults are the\n' +
      'sampled faults / rate (SHARDS_adj); sizes below 1 / rate frames are not\n' +
      'resolved. --exact-too reports the mean absolute error of the miss ratio over\n' +
      'the sizes printed.\n' +
      '\nExamples:\n' +
      '  vmmem mrc traces/zipf.csv --policy lru,opt\n' +
      '  vmmem mrc big.vmt --sample-rate 0.01 --exact-too --points 100 --format csv\n' +
      '\nExit codes: 0 ok, 64 bad usage, 65 bad trace data, 66 trace missing or\n' +
      'unreadable, 70 internal error.',
  );
  cmd.action(async (traces: string[], raw: MrcOptions) => {
    const read = readOptions(raw);
    const format = outputFormat(raw);
    const policies = parseStackPolicies(raw.policy);
    const pageSize = parsePageSize(raw);
    const given = [raw.frames, raw.memory, raw.points].filter((v) => v !== undefined).length;
    if (given > 1) throw new UsageError('--frames, --memory and --points all choose the sizes: use one');
    const sizeList =
      raw.memory !== undefined
        ? parseSizeList(raw.memory, '--memory', pageSize)
        : raw.frames !== undefined
          ? parseSizeList(raw.frames, '--frames', pageSize)
          : null;
    const points = raw.points === undefined ? DEFAULT_POINTS : raw.points.trim() === 'all' ? 'all' : parseCount(raw.points, '--points', 1);
    const sample = raw.sampleRate === undefined ? null : parseRate(raw.sampleRate);
    if (raw.exactToo && sample === null) throw new UsageError('--exact-too compares a sampled curve with the exact one: give --sample-rate');
    const samples: (number | null)[] = sample === null ? [null] : raw.exactToo ? [null, sample] : [sample];
    if (raw.plot === true && format !== 'table') throw new UsageError(`--plot draws in the table view, not in ${format}`);
    const jobs = raw.jobs === undefined ? defaultJobs() : parseCount(raw.jobs, '--jobs', 1);
    if (traces.filter((t) => t === '-').length > 1) throw new UsageError('standard input (-) can be given once');

    const sources = [];
    for (const t of traces) sources.push(await openSource(t, read.traceFormat));
    const pass = await stackDistancePass({
      sources,
      read,
      pageSize,
      lruSamples: policies.includes('lru') ? samples : [],
      keepTrace: policies.includes('opt'),
    });
    const frames = sizeList ? [...new Set(resolveSizes(sizeList, pass.footprint))].sort((a, b) => a - b)
      : points === 'all' ? Array.from({ length: Math.max(1, pass.footprint) }, (_, i) => i + 1)
      : geometricSizes(points, pass.footprint);
    const curves: MrcCurve[] = [];
    for (const policy of policies) {
      for (const s of samples) {
        if (policy === 'lru') curves.push({ policy, sample: s, frames, faults: lruFaults(pass, s, frames) });
        else {
          const opt = await optFaults(pass, s, frames, { jobs });
          curves.push({ policy, sample: s, frames, faults: opt.faults, method: opt.method });
        }
      }
    }
    // The plot: in the table view on a terminal, or when asked for; --no-plot never.
    const withChart = format === 'table' && (raw.plot === true || (raw.plot === undefined && io.stdoutIsTty));
    const result = mrcResult(
      {
        traces: sources.map((s) => s.display),
        pageSize,
        accesses: pass.accesses,
        footprint: pass.footprint,
        sizes: sizeList ? { option: sizeList.option.slice(2), value: sizeList.text } : { option: 'points', value: String(points) },
        curves,
        skipped: pass.skipped,
      },
      withChart,
    );
    emit(io, result, raw, inputsOf(sources));
  });
  return cmd;
}
