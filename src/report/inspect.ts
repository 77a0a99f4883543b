/**
 * `inspect`'s results. `--report summary` (default): one row per VM, then TOTAL; `reuse`: the
 * reuse-distance histogram, one row per (VM, bucket); `working-set`: W(t, tau) samples, one row
 * per (t, VM). JSON always carries all three (`vms`, `reuse_distance`, `working_set`).
 */
import type { TraceProfile, VmProfile } from '../analysis/profile.js';
import { bucketRange, REUSE_BUCKETS } from '../analysis/reuse.js';
import { formatBytes } from '../units.js';
import type { Column, CommandResult, Row } from './result.js';

export const INSPECT_REPORTS = ['summary', 'reuse', 'working-set'] as const;
export type InspectReport = (typeof INSPECT_REPORTS)[number];

export const INSPECT_SUMMARY_COLUMNS: Column[] = [
  { key: 'vm', heading: 'vm', kind: 'text' },
  { key: 'accesses', heading: 'accesses' },
  { key: 'reads', heading: 'reads' },
  { key: 'writes', heading: 'writes' },
  { key: 'allocs', heading: 'allocs' },
  { key: 'frees', heading: 'frees' },
  { key: 'resets', heading: 'resets' },
  { key: 'distinct_pages', heading: 'distinct pages' },
  { key: 'footprint_bytes' },
  { key: 'cold_accesses', heading: 'cold' },
  { key: 'working_set_mean', heading: 'W mean', kind: 'float' },
  { key: 'working_set_peak', heading: 'W peak' },
  { key: 'allocated_pages' },
  { key: 'freed_pages' },
];

export const INSPECT_REUSE_COLUMNS: Column[] = [
  { key: 'vm', heading: 'vm', kind: 'text' },
  { key: 'bucket', heading: 'reuse distance', kind: 'text' },
  { key: 'min_distance' },
  { key: 'max_distance' },
  { key: 'accesses', heading: 'accesses' },
  { key: 'share', heading: 'share', kind: 'rate' },
  { key: 'cumulative_share', heading: 'cumulative', kind: 'rate' },
];

export const INSPECT_WORKING_SET_COLUMNS: Column[] = [
  { key: 't', heading: 't', kind: 'int' },
  { key: 'vm', heading: 'vm', kind: 'text' },
  { key: 'working_set', heading: 'W(t, tau)' },
];

interface Named {
  name: string;
  profile: VmProfile;
}

function summaryRow({ name, profile: p }: Named, pageSize: number): Row {
  return {
    vm: name,
    accesses: p.accesses,
    reads: p.reads,
    writes: p.writes,
    allocs: p.allocs,
    frees: p.frees,
    resets: p.resets,
    distinct_pages: p.distinctPages,
    footprint_bytes: p.distinctPages * pageSize,
    cold_accesses: p.cold,
    working_set_mean: p.window.mean,
    working_set_peak: p.window.peak,
    allocated_pages: p.allocatedPages,
    freed_pages: p.freedPages,
  };
}

/** The used buckets of a histogram: from 0 up to the largest non-empty one, then `cold`. */
function reuseRows({ name, profile: p }: Named): Row[] {
  const rows: Row[] = [];
  let last = -1;
  for (let k = 0; k < REUSE_BUCKETS; k++) if (p.reuse[k]! > 0) last = k;
  let cumulative = 0;
  const share = (n: number): number => (p.accesses === 0 ? 0 : n / p.accesses);
  for (let k = 0; k <= last; k++) {
    const [lo, hi] = bucketRange(k);
    const n = p.reuse[k]!;
    cumulative += n;
    rows.push({
      vm: name,
      bucket: lo === hi ? String(lo) : `${lo}-${hi}`,
      min_distance: lo,
      max_distance: hi,
      accesses: n,
      share: share(n),
      cumulative_share: share(cumulative),
    });
  }
  cumulative += p.cold;
  rows.push({ vm: name, bucket: 'cold', min_distance: null, max_distance: null, accesses: p.cold, share: share(p.cold), cumulative_share: share(cumulative) });
  return rows;
}

export interface InspectNames {
  /** VM names by index (the run's registry) */
  names: readonly string[];
  /** VM indices in output order */
  order: readonly number[];
}

export function inspectResult(
  profile: TraceProfile,
  names: InspectNames,
  report: InspectReport,
  files: readonly string[],
  notes: string[],
): CommandResult {
  const pageSize = profile.opts.pageSize;
  const named: Named[] = names.order.filter((v) => v < profile.vms.length).map((v) => ({ name: names.names[v]!, profile: profile.vms[v]! }));
  const all: Named[] = [...named, { name: 'TOTAL', profile: profile.total }];
  const summary = all.map((n) => summaryRow(n, pageSize));
  const reuse = all.flatMap(reuseRows);
  const samples: Row[] = [];
  for (const s of profile.samples) {
    for (const v of names.order) if (v < s.vms.length && !Number.isNaN(s.vms[v]!)) samples.push({ t: s.t, vm: names.names[v]!, working_set: s.vms[v]! });
    samples.push({ t: s.t, vm: 'TOTAL', working_set: s.total });
  }
  const [columns, rows] =
    report === 'reuse' ? [INSPECT_REUSE_COLUMNS, reuse] : report === 'working-set' ? [INSPECT_WORKING_SET_COLUMNS, samples] : [INSPECT_SUMMARY_COLUMNS, summary];
  const t = profile.total;
  const lines =
    report === 'summary'
      ? [
          `${files.join(', ')}: ${t.accesses} accesses to ${t.distinctPages} distinct pages of ${formatBytes(pageSize)} ` +
            `(footprint ${formatBytes(t.distinctPages * pageSize)}); working set over tau = ${profile.opts.window} accesses: ` +
            `mean ${t.window.mean.toFixed(1)}, peak ${t.window.peak} pages`,
        ]
      : [];
  return {
    command: 'inspect',
    config: { files: [...files], page_size: pageSize, window: profile.opts.window, sample_interval: profile.interval, report },
    columns,
    rows,
    summary: lines,
    notes,
    extra: {
      vms: summary,
      reuse_distance: Object.fromEntries(
        all.map((n) => [
          n.name,
          {
            cold_accesses: n.profile.cold,
            buckets: reuseRows(n)
              .filter((r) => r.bucket !== 'cold')
              .map((r) => ({ min_distance: r.min_distance, max_distance: r.max_distance, accesses: r.accesses })),
          },
        ]),
      ),
      working_set: {
        window: profile.opts.window,
        sample_interval: profile.interval,
        samples: profile.samples.map((s) => ({
          t: s.t,
          total: s.total,
          vms: Object.fromEntries(names.order.filter((v) => v < s.vms.length && !Number.isNaN(s.vms[v]!)).map((v) => [names.names[v]!, s.vms[v]!])),
        })),
      },
    },
  };
}
