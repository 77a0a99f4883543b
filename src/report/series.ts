/**
 * The `--interval` time series as rows (SPEC 3.1 columns `t,vm,faults,swap_ins,swap_outs,resident`):
 * one row per sample and VM, samples in time order, VMs in output order. With --dedup ideal|ksm
 * the columns `pages_shared,pages_sharing,cow_faults` follow; with a huge --host-page
 * `huge_pages,huge_fallbacks,compaction_moves,unusable_index_2mib` (the last host-wide: the same
 * on every row of a sample).
 */
import type { SeriesOutcome } from '../run/simulate.js';
import type { Column, CommandResult, Row } from './result.js';

export const SERIES_COLUMNS: Column[] = [
  { key: 't', heading: 't' },
  { key: 'vm', heading: 'vm', kind: 'text' },
  { key: 'faults', heading: 'faults' },
  { key: 'swap_ins', heading: 'swap in' },
  { key: 'swap_outs', heading: 'swap out' },
  { key: 'resident', heading: 'resident' },
];

export const SERIES_DEDUP_COLUMNS: Column[] = [
  { key: 'pages_shared', heading: 'shared' },
  { key: 'pages_sharing', heading: 'sharing' },
  { key: 'cow_faults', heading: 'COW' },
];

export const SERIES_HUGE_COLUMNS: Column[] = [
  { key: 'huge_pages', heading: 'huge pg' },
  { key: 'huge_fallbacks', heading: 'fallback' },
  { key: 'compaction_moves', heading: 'moved' },
  { key: 'unusable_index_2mib', heading: 'unusable 2M', kind: 'number' },
];

/** `balance`: the VM's target frames at the sample */
export const SERIES_TARGET_COLUMNS: Column[] = [{ key: 'target', heading: 'target', kind: 'number' }];
/** two levels: backed guest frames and balloon size at the sample (`resident` is then the guest's) */
export const SERIES_LEVEL_COLUMNS: Column[] = [
  { key: 'backed', heading: 'backed' },
  { key: 'balloon', heading: 'balloon' },
];

export function seriesColumns(s: SeriesOutcome): Column[] {
  return [
    ...SERIES_COLUMNS,
    ...(s.memory?.dedup ? SERIES_DEDUP_COLUMNS : []),
    ...(s.memory?.huge ? SERIES_HUGE_COLUMNS : []),
    ...(s.target ? SERIES_TARGET_COLUMNS : []),
    ...(s.levels ? SERIES_LEVEL_COLUMNS : []),
  ];
}

export function seriesRows(s: SeriesOutcome): Row[] {
  const rows: Row[] = [];
  const m = s.memory;
  for (let i = 0; i < s.t.length; i++) {
    for (let j = 0; j < s.names.length; j++) {
      const row: Row = {
        t: s.t[i]!,
        vm: s.names[j]!,
        faults: s.faults[j]![i]!,
        swap_ins: s.swapIns[j]![i]!,
        swap_outs: s.swapOuts[j]![i]!,
        resident: s.resident[j]![i]!,
      };
      if (m?.dedup) {
        row.pages_shared = m.pagesShared[j]![i]!;
        row.pages_sharing = m.pagesSharing[j]![i]!;
        row.cow_faults = m.cowFaults[j]![i]!;
      }
      if (m?.huge) {
        row.huge_pages = m.hugePages[j]![i]!;
        row.huge_fallbacks = m.hugeFallbacks[j]![i]!;
        row.compaction_moves = m.compactionMoves[j]![i]!;
        row.unusable_index_2mib = m.unusableIndex2MiB[i]!;
      }
      if (s.target) row.target = s.target[j]![i]!;
      if (s.levels) {
        row.backed = s.levels.backed[j]![i]!;
        row.balloon = s.levels.balloon[j]![i]!;
      }
      rows.push(row);
    }
  }
  return rows;
}

/** The series as a result of its own (for --interval-out and the CSV section). */
export function seriesResult(s: SeriesOutcome): CommandResult {
  return { command: 'simulate-interval', config: { interval: s.every }, columns: seriesColumns(s), rows: seriesRows(s) };
}
