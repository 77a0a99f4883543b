/**
 * The `--interval` time series as rows (SPEC 3.1 columns `t,vm,faults,swap_ins,swap_outs,resident`):
 * one row per sample and VM, samples in time order, VMs in output order.
 */
import type { SeriesOutcome } from '../engine/simulate.js';
import type { Column, CommandResult, Row } from './result.js';

export const SERIES_COLUMNS: Column[] = [
  { key: 't', heading: 't' },
  { key: 'vm', heading: 'vm', kind: 'text' },
  { key: 'faults', heading: 'faults' },
  { key: 'swap_ins', heading: 'swap in' },
  { key: 'swap_outs', heading: 'swap out' },
  { key: 'resident', heading: 'resident' },
];

export function seriesRows(s: SeriesOutcome): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < s.t.length; i++) {
    for (let j = 0; j < s.names.length; j++) {
      rows.push({
        t: s.t[i]!,
        vm: s.names[j]!,
        faults: s.faults[j]![i]!,
        swap_ins: s.swapIns[j]![i]!,
        swap_outs: s.swapOuts[j]![i]!,
        resident: s.resident[j]![i]!,
      });
    }
  }
  return rows;
}

/** The series as a result of its own (for --interval-out and the CSV section). */
export function seriesResult(s: SeriesOutcome): CommandResult {
  return { command: 'simulate-interval', config: { interval: s.every }, columns: SERIES_COLUMNS, rows: seriesRows(s) };
}
