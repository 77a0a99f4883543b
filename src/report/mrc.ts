/**
 * `mrc`'s result: one row per (policy, curve, size) with the SPEC 3.1 columns
 * `policy,frames,memory_bytes,faults,miss_ratio,major_faults,swap_ins,swap_outs,evictions`, then
 * `accesses,sample_rate`; a plot of the
 * curves for the table view; SHARDS's error against the exact curve when both were computed.
 */
import { formatBytes } from '../units.js';
import type { PlotSeries } from './plot.js';
import type { Column, CommandResult, Row } from './result.js';

export const MRC_COLUMNS: Column[] = [
  { key: 'policy', heading: 'policy', kind: 'text' },
  { key: 'frames', heading: 'frames' },
  { key: 'memory_bytes', heading: 'memory bytes' },
  { key: 'faults', heading: 'faults' },
  { key: 'miss_ratio', heading: 'miss ratio', kind: 'rate' },
  { key: 'major_faults', heading: 'major' },
  { key: 'swap_ins', heading: 'swap in' },
  { key: 'swap_outs', heading: 'swap out' },
  { key: 'evictions', heading: 'evictions' },
  { key: 'accesses' },
  { key: 'sample_rate', heading: 'sample' },
];

export interface MrcCurve {
  policy: string;
  /** SHARDS sampling rate, or null for the exact curve */
  sample: number | null;
  frames: number[];
  faults: number[];
  /**
   * per size: the other size-dependent counters (unlimited swap), as `simulate` counts them;
   * absent where the method gives none (a SHARDS curve from the sampled pass alone)
   */
  counters?: readonly { majorFaults: number; swapIns: number; swapOuts: number; evictions: number }[];
  /**
   * how the faults were computed: the one-pass stack (lru, opt), replays at each size, SHARDS at
   * a fixed rate or with a fixed-size sample, or miniature simulation
   */
  method?: CurveMethod;
  /** sampled curves: per size, false where the sample cannot resolve it (below 1 / rate frames) */
  estimated?: boolean[];
  /** the --sample-size the sample was held to */
  sampleSize?: number;
}

export type CurveMethod = 'stack' | 'replay' | 'shards' | 'shards-fixed' | 'miniature';

export interface MrcOutcome {
  traces: string[];
  pageSize: number;
  accesses: number;
  footprint: number;
  /** how the sizes were chosen, for JSON config */
  sizes: { option: string; value: string };
  curves: MrcCurve[];
  skipped: { file: string; counts: { ifetch: number; other: number; bad: number } }[];
  /** the footprint is the sample's scaled by 1 / rate (no exact pass was made) */
  estimatedFootprint?: boolean;
  sampleSize?: number | null;
  /** --seed, which salted the sampling hash */
  seed?: number | null;
}

export interface ShardsError {
  policy: string;
  sample_rate: number;
  /** mean of |estimated - exact miss ratio| over the sizes printed */
  mean_abs_error: number;
  max_abs_error: number;
  sizes: number;
}

function shardsErrors(out: MrcOutcome): ShardsError[] {
  const errors: ShardsError[] = [];
  for (const sampled of out.curves) {
    if (sampled.sample === null) continue;
    const exact = out.curves.find((c) => c.policy === sampled.policy && c.sample === null);
    if (!exact || out.accesses === 0) continue;
    let sum = 0;
    let max = 0;
    let sizes = 0;
    sampled.faults.forEach((f, i) => {
      if (sampled.estimated?.[i] === false) return;
      const e = Math.abs(f - exact.faults[i]!) / out.accesses;
      sum += e;
      max = Math.max(max, e);
      sizes++;
    });
    if (sizes > 0) errors.push({ policy: sampled.policy, sample_rate: sampled.sample, mean_abs_error: sum / sizes, max_abs_error: max, sizes });
  }
  return errors;
}

const METHOD_NAME: Record<CurveMethod, string> = {
  stack: 'exact',
  replay: 'exact',
  shards: 'SHARDS',
  'shards-fixed': 'SHARDS fixed-size',
  miniature: 'miniature',
};

function curveName(c: MrcCurve): string {
  return c.sample === null ? c.policy : `${c.policy} (${METHOD_NAME[c.method ?? 'shards']} ${Number(c.sample.toPrecision(4))})`;
}

