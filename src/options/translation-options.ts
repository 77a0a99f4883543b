/**
 * The address-translation options of `simulate` (SPEC 2.3) and their validation into a
 * TranslationConfig. Kept apart from options.ts: only commands that replay one configuration
 * take them.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { EngineConfig } from '../engine/config.js';
import { DEFAULT_LEVELS, DEFAULT_TLB_ENTRIES, GUEST_ALLOCS, type GuestAlloc, type TranslationConfig } from '../translation/config.js';
import { STAGE_PAGE_SIZES, TRANSLATION_MODES, type TranslationMode } from '../translation/walk.js';
import { formatBytes, parseBytes, parseCount } from '../units.js';

export interface TranslationRawOptions {
  translation?: string;
  tlb?: string;
  tlbWays?: string;
  levels?: string;
  guestLevels?: string;
  hostLevels?: string;
  guestPage?: string;
  hostPage?: string;
  guestAlloc?: string;
  guestMemory?: string;
}

const MAX_TLB = 2 ** 20;

export function addTranslationOptions(cmd: Command): Command {
  return cmd
    .option(
      '--translation <mode>',
      'address translation: none (default), nested (EPT/NPT two-dimensional walk), shadow (shadow page ' +
        'tables), or nested,shadow to compare both in one run (one row set each)',
    )
    .option('--tlb <n>', `TLB entries per VM (default ${DEFAULT_TLB_ENTRIES}), LRU`)
    .option('--tlb-ways <w>', 'TLB ways per set (default: fully associative); sets = entries / ways, indexed by page number mod sets')
    .option('--levels <n>', `page-table levels of both stages: 3, 4 or 5 (default ${DEFAULT_LEVELS})`)
    .option('--guest-levels <n>', 'levels of the guest page table (overrides --levels)')
    .option('--host-levels <n>', 'levels of the host page table (overrides --levels)')
    .option('--guest-page <size>', 'guest leaf page: 4KiB, 2MiB (one level fewer) or 1GiB (two fewer); default from --page-size')
    .option(
      '--host-page <size>',
      'host leaf page: 4KiB, 2MiB or 1GiB. Frames then come from a buddy allocator that backs each aligned guest region ' +
        'of that size with one block when a free one exists (else single frames: a fallback); walks of pages in such a block ' +
        'are one host level shorter (two for 1GiB)',
    )
    .option('--guest-alloc <how>', 'guest-physical pages on first touch: seq (lowest free, default) or random (uniform, seeded by --seed)')
    .option('--guest-memory <size>', 'guest memory per VM: two levels of memory (SPEC 2.7, docs/two-levels.md); with --guest-alloc random, only the guest-physical size of the translation model (default: host memory)');
}

function parseModes(text: string): TranslationMode[] | undefined {
  const names = text.split(',').map((s) => s.trim());
  if (names.length === 1 && names[0] === 'none') return undefined;
  const modes: TranslationMode[] = [];
  for (const n of names) {
    if (!(TRANSLATION_MODES as readonly string[]).includes(n)) {
      throw new UsageError(`--translation: '${n}' is not none, nested or shadow${n === 'none' ? ' (none cannot be in a list)' : ''}`);
    }
    if (modes.includes(n as TranslationMode)) throw new UsageError(`--translation: '${n}' given twice`);
    modes.push(n as TranslationMode);
  }
  return modes;
}

function parseLevels(text: string | undefined, fallback: number, what: string): number {
  if (text === undefined) return fallback;
  const n = parseCount(text, what, 1);
  if (n < 3 || n > 5) throw new UsageError(`${what}: page tables have 3, 4 or 5 levels, got '${text}'`);
  return n;
}

/** The default leaf of a stage: the largest x86 page size not above the engine's page size (at least 4 KiB). */
function defaultStagePage(pageSize: number): number {
  let best: number = STAGE_PAGE_SIZES[0];
  for (const s of STAGE_PAGE_SIZES) if (s <= pageSize) best = s;
  return best;
}

