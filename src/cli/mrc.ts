import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { miniatureFrames, replayedCounters, sampledPass, scaledFaults, shardsFaults, smallestEstimated } from '../run/minisim.js';
import { PageSampler, sampleSalt } from '../analysis/sampling.js';
import { lruCounters, optFaults, stackDistancePass } from '../run/curves.js';
import { isPolicyName, POLICY_NAMES, type PolicyName } from '../policies/index.js';
import { defaultJobs } from '../run/sweep.js';
import { mrcResult, type MrcCurve, type MrcOutcome } from '../report/mrc.js';
import { openSource } from '../trace/source.js';
import { parseCount } from '../units.js';
import { mrcFigure } from '../report/figure.js';
import { addPlotOutOption, plotOutKind, writeFigure } from './figure-out.js';
import { emit, inputsOf, type Io } from './io.js';
import { addOutputOptions, addTraceOptions, outputFormat, parsePageSize, readOptions, type RawOptions } from './options.js';
import { geometricSizes, parseSizeList, resolveSizes } from './sizes.js';

export const DEFAULT_POINTS = 40;

/** The SHARDS LRU curve of a sampled pass. */
function sampledLru(pass: Awaited<ReturnType<typeof sampledPass>>, frames: number[], sampleSize: number | null, requestedRate: number | null): MrcCurve {
  return {
    policy: 'lru',
    sample: sampleSize === null ? requestedRate! : pass.rate,
    frames,
    faults: shardsFaults(pass.lru!, frames, pass.accesses),
    method: sampleSize === null ? 'shards' : 'shards-fixed',
    estimated: frames.map((f) => f >= smallestEstimated(sampleSize === null ? requestedRate! : pass.rate)),
    sampleSize: sampleSize ?? undefined,
  };
}

interface MrcOptions extends RawOptions {
  points?: string;
  sampleRate?: string;
  sampleSize?: string;
  seed?: string;
  exactToo?: boolean;
  plot?: boolean;
  jobs?: string;
  plotOut?: string;
}

