/**
 * `simulate`'s result: one row per VM in command-line order, then TOTAL (SPEC 3.1).
 */
import type { SimulationOutcome, VmOutcome } from '../run/simulate.js';
import { formatBytes } from '../units.js';
import type { Column, CommandResult, Row } from './result.js';
import { withLevels } from './levels.js';
import { withMemory } from './memory.js';
import { withTranslation } from './translation.js';
import { SCHEDULING_COLUMNS, schedulerLabel, schedulingCells, schedulingExtra, schedulingSummary } from './scheduling.js';
import { seriesRows } from './series.js';

export const SIMULATE_COLUMNS: Column[] = [
  { key: 'vm', heading: 'vm', kind: 'text' },
  { key: 'policy', kind: 'text' },
  { key: 'scheduler', kind: 'text' },
  { key: 'frames' },
  { key: 'accesses', heading: 'accesses' },
  { key: 'reads' },
  { key: 'writes' },
  { key: 'hits', heading: 'hits' },
  { key: 'faults', heading: 'faults' },
  { key: 'minor_faults', heading: 'minor' },
  { key: 'major_faults', heading: 'major' },
  { key: 'fault_rate', heading: 'fault rate', kind: 'rate' },
  { key: 'swap_ins', heading: 'swap in' },
  { key: 'swap_outs', heading: 'swap out' },
  { key: 'evictions', heading: 'evicted' },
  { key: 'stolen', heading: 'stolen' },
  { key: 'resident_end', heading: 'resident' },
  { key: 'resident_peak', heading: 'peak' },
  { key: 'swap_end', heading: 'swap' },
  { key: 'swap_peak' },
  { key: 'oom_kills', heading: 'oom' },
  { key: 'eat_ns', heading: 'EAT ns', kind: 'ns' },
];

function row(o: VmOutcome, out: SimulationOutcome): Row {
  const c = o.counters;
  return {
    vm: o.name,
    policy: out.config.policy,
    scheduler: out.config.scheduler,
    frames: out.config.frames,
    accesses: c.accesses,
    reads: c.reads,
    writes: c.writes,
    hits: c.hits,
    faults: c.faults,
    minor_faults: c.minorFaults,
    major_faults: c.majorFaults,
    fault_rate: c.accesses ? c.faults / c.accesses : 0,
    swap_ins: c.swapIns,
    swap_outs: c.swapOuts,
    evictions: c.evictions,
    stolen: c.stolen,
    resident_end: c.resident,
    resident_peak: c.residentPeak,
    swap_end: c.swapSlots,
    swap_peak: c.swapPeak,
    oom_kills: c.oomKills,
    eat_ns: o.eatNs,
    ...(out.scheduling ? schedulingCells(o, out) : {}),
  };
}

/** Counters beyond the CSV columns, for JSON. */
function details(o: VmOutcome): Record<string, number> {
  const c = o.counters;
  return {
    committed_end: c.committed,
    allocated_pages: c.allocated,
    freed_pages: c.freed,
    resets: c.resets,
    invalid_accesses: c.invalid,
    oom_skipped: c.oomSkipped,
    stole: c.stole,
  };
}

