/**
 * The host-memory options of `simulate` (SPEC 2.6): page sharing, the buddy allocator's huge
 * pages and compaction, validated into a MemoryConfig. `--host-page` itself is declared with
 * the translation options (it sets both the backing and the walk depth).
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { EngineConfig } from '../engine/config.js';
import { DEDUP_MODES, DEFAULT_KSM_INTERVAL, DEFAULT_KSM_PAGES, type DedupMode, type MemoryConfig } from '../memory/config.js';
import { STAGE_PAGE_SIZES } from '../translation/walk.js';
import { formatBytes, parseBytes, parseCount } from '../units.js';

export interface MemoryRawOptions {
  dedup?: string;
  ksmPages?: string;
  ksmInterval?: string;
  compaction?: boolean;
  hostPage?: string;
}

export function addMemoryOptions(cmd: Command): Command {
  return cmd
    .option(
      '--dedup <mode>',
      'content-based page sharing (needs content tokens in the trace, else only never-written pages share): ' +
        'off (default), ideal (identical pages merged at once), ksm (a scanner merges them, as Linux KSM); ' +
        'with two levels the host shares guest frames by the content of the pages in them, whatever --reclaim says',
    )
    .option('--ksm-pages <n>', `pages the ksm scanner visits per wake-up (default ${DEFAULT_KSM_PAGES}, Linux's pages_to_scan)`)
    .option(
      '--ksm-interval <n>',
      `accesses between ksm wake-ups (default ${DEFAULT_KSM_INTERVAL}: Linux's 20 ms taken as 20000 accesses, one per microsecond; two levels: guest accesses)`,
    )
    .option('--compaction', 'when no free block can back a huge host page, move pages out of the cheapest aligned range (each move a remap)');
}

/** The memory-model configuration, or undefined for the core engine's frames. */
export function memoryConfig(raw: MemoryRawOptions, engine: EngineConfig): MemoryConfig | undefined {
  const dedup = (raw.dedup ?? 'off') as DedupMode;
  if (!DEDUP_MODES.includes(dedup)) throw new UsageError(`--dedup: '${raw.dedup}' is not off, ideal or ksm`);
  // Options that would have no effect are refused (as --idle-tax without --scheduler weight).
  // An explicit --dedup of any mode accepts them: a loop over --dedup off|ideal|ksm passes them all.
  if (raw.dedup === undefined && raw.ksmPages !== undefined) throw new UsageError('--ksm-pages: applies with --dedup ksm only');
  if (raw.dedup === undefined && raw.ksmInterval !== undefined) throw new UsageError('--ksm-interval: applies with --dedup ksm only');
  if (raw.compaction === true && raw.hostPage === undefined) throw new UsageError('--compaction: applies with --host-page only');
  const ksmPages = raw.ksmPages === undefined ? DEFAULT_KSM_PAGES : parseCount(raw.ksmPages, '--ksm-pages', 1);
  const ksmInterval = raw.ksmInterval === undefined ? DEFAULT_KSM_INTERVAL : parseCount(raw.ksmInterval, '--ksm-interval', 1);
  let hostPageSize = 0;
  let hugeOrder = 0;
  if (raw.hostPage !== undefined) {
    hostPageSize = parseBytes(raw.hostPage, '--host-page');
    if (!(STAGE_PAGE_SIZES as readonly number[]).includes(hostPageSize)) throw new UsageError(`--host-page: '${raw.hostPage}' is not 4KiB, 2MiB or 1GiB`);
    if (hostPageSize < engine.pageSize) {
      throw new UsageError(`--host-page: ${formatBytes(hostPageSize)} is smaller than the engine's --page-size ${formatBytes(engine.pageSize)}`);
    }
    hugeOrder = Math.log2(hostPageSize / engine.pageSize);
  }
  if (dedup === 'off' && raw.hostPage === undefined && raw.compaction !== true) return undefined;
  return { dedup, ksmPages, ksmInterval, hugeOrder, hostPageSize: hostPageSize || engine.pageSize, compaction: raw.compaction === true };
}
