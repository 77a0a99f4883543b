/**
 * The memory-model part of `simulate`'s result (SPEC 2.6, 3.1): with --dedup the columns
 * `pages_shared,pages_sharing,cow_faults`, with a huge --host-page `huge_pages,huge_fallbacks,
 * compaction_moves`, after the others (before the `translation` mode column when several modes
 * are compared); the details in JSON `memory`.
 */
import type { SimulationOutcome } from '../run/simulate.js';
import type { MemoryVmOutcome } from '../memory/outcome.js';
import { formatBytes } from '../units.js';
import type { Column, CommandResult, Row } from './result.js';

export const DEDUP_COLUMNS: Column[] = [
  { key: 'pages_shared', heading: 'shared' },
  { key: 'pages_sharing', heading: 'sharing' },
  { key: 'cow_faults', heading: 'COW' },
];

export const HUGE_COLUMNS: Column[] = [
  { key: 'huge_pages', heading: 'huge pg' },
  { key: 'huge_fallbacks', heading: 'fallback' },
  { key: 'compaction_moves', heading: 'moved' },
];

function cells(m: MemoryVmOutcome): Row {
  return {
    pages_shared: m.pagesShared,
    pages_sharing: m.pagesSharing,
    cow_faults: m.counters.cowFaults,
    huge_pages: m.hugePages,
    huge_fallbacks: m.counters.hugeFallbacks,
    compaction_moves: m.counters.compactionMoves,
  };
}

function details(m: MemoryVmOutcome): Record<string, number> {
  const c = m.counters;
  return {
    pages_shared: m.pagesShared,
    pages_sharing: m.pagesSharing,
    saved_bytes: m.savedBytes,
    cow_faults: c.cowFaults,
    merges: c.merges,
    huge_pages: m.hugePages,
    huge_coverage: m.hugeCoverage,
    huge_allocations: c.hugeAllocations,
    huge_fallbacks: c.hugeFallbacks,
    huge_splits: c.hugeSplits,
    compaction_moves: c.compactionMoves,
  };
}

export function withMemory(result: CommandResult, out: SimulationOutcome): CommandResult {
  const m = out.memory;
  if (m === undefined) return result;
  const cfg = m.config;
  const dedup = cfg.dedup !== 'off';
  const huge = cfg.hugeOrder > 0;
  const all = [...m.vms, m.total];
  const perSet = all.length;
  const rows = result.rows.map((row, i) => ({ ...row, ...pick(cells(all[i % perSet]!), dedup, huge) }));
  const modeColumn = result.columns.find((c) => c.key === 'translation');
  const columns = [
    ...result.columns.filter((c) => c !== modeColumn),
    ...(dedup ? DEDUP_COLUMNS : []),
    ...(huge ? HUGE_COLUMNS : []),
    ...(modeColumn ? [modeColumn] : []),
  ];
  const percent = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const summary: string[] = [];
  if (dedup) {
    summary.push(
      `dedup ${cfg.dedup}${cfg.dedup === 'ksm' ? ` (${cfg.ksmPages} pages every ${cfg.ksmInterval} accesses; ${m.ksmPagesScanned} pages scanned, ${m.ksmFullScans} full scans)` : ''}: ` +
        `${m.total.pagesShared} frames shared by ${m.total.pagesShared + m.total.pagesSharing} pages, ${m.total.pagesSharing} frames saved ` +
        `(${formatBytes(m.total.savedBytes)}, ${percent(m.savedFraction)}); ${m.total.counters.cowFaults} copy-on-write faults`,
    );
  }
  const unusable = m.unusableIndex2MiB === null ? 'n/a' : m.unusableIndex2MiB.toFixed(3);
  summary.push(
    `buddy allocator: ${m.freeFrames} frames free in ${m.freeBlocks.reduce((a, b) => a + b, 0)} blocks; unusable free space index for 2 MiB ${unusable}` +
      (huge
        ? `; ${formatBytes(cfg.hostPageSize)} host pages: ${m.total.counters.hugeAllocations} backed, ${m.total.counters.hugeFallbacks} fallbacks, ` +
          `${m.total.counters.hugeSplits} split, coverage ${percent(m.total.hugeCoverage)} of resident pages` +
          (cfg.compaction ? `; compaction ${m.compactions} runs moved ${m.compactionFrames} frames (${m.compactionFailures} gave up)` : '')
        : ''),
  );
  return {
    ...result,
    columns,
    rows,
    extra: {
      ...result.extra,
      memory: {
        dedup: cfg.dedup,
        ksm_pages: cfg.ksmPages,
        ksm_interval: cfg.ksmInterval,
        host_page_size: cfg.hostPageSize,
        huge_order: cfg.hugeOrder,
        compaction: cfg.compaction,
        pages_shared: m.total.pagesShared,
        pages_sharing: m.total.pagesSharing,
        saved_bytes: m.total.savedBytes,
        saved_fraction: m.savedFraction,
        ksm_pages_scanned: m.ksmPagesScanned,
        ksm_full_scans: m.ksmFullScans,
        frames_in_use: m.framesInUse,
        free_frames: m.freeFrames,
        free_blocks_per_order: m.freeBlocks,
        order_2mib: m.order2MiB,
        unusable_free_space_index_2mib: m.unusableIndex2MiB,
        compactions: m.compactions,
        compaction_frames: m.compactionFrames,
        compaction_failures: m.compactionFailures,
        vms: Object.fromEntries(all.map((v) => [v.name, details(v)])),
      },
    },
    summary: [...(result.summary ?? []), ...summary],
  };
}

function pick(row: Row, dedup: boolean, huge: boolean): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if ((dedup && DEDUP_COLUMNS.some((c) => c.key === k)) || (huge && HUGE_COLUMNS.some((c) => c.key === k))) out[k] = v;
  }
  return out;
}
