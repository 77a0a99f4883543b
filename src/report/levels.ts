/**
 * The two-level part of `simulate`'s result (SPEC 2.7, 3.1): the columns
 * `guest_frames,host_faults,...,double_paging,false_reads` after all the others, and the JSON
 * member `levels` (guest settings and host figures per VM, the ladder, what each pathology
 * counter means). Present only with two levels of memory.
 */
import type { SimulationOutcome } from '../run/simulate.js';
import type { VmLevels } from '../engine/two-level.js';
import type { Column, CommandResult, Row } from './result.js';

export const LEVEL_COLUMNS: Column[] = [
  { key: 'guest_frames', heading: 'G' },
  { key: 'host_faults', heading: 'host flt' },
  { key: 'host_minor_faults', heading: 'h minor' },
  { key: 'host_major_faults', heading: 'h major' },
  { key: 'host_swap_ins', heading: 'h swap in' },
  { key: 'host_swap_outs', heading: 'h swap out' },
  { key: 'backed_end', heading: 'backed' },
  { key: 'backed_peak', heading: 'b peak' },
  { key: 'balloon_end', heading: 'balloon' },
  { key: 'balloon_peak' },
  { key: 'compressed_end', heading: 'zipped' },
  { key: 'double_paging', heading: 'dbl paging' },
  { key: 'false_reads', heading: 'false rd' },
];

/** One line each, for JSON readers (Amit, Tsafrir and Schuster, ASPLOS 2014, name the first two). */
export const PATHOLOGIES = {
  double_paging: 'host swap-ins caused by a guest swap-out reading a guest frame the host had swapped out (the page goes disk -> memory -> disk)',
  false_reads: 'host swap-ins caused by a guest fault loading a page into a guest frame the host had swapped out (read only to be overwritten whole)',
  freed_swap_outs: 'host swap-outs of guest frames the guest had freed (no page in them); --free-page-reporting removes these',
};

function cells(l: VmLevels): Row {
  return {
    guest_frames: Number.isFinite(l.guestFrames) ? l.guestFrames : null,
    host_faults: l.hostFaults,
    host_minor_faults: l.hostMinorFaults,
    host_major_faults: l.hostMajorFaults,
    host_swap_ins: l.hostSwapIns,
    host_swap_outs: l.hostSwapOuts,
    backed_end: l.backedEnd,
    backed_peak: l.backedPeak,
    balloon_end: l.balloonEnd,
    balloon_peak: l.balloonPeak,
    compressed_end: l.compressedEnd,
    double_paging: l.doublePaging,
    false_reads: l.falseReads,
  };
}

/** `sharing`: --dedup at the host (its share rung's count joins the others) */
function details(l: VmLevels, sharing: boolean): Record<string, number | null> {
  return {
    ...cells(l),
    host_hits: l.hostHits,
    host_touches: l.hostTouches,
    host_swap_end: l.hostSwapEnd,
    guest_swap_end: l.guestSwapEnd,
    balloon_inflations: l.balloonInflations,
    balloon_deflations: l.balloonDeflations,
    compressed_peak: l.compressedPeak,
    compressions: l.compressions,
    decompressions: l.decompressions,
    compression_cache_frames_end: l.cacheFramesEnd,
    freed_swap_outs: l.freedSwapOuts,
    ...(sharing ? { share_reclaims: l.shareReclaims } : {}),
  };
}

export function withLevels(result: CommandResult, out: SimulationOutcome): CommandResult {
  const levels = out.levels;
  if (!levels) return result;
  const all = [...levels.vms, levels.total];
  const sharing = out.memory !== undefined && out.memory.config.dedup !== 'off';
  const rows = result.rows.map((r, i) => {
    const row: Row = { ...r, ...cells(all[i]!) };
    // with two levels a VM holds host frames through its backed guest frames
    if ('resident_share' in r && r.resident_share !== null) {
      const entitled = i < out.vms.length ? out.vms[i]!.entitlement : out.vms.reduce((s, v) => s + (v.entitlement ?? 0), 0);
      row.resident_share = entitled ? all[i]!.backedEnd / entitled : null;
    }
    return row;
  });
  const guests = Object.fromEntries(
    out.vms.map((v, i) => {
      const g = levels.guests[i]!;
      return [
        v.name,
        {
          guest_frames: Number.isFinite(g.frames) ? g.frames : null,
          guest_policy: g.policy,
          guest_swap_slots: Number.isFinite(g.swapSlots) ? g.swapSlots : null,
          balloon: g.balloon,
          balloon_max_percent: g.balloonMax,
          compress_ratio: g.compressRatio,
          compress_max_percent: g.compressMax,
          ...details(levels.vms[i]!, sharing),
        },
      ];
    }),
  );
  return {
    ...result,
    config: { ...result.config, reclaim: levels.reclaim.join(','), free_page_reporting: levels.freePageReporting },
    columns: [...result.columns, ...LEVEL_COLUMNS],
    rows,
    extra: {
      ...result.extra,
      levels: { explanations: PATHOLOGIES, vms: guests, total: details(levels.total, sharing) },
    },
    summary: [
      ...(result.summary ?? []),
      `two levels: reclaim ${levels.reclaim.join(',')}${levels.freePageReporting ? ', free page reporting' : ''}; ` +
        `double paging ${levels.total.doublePaging}, false reads ${levels.total.falseReads}, swap-outs of freed frames ${levels.total.freedSwapOuts}`,
    ],
  };
}