export function mrcResult(out: MrcOutcome, withChart: boolean): CommandResult {
  const rows: Row[] = [];
  const sampled = out.curves.some((c) => c.sample !== null);
  for (const c of out.curves) {
    c.frames.forEach((frames, i) => {
      const faults = c.faults[i]!;
      rows.push({
        policy: c.policy,
        frames,
        memory_bytes: frames * out.pageSize,
        faults,
        miss_ratio: out.accesses ? faults / out.accesses : 0,
        major_faults: c.counters?.[i]?.majorFaults ?? null,
        swap_ins: c.counters?.[i]?.swapIns ?? null,
        swap_outs: c.counters?.[i]?.swapOuts ?? null,
        evictions: c.counters?.[i]?.evictions ?? null,
        accesses: out.accesses,
        sample_rate: c.sample ?? 1,
        ...(sampled ? { estimated: c.estimated?.[i] ?? true, method: c.method ?? 'stack' } : {}),
      });
    });
  }
  const errors = shardsErrors(out);
  const notes: string[] = [];
  for (const s of out.skipped) {
    const { ifetch, other, bad } = s.counts;
    if (bad) notes.push(`${s.file}: skipped ${bad} bad line${bad === 1 ? '' : 's'} (--skip-bad-lines)`);
    if (ifetch) notes.push(`${s.file}: skipped ${ifetch} instruction fetch${ifetch === 1 ? '' : 'es'} (replay them with --ifetch)`);
    if (other) notes.push(`${s.file}: skipped ${other} line${other === 1 ? '' : 's'} that are not accesses`);
  }
  for (const c of out.curves) {
    if (c.sample === null || !c.estimated || c.estimated.every(Boolean)) continue;
    const below = c.frames.filter((_, i) => !c.estimated![i]);
    const smallest = Math.min(...c.frames);
    notes.push(
      `${curveName(c)}: ${below.length} size${below.length === 1 ? '' : 's'} below ${Math.ceil(1 / c.sample - 1e-9)} frames (1 / rate) ` +
        `${below.length === 1 ? 'is' : 'are'} not estimated (column estimated = false): a rate of at least ${Number((1 / smallest).toPrecision(3))} reaches ${smallest} frames`,
    );
  }
  const summary = [
    `${out.traces.join(', ')}: ${out.accesses} accesses, ${out.estimatedFootprint ? 'about ' : ''}${out.footprint} distinct pages of ${formatBytes(out.pageSize)}` +
      (out.estimatedFootprint ? ' (estimated from the sample)' : ''),
  ];
  for (const c of out.curves) {
    const how =
      c.method === 'miniature'
        ? `miniature simulation: ${c.policy} replayed on the sampled pages with round(rate x size) frames, faults / rate`
        : c.method === 'shards-fixed'
          ? `SHARDS with a fixed-size sample of at most ${c.sampleSize} pages, final rate ${Number(c.sample!.toPrecision(4))}`
          : c.policy === 'lru'
            ? "Mattson's stack distances, one pass"
            : c.method === 'replay'
              ? c.policy === 'opt'
                ? 'opt replayed at each size (the one-pass OPT stack would have done more work)'
                : `${c.policy} replayed at each size`
              : "Mattson's OPT stack, one pass";
    summary.push(`${curveName(c)}: ${how}${c.sample === null || c.method !== 'shards' ? '' : `, pages sampled at ${c.sample} (SHARDS)`}`);
  }
  for (const e of errors) {
    summary.push(
      `SHARDS ${e.sample_rate} vs exact, ${e.policy}: mean absolute error of the miss ratio ${Number(e.mean_abs_error.toPrecision(3))}, ` +
        `max ${Number(e.max_abs_error.toPrecision(3))}, over ${e.sizes} sizes`,
    );
  }
  const series: PlotSeries[] = out.curves.map((c) => ({
    name: curveName(c),
    points: c.frames.map((f, i) => [f, out.accesses ? c.faults[i]! / out.accesses : 0] as const),
  }));
  const anySample = out.curves.some((c) => c.sample !== null);
  const columns = MRC_COLUMNS.map((c) => (c.key === 'sample_rate' && !anySample ? { ...c, heading: undefined } : c));
  if (sampled) columns.push({ key: 'estimated', heading: 'estimated', kind: 'text' }, { key: 'method', heading: 'method', kind: 'text' });
  const extra: Record<string, unknown> = { accesses: out.accesses, distinct_pages: out.footprint };
  if (errors.length > 0) extra.shards_error = errors;
  if (sampled) {
    extra.sampling = out.curves
      .filter((c) => c.sample !== null)
      .map((c) => ({
        policy: c.policy,
        method: c.method,
        rate: c.sample,
        sample_size: c.sampleSize ?? null,
        smallest_estimated_frames: Math.ceil(1 / c.sample! - 1e-9),
      }));
  }
  return {
    command: 'mrc',
    config: {
      traces: out.traces,
      policies: [...new Set(out.curves.map((c) => c.policy))],
      page_size: out.pageSize,
      [out.sizes.option]: out.sizes.value,
      sample_rate: out.curves.find((c) => c.sample !== null)?.sample ?? null,
      ...(out.sampleSize != null ? { sample_size: out.sampleSize } : {}),
      ...(out.seed != null ? { seed: out.seed } : {}),
    },
    columns,
    rows,
    extra,
    summary,
    notes,
    chart: withChart
      ? { series, options: { logX: true, xLabel: 'frames', yLabel: 'miss ratio' } }
      : undefined,
  };
}
