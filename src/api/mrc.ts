/**
 * `mrc`: the validation, defaults and passes behind `vmmem mrc` (src/cli/mrc.ts maps argv onto
 * these and formats the result).
 */
import { UsageError } from '../errors.js';
import { miniatureFrames, replayedCounters, sampledPass, scaledFaults, shardsFaults, smallestEstimated } from '../run/minisim.js';
import { PageSampler, sampleSalt } from '../analysis/sampling.js';
import { lruCounters, optFaults, stackDistancePass } from '../run/curves.js';
import { isPolicyName, POLICY_NAMES, type PolicyName } from '../policies/index.js';
import { defaultJobs } from '../run/sweep.js';
import { mrcResult, type MrcCurve, type MrcOutcome } from '../report/mrc.js';
import { openSource, type TraceSource } from '../trace/source.js';
import { parseCount } from '../units.js';
import { parsePageSize, readOptions, type RawOptions } from '../options/options.js';
import { geometricSizes, parseSizeList, resolveSizes } from '../options/sizes.js';
import { inputsOf } from '../report/stamp.js';
import { toDocument, type ResultDocument } from './document.js';
import { toRaw, type Library } from './options.js';

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

/** The raw (command-line) options of `vmmem mrc`. */
export interface MrcRawOptions extends RawOptions {
  points?: string;
  sampleRate?: string;
  sampleSize?: string;
  seed?: string;
  exactToo?: boolean;
  jobs?: string;
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

export interface MrcHooks {
  /** after the reader options are checked (the CLI checks --format and --plot-out here) */
  readChecked?(): void;
  /** after the sampling options are checked (the CLI checks --plot here) */
  samplingChecked?(): void;
}

export interface MrcRun {
  outcome: MrcOutcome;
  sources: TraceSource[];
}

/** The passes behind `vmmem mrc TRACES... OPTIONS`: the curves, unformatted. */
export async function runMrc(traces: string[], raw: MrcRawOptions, hooks: MrcHooks = {}): Promise<MrcRun> {
  if (traces.length === 0) throw new UsageError('no trace: give TRACE files');
  const read = readOptions(raw);
  hooks.readChecked?.();
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
  hooks.samplingChecked?.();
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
  const outcome: MrcOutcome = {
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
  };
  return { outcome, sources };
}

/**
 * Options of {@link mrc}: `vmmem mrc`'s options in camelCase. `policy` is a list (`'lru,opt'`
 * or an array); `frames`/`memory` the CLI's size lists; `points` a number or `'all'`.
 */
export interface MrcOptions extends Library<Omit<MrcRawOptions, 'format' | 'color' | 'quiet' | 'output' | 'columns' | 'wide' | 'policy'>> {
  /** trace files, interleaved as in simulate */
  traces: string[];
  /** the curves' policies (default lru) */
  policy?: string | readonly string[];
}

/** The result of {@link mrc}: `vmmem mrc --format json`, parsed. */
export type MrcResult = ResultDocument<'mrc'>;

/**
 * Miss-ratio curves: faults at many memory sizes at once (exact for lru and opt in one pass;
 * replayed or sampled for the others). The result is `vmmem mrc ... --format json`, parsed.
 *
 * @example
 * const r = await mrc({ traces: ['traces/zipf.csv'], policy: ['lru', 'opt'], points: 10 });
 */
export async function mrc(options: MrcOptions): Promise<MrcResult> {
  const { traces, policy, ...rest } = options;
  const raw = toRaw<MrcRawOptions>(rest);
  if (policy !== undefined) raw.policy = typeof policy === 'string' ? policy : policy.join(',');
  const { outcome, sources } = await runMrc(traces, raw);
  return toDocument<'mrc'>(mrcResult(outcome, false), inputsOf(sources));
}