function parseStagePage(text: string | undefined, pageSize: number, what: string): number {
  if (text === undefined) return defaultStagePage(pageSize);
  const size = parseBytes(text, what);
  if (!(STAGE_PAGE_SIZES as readonly number[]).includes(size)) {
    throw new UsageError(`${what}: '${text}' is not 4KiB, 2MiB or 1GiB`);
  }
  if (size < pageSize) {
    throw new UsageError(`${what}: ${formatBytes(size)} is smaller than the engine's --page-size ${formatBytes(pageSize)}`);
  }
  return size;
}

/** The options that only mean something with translation on, by their flags. */
const TRANSLATION_ONLY: [keyof TranslationRawOptions, string][] = [
  ['tlb', '--tlb'],
  ['tlbWays', '--tlb-ways'],
  ['levels', '--levels'],
  ['guestLevels', '--guest-levels'],
  ['hostLevels', '--host-levels'],
  ['guestPage', '--guest-page'],
  ['guestAlloc', '--guest-alloc'],
];

/**
 * The translation configuration, or undefined for none. Without --translation its options
 * would have no effect: they are refused. With an explicit `--translation none` they are
 * checked and accepted, so that a loop over `--translation none|nested|shadow` may pass them all.
 */
export function translationConfig(raw: TranslationRawOptions, engine: EngineConfig): TranslationConfig | undefined {
  if (raw.translation === undefined) {
    for (const [key, flag] of TRANSLATION_ONLY) if (raw[key] !== undefined) throw new UsageError(`${flag}: applies with --translation only`);
  }
  const modes = raw.translation === undefined ? undefined : parseModes(raw.translation);
  const tlbEntries = raw.tlb === undefined ? DEFAULT_TLB_ENTRIES : parseCount(raw.tlb, '--tlb', 1, MAX_TLB);
  const tlbWays = raw.tlbWays === undefined ? tlbEntries : parseCount(raw.tlbWays, '--tlb-ways', 1);
  if (tlbWays > tlbEntries || tlbEntries % tlbWays !== 0) {
    throw new UsageError(`--tlb-ways: ${tlbWays} ways do not divide ${tlbEntries} entries into whole sets`);
  }
  const levels = parseLevels(raw.levels, DEFAULT_LEVELS, '--levels');
  const guestAlloc = (raw.guestAlloc ?? 'seq') as GuestAlloc;
  if (!GUEST_ALLOCS.includes(guestAlloc)) throw new UsageError(`--guest-alloc: '${raw.guestAlloc}' is not seq or random`);
  let guestPhysicalPages = engine.frames;
  // Without --guest-alloc random, --guest-memory turns on two levels of memory (two-level-options.ts).
  if (raw.guestMemory !== undefined && guestAlloc === 'random') {
    guestPhysicalPages = Math.floor(parseBytes(raw.guestMemory, '--guest-memory') / engine.pageSize);
    if (guestPhysicalPages < 1) throw new UsageError(`--guest-memory: ${raw.guestMemory} holds no page of ${engine.pageSize} bytes`);
    if (guestPhysicalPages > 2 ** 31 - 1) throw new UsageError(`--guest-memory: at most 2^31 - 1 pages, got ${raw.guestMemory}`);
  }
  const config = {
    modes: modes ?? [],
    tlbEntries,
    tlbWays,
    guestLevels: parseLevels(raw.guestLevels, levels, '--guest-levels'),
    hostLevels: parseLevels(raw.hostLevels, levels, '--host-levels'),
    guestPageSize: parseStagePage(raw.guestPage, engine.pageSize, '--guest-page'),
    hostPageSize: parseStagePage(raw.hostPage, engine.pageSize, '--host-page'),
    guestAlloc,
    guestPhysicalPages,
  };
  return modes === undefined ? undefined : config;
}
