/**
 * Settings of the host-memory model (content-based sharing, the buddy frame allocator, host huge
 * pages), already validated (the CLI builds them). Absent from EngineConfig = the core engine.
 */

export const DEDUP_MODES = ['off', 'ideal', 'ksm'] as const;
export type DedupMode = (typeof DEDUP_MODES)[number];

/** Linux KSM's defaults: pages_to_scan = 100 every sleep_millisecs = 20. */
export const DEFAULT_KSM_PAGES = 100;
/**
 * 20 ms of guest time as trace accesses: one access per microsecond (a page-granular trace
 * keeps far fewer references than the CPU makes). An assumption: set --ksm-interval to taste.
 */
export const DEFAULT_KSM_INTERVAL = 20000;

export interface MemoryConfig {
  dedup: DedupMode;
  /** pages the KSM scanner visits per wake-up */
  ksmPages: number;
  /** accesses between wake-ups */
  ksmInterval: number;
  /**
   * log2 of the host leaf page in engine pages: 0 = every page in its own frame; 9 = 2 MiB
   * regions of 4 KiB pages backed by 512-frame blocks
   */
  hugeOrder: number;
  /** the host leaf page in bytes (for reports) */
  hostPageSize: number;
  /** compact memory when no free block can back a huge region */
  compaction: boolean;
}