export function simulateResult(out: SimulationOutcome): CommandResult {
  const { config, host } = out;
  const notes: string[] = [];
  for (const s of out.skipped) {
    const { ifetch, other, bad } = s.counts;
    if (bad) notes.push(`${s.file}: skipped ${bad} bad line${bad === 1 ? '' : 's'} (--skip-bad-lines)`);
    if (ifetch) notes.push(`${s.file}: skipped ${ifetch} instruction fetch${ifetch === 1 ? '' : 'es'} (replay them with --ifetch)`);
    if (other) notes.push(`${s.file}: skipped ${other} ${other === 1 ? 'line that is not an access' : 'lines that are not accesses'}`);
  }
  for (const e of out.oomEvents) {
    const why = e.cause === 'no-frame' ? `: scheduler ${config.scheduler} left it no frame it may take` : '';
    notes.push(`out of memory: VM '${e.name}' was OOM-killed at access ${e.position + 1}${why} (${e.framesFreed} frame${e.framesFreed === 1 ? '' : 's'} freed); its later accesses were skipped`);
  }
  for (const v of out.vms) {
    if (v.counters.invalid) notes.push(`VM '${v.name}': ${v.counters.invalid} accesses to never-allocated pages (--strict-alloc), not replayed`);
  }
  const swap = Number.isFinite(config.swapSlots) ? `${config.swapSlots} slots` : 'unlimited';
  return withLevels(withScheduling(withMemory(withTranslation({
    command: 'simulate',
    config: {
      policy: config.policy,
      scheduler: config.scheduler,
      frames: config.frames,
      page_size: config.pageSize,
      memory_bytes: config.frames * config.pageSize,
      swap_slots: config.swapSlots,
      seed: config.seed,
      on_oom: config.onOom,
      strict_alloc: config.strictAlloc,
      ...(out.series && !out.series.adaptive ? { interval: out.series.every } : {}),
      latency_ns: {
        hit: config.latency.hitNs,
        minor: config.latency.minorNs,
        major: config.latency.majorNs,
        swapout: config.latency.swapoutNs,
        walkref: config.latency.walkrefNs,
        vmexit: config.latency.vmexitNs,
      },
    },
    columns: SIMULATE_COLUMNS,
    rows: [...out.vms.map((v) => row(v, out)), row(out.total, out)],
    extra: {
      details: Object.fromEntries([...out.vms, out.total].map((v) => [v.name, details(v)])),
      host: {
        frames: host.frames,
        page_size: host.pageSize,
        frames_in_use_end: host.framesInUseEnd,
        frames_in_use_peak: host.framesInUsePeak,
        frames_in_use_avg: host.framesInUseAvg,
        utilisation: host.utilisation,
        swap_slots: host.swapSlots,
        swap_in_use_end: host.swapInUseEnd,
        swap_in_use_peak: host.swapInUsePeak,
        distinct_pages: host.distinctPages,
      },
      oom_events: out.oomEvents.map((e) => ({ vm: e.name, access: e.position + 1, frames_freed: e.framesFreed, cause: e.cause })),
      skipped: out.skipped.map((s) => ({ file: s.file, ...s.counts })),
      ...(out.scheduling ? { scheduling: schedulingExtra(out) } : {}),
      ...(out.series && !out.series.adaptive ? { intervals: seriesRows(out.series) } : {}),
    },
    summary: [
      `policy ${config.policy}, scheduler ${schedulerLabel(out)}, ${config.frames} frames of ${formatBytes(config.pageSize)} ` +
        `(${formatBytes(config.frames * config.pageSize)}), swap ${swap}`,
      `host: frames in use ${host.framesInUseEnd} at end, ${host.framesInUsePeak} at peak, ` +
        `utilisation ${(host.utilisation * 100).toFixed(1)}%; swap in use ${host.swapInUseEnd} at end, ${host.swapInUsePeak} at peak; ` +
        `${host.distinctPages} distinct pages`,
      ...(out.scheduling ? [schedulingSummary(out)!] : []),
    ],
    notes,
  }, out), out), out), out);
}

/**
 * Column order after eat_ns (SPEC 3.1, new columns only ever at the end): translation, then
 * dedup and huge pages, then scheduling, then the `translation` mode column of a comparison.
 */
function withScheduling(result: CommandResult, out: SimulationOutcome): CommandResult {
  if (!out.scheduling) return result;
  const mode = result.columns.findIndex((c) => c.key === 'translation');
  const at = mode < 0 ? result.columns.length : mode;
  return { ...result, columns: [...result.columns.slice(0, at), ...SCHEDULING_COLUMNS, ...result.columns.slice(at)] };
}