function parseCurvePolicies(text: string | undefined): PolicyName[] {
  const names: PolicyName[] = [];
  for (const part of (text ?? 'lru').split(',')) {
    const name = part.trim();
    if (!isPolicyName(name)) throw new UsageError(`--policy: unknown policy '${name}' (${POLICY_NAMES.join(', ')})`);
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
    const read = readOptions(raw);
    const format = outputFormat(raw);
    plotOutKind(raw.plotOut);
    const policies = parseCurvePolicies(raw.policy);
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
    if (raw.sampleRate !== undefined && raw.sampleSize !== undefined) throw new UsageError('--sample-rate and --sample-size both choose the sample: use one');
    const rate = raw.sampleRate === undefined ? null : parseRate(raw.sampleRate);
    const sampleSize = raw.sampleSize === undefined ? null : parseCount(raw.sampleSize, '--sample-size', 1);
    const sampling = rate !== null || sampleSize !== null;
    if (raw.exactToo && !sampling) throw new UsageError('--exact-too compares a sampled curve with the exact one: give --sample-rate or --sample-size');
    if (raw.seed !== undefined && !sampling) throw new UsageError('--seed salts the sampling hash: it applies with --sample-rate or --sample-size only');
    const salt = sampleSalt(raw.seed === undefined ? undefined : parseCount(raw.seed, '--seed', 0));
    if (raw.plot === true && format !== 'table') throw new UsageError(`--plot draws in the table view, not in ${format}`);
    const jobs = raw.jobs === undefined ? defaultJobs() : parseCount(raw.jobs, '--jobs', 1);
    if (traces.filter((t) => t === '-').length > 1) throw new UsageError('standard input (-) can be given once');
    const miniPolicies = policies.filter((p) => p !== 'lru' && p !== 'opt');
    if (sampleSize !== null && policies.includes('opt')) throw new UsageError('--sample-size: opt samples at a fixed rate only (--sample-rate); its sampled curve needs the whole sampled future');
    const twoPasses = sampling && miniPolicies.length > 0 && (sampleSize !== null || sizeList === null || sizeList.items.some((i) => i.kind === 'percent'));
    const exactPasses = !sampling || raw.exactToo;
    const readsTwice = (exactPasses && sampling) || twoPasses || (!sampling && miniPolicies.length > 0 && (policies.includes('lru') || policies.includes('opt')));
    if (readsTwice && traces.includes('-')) throw new UsageError('this curve reads its traces more than once: give a file, not standard input (-)');

    const sources = [];
    for (const t of traces) sources.push(await openSource(t, read.traceFormat));
    const curves: MrcCurve[] = [];
    let accesses = 0;
    let footprint = 0;
    let skipped: MrcOutcome['skipped'] = [];
    let estimatedFootprint = false;
    const sizesFor = (fp: number): number[] =>
      sizeList ? [...new Set(resolveSizes(sizeList, fp))].sort((a, b) => a - b)
      : points === 'all' ? Array.from({ length: Math.max(1, fp) }, (_, i) => i + 1)
      : geometricSizes(points, fp);
    // sizes in frames need no pass; % sizes and the default spread need the footprint
    let frames: number[] = sizeList !== null && !sizeList.items.some((i) => i.kind === 'percent') ? sizesFor(0) : [];
    // Exact curves: the stack pass for lru and opt, replays at every size for the others.
    if (exactPasses) {
      const stackPolicies = policies.filter((p) => p === 'lru' || p === 'opt');
      const sampledStack = sampling && rate !== null ? [rate] : [];
      const pass = await stackDistancePass({
        sources,
        read,
        pageSize,
        lruSamples: policies.includes('lru') ? [null, ...(raw.exactToo && rate !== null ? sampledStack : [])] : [],
        keepTrace: policies.includes('opt'),
        salt,
      });
      accesses = pass.accesses;
      footprint = pass.footprint;
      skipped = pass.skipped;
      frames = sizesFor(footprint);
      for (const policy of policies) {
        if (policy === 'lru') {
          const counters = lruCounters(pass, null, frames);
          curves.push({ policy, sample: null, frames, faults: counters.map((c) => c.faults), counters, method: 'stack' });
        } else if (policy === 'opt') {
          const opt = await optFaults(pass, null, frames, { jobs });
          curves.push({ policy, sample: null, frames, faults: opt.faults, counters: opt.counters, method: opt.method });
        } else {
          const counters = await replayedCounters(sources, read, pageSize, policy, frames, jobs, {});
          curves.push({ policy, sample: null, frames, faults: counters.map((c) => c.faults), counters, method: 'replay' });
        }
      }
      // SHARDS curves at a fixed rate, beside the exact ones, from the same pass
      if (raw.exactToo && rate !== null) {
        for (const policy of stackPolicies) {
          const counters = policy === 'lru' ? lruCounters(pass, rate, frames) : (await optFaults(pass, rate, frames, { jobs, salt })).counters;
          curves.push({ policy, sample: rate, frames, faults: counters.map((c) => c.faults), counters, method: 'shards', estimated: frames.map((f) => f >= smallestEstimated(rate)) });
        }
      }
    }
    if (sampling) {
      const sampler = () => (rate !== null ? PageSampler.rate(rate, salt) : PageSampler.size(sampleSize!, salt));
      const wantLru = policies.includes('lru') && !(raw.exactToo && rate !== null);
      const wantOpt = policies.includes('opt') && !raw.exactToo;
      // A first pass when the miniature caches' sizes depend on what the trace holds: the
      // footprint (default or % sizes) or the final rate of a fixed-size sample.
      let finalRate = rate;
      if (twoPasses || wantOpt) {
        const first = await sampledPass({ sources, read, pageSize, sampler: sampler(), lru: wantLru, miniatures: [], engine: {} });
        finalRate = first.rate;
        if (!exactPasses) {
          accesses = first.accesses;
          skipped = first.skipped;
          footprint = Math.round(first.sampledPages / first.rate);
          estimatedFootprint = true;
          frames = sizesFor(footprint);
        }
        if (wantLru) curves.push(sampledLru(first, frames, sampleSize, rate));
      }
      if (wantOpt) {
        // OPT on the sampled accesses (the future of the sampled pages only): the stack pass
        // over the pages the rate keeps, at scaled sizes, as under --exact-too.
        const pass = await stackDistancePass({ sources, read, pageSize, lruSamples: [], keepTrace: true, salt });
        const opt = await optFaults(pass, rate!, frames, { jobs, salt });
        curves.push({ policy: 'opt', sample: rate, frames, faults: opt.faults, method: 'shards', estimated: frames.map((f) => f >= smallestEstimated(rate!)) });
      }
      const needSecond = miniPolicies.length > 0 || (wantLru && !(twoPasses || wantOpt));
      if (needSecond) {
        const r = finalRate;
        const miniatures: { policy: PolicyName; frames: number; size: number }[] = [];
        if (r !== null) {
          for (const policy of miniPolicies) for (const f of frames) {
            const mini = miniatureFrames(f, r);
            if (mini >= 1) miniatures.push({ policy, frames: mini, size: f });
          }
        }
        const second = await sampledPass({
          sources,
          read,
          pageSize,
          sampler: r !== null && miniPolicies.length > 0 ? PageSampler.rate(r, salt) : sampler(),
          lru: wantLru && !(twoPasses || wantOpt),
          miniatures: miniatures.map((m) => ({ policy: m.policy, frames: m.frames })),
          engine: {},
        });
        if (!exactPasses && !twoPasses && !wantOpt) {
          accesses = second.accesses;
          skipped = second.skipped;
          footprint = Math.round(second.sampledPages / second.rate);
          estimatedFootprint = true;
          if (sizeList === null || sizeList.items.some((i) => i.kind === 'percent')) frames = sizesFor(footprint);
        }
        if (second.lru !== null) curves.push(sampledLru(second, frames, sampleSize, rate));
        for (const policy of miniPolicies) {
          const r = second.rate;
          const counters = frames.map((f) => {
            const k = miniatures.findIndex((m) => m.policy === policy && m.size === f);
            // no miniature cache of even one frame stands for this size: every access a miss
            if (k < 0) return { faults: second.accesses, majorFaults: 0, swapIns: 0, swapOuts: 0, evictions: 0 };
            const c = second.miniCounters[k]!;
            return {
              faults: scaledFaults(c.faults, r, second.accesses),
              majorFaults: scaledFaults(c.majorFaults, r, second.accesses),
              swapIns: scaledFaults(c.swapIns, r, second.accesses),
              swapOuts: Math.round(c.swapOuts / r),
              evictions: Math.round(c.evictions / r),
            };
          });
          curves.push({
            policy,
            sample: rate ?? second.rate,
            frames,
            faults: counters.map((c) => c.faults),
            counters,
            method: 'miniature',
            estimated: frames.map((f) => f >= smallestEstimated(rate ?? second.rate)),
            sampleSize: sampleSize ?? undefined,
          });
        }
      }
    }
    // each policy as listed, its exact curve before its sampled one
    curves.sort((a, b) => policies.indexOf(a.policy as PolicyName) - policies.indexOf(b.policy as PolicyName) || (a.sample === null ? 0 : 1) - (b.sample === null ? 0 : 1));
    // The plot: in the table view on a terminal, or when asked for; --no-plot never.
    const withChart = format === 'table' && (raw.plot === true || (raw.plot === undefined && io.stdoutIsTty));
    const result = mrcResult(
      {
        traces: sources.map((s) => s.display),
        pageSize,
        accesses,
        footprint,
        estimatedFootprint,
        sizes: sizeList ? { option: sizeList.option.slice(2), value: sizeList.text } : { option: 'points', value: String(points) },
        curves,
        skipped,
        sampleSize,
        seed: raw.seed === undefined ? null : Number(raw.seed),
      },
      withChart,
    );
    if (raw.plotOut !== undefined) await writeFigure(raw.plotOut, mrcFigure(result), result.summary?.join('\n') ?? '');
    emit(io, result, raw, inputsOf(sources));
  });
  return cmd;
}
