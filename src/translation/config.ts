/**
 * The translation model's settings, already validated (the CLI builds them).
 */
import type { TranslationMode } from './walk.js';

/** How a guest hands out guest-physical pages on first touch. */
export const GUEST_ALLOCS = ['seq', 'random'] as const;
export type GuestAlloc = (typeof GUEST_ALLOCS)[number];

export interface TranslationConfig {
  /** one or more modes, all measured over the same replay (the paging does not depend on them) */
  modes: TranslationMode[];
  /** TLB entries per VM */
  tlbEntries: number;
  /** ways per set; tlbEntries (fully associative) by default */
  tlbWays: number;
  /** levels of the guest's and the host's page tables (x86-64: 4, or 5 with LA57) */
  guestLevels: number;
  hostLevels: number;
  /** leaf page size of each stage in bytes: 4 KiB, 2 MiB or 1 GiB (only the walk depth changes) */
  guestPageSize: number;
  hostPageSize: number;
  guestAlloc: GuestAlloc;
  /** guest-physical pages per VM for `random` (the space doubles when a VM fills it) */
  guestPhysicalPages: number;
}

export const DEFAULT_TLB_ENTRIES = 64;
export const DEFAULT_LEVELS = 4;
