/**
 * The translation part of `simulate`'s result (SPEC 2.3, 3.1): the columns
 * `tlb_hits,tlb_misses,walk_refs,remaps,shadow_updates` after the others, one row set per mode
 * (with a `translation` column when several modes are compared), eat_ns including the cost of
 * translation, and the details in JSON `translation`.
 */
import type { SimulationOutcome } from '../run/simulate.js';
import type { TranslationModeOutcome, TranslationVmOutcome } from '../translation/outcome.js';
import { formatBytes } from '../units.js';
import type { Column, CommandResult, Row } from './result.js';

export const TRANSLATION_COLUMNS: Column[] = [
  { key: 'tlb_hits', heading: 'TLB hits' },
  { key: 'tlb_misses', heading: 'TLB miss' },
  { key: 'walk_refs', heading: 'walk refs' },
  { key: 'remaps', heading: 'remaps' },
  { key: 'shadow_updates', heading: 'shadow upd' },
];

/** Only when several modes are compared in one run: which mode a row belongs to. */
export const MODE_COLUMN: Column = { key: 'translation', heading: 'translation', kind: 'text' };

function cells(t: TranslationVmOutcome, mode: string): Row {
  return {
    eat_ns: t.eatNs,
    tlb_hits: t.counters.tlbHits,
    tlb_misses: t.counters.tlbMisses,
    walk_refs: t.walkRefs,
    remaps: t.counters.remaps,
    shadow_updates: t.shadowUpdates,
    translation: mode,
  };
}

function vmDetails(t: TranslationVmOutcome, accesses: number): Record<string, number> {
  const c = t.counters;
  return {
    walk_refs: t.walkRefs,
    walk_refs_per_access: accesses ? t.walkRefs / accesses : 0,
    tlb_miss_rate: accesses ? c.tlbMisses / accesses : 0,
    shadow_updates: t.shadowUpdates,
    translation_ns: t.translationNs,
    translation_ns_per_access: accesses ? t.translationNs / accesses : 0,
    translation_share: t.translationShare,
    eat_ns: t.eatNs,
    new_mappings: c.newMappings,
    unmaps: c.unmaps,
    eviction_unmaps: c.evictionUnmaps,
    guest_unmaps: c.guestUnmaps,
    host_maps: c.hostMaps,
    release_unmaps: c.releaseUnmaps,
    remaps: c.remaps,
    tlb_invalidations: c.tlbInvalidations,
    tlb_flushes: c.tlbFlushes,
  };
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** Adds the translation columns, row sets, JSON details and summary lines to simulate's result. */
export function withTranslation(result: CommandResult, out: SimulationOutcome): CommandResult {
  const t = out.translation;
  if (t === undefined) return result;
  const cfg = t.config;
  const compare = t.modes.length > 1;
  const names = [...out.vms.map((v) => v.name), 'TOTAL'];
  const accesses = [...out.vms.map((v) => v.counters.accesses), out.total.counters.accesses];
  const pick = (m: TranslationModeOutcome, i: number): TranslationVmOutcome => (i < m.vms.length ? m.vms[i]! : m.total);
  const rows = t.modes.flatMap((m) => result.rows.map((row, i) => ({ ...row, ...cells(pick(m, i), m.mode) })));
  const ways = cfg.tlbWays === cfg.tlbEntries ? 'fully associative' : `${cfg.tlbWays}-way, ${cfg.tlbEntries / cfg.tlbWays} sets`;
  const latency = out.config.latency;
  const summary = [
    `translation: guest ${cfg.guestLevels} levels with ${formatBytes(cfg.guestPageSize)} pages, host ${cfg.hostLevels} levels with ` +
      `${formatBytes(cfg.hostPageSize)} pages; TLB ${cfg.tlbEntries} entries per VM (${ways}, LRU), reach ${formatBytes(t.tlbReachBytes)}; ` +
      `guest-physical allocation ${cfg.guestAlloc}`,
    ...t.modes.map((m) => {
      const total = m.total;
      const acc = out.total.counters.accesses;
      return (
        `${m.mode}: ${m.refsPerMiss} memory references per TLB miss, ${(acc ? total.walkRefs / acc : 0).toFixed(3)} per access; ` +
        `translation ${percent(total.translationShare)} of the effective access time` +
        (m.mode === 'shadow' && latency.vmexitNs === 0 && total.shadowUpdates > 0
          ? ` (${total.shadowUpdates} shadow updates counted, not priced: --latency vmexit=...)`
          : '')
      );
    }),
  ];
  return {
    ...result,
    columns: [...result.columns, ...TRANSLATION_COLUMNS, ...(compare ? [MODE_COLUMN] : [])],
    rows,
    extra: {
      ...result.extra,
      translation: {
        modes: t.modes.map((m) => m.mode),
        guest_levels: cfg.guestLevels,
        host_levels: cfg.hostLevels,
        guest_page_size: cfg.guestPageSize,
        host_page_size: cfg.hostPageSize,
        guest_depth: t.guestDepth,
        host_depth: t.hostDepth,
        shadow_depth: t.shadowDepth,
        tlb_entries: cfg.tlbEntries,
        tlb_ways: cfg.tlbWays,
        tlb_sets: cfg.tlbEntries / cfg.tlbWays,
        tlb_reach_bytes: t.tlbReachBytes,
        guest_alloc: cfg.guestAlloc,
        guest_memory_pages: cfg.guestAlloc === 'random' ? cfg.guestPhysicalPages : null,
        latency_ns: { walkref: latency.walkrefNs, vmexit: latency.vmexitNs },
        per_mode: t.modes.map((m) => ({
          mode: m.mode,
          refs_per_miss: m.refsPerMiss,
          vms: Object.fromEntries(names.map((name, i) => [name, vmDetails(pick(m, i), accesses[i]!)])),
        })),
        guest_layout: Object.fromEntries(
          t.layouts.map((l, i) => [
            names[i]!,
            {
              mapped_pages: l.mappedPages,
              span_pages: l.span,
              regions_2mib: l.regions2MiB,
              pages_per_region: l.pagesPerRegion,
              // 1 when the mapped pages fill their 2 MiB regions; low when allocation scattered them
              region_fill: l.regions2MiB ? l.mappedPages / (l.regions2MiB * l.pagesPerRegion) : 0,
            },
          ]),
        ),
      },
    },
    summary: [...(result.summary ?? []), ...summary],
  };
}
