/**
 * The options of two levels of memory (SPEC 2.7): `memory=` and the guest OS's settings per VM
 * (--vm, --config), their defaults for every VM (--guest-memory, --guest-policy, ...), the
 * reclamation ladder, validated into a TwoLevelConfig.
 */
import type { Command } from 'commander';
import { ConfigError, UsageError } from '../errors.js';
import { DEFAULT_DECOMPRESS_NS, RECLAIM_STEPS, type EngineConfig, type GuestSettings, type ReclaimStep, type TwoLevelConfig } from '../engine/config.js';
import { isPolicyName, POLICY_NAMES } from '../policies/index.js';
import { parseBytes, parseDuration } from '../units.js';

export interface TwoLevelRawOptions {
  guestMemory?: string;
  guestAlloc?: string;
  guestPolicy?: string;
  guestSwap?: string;
  reclaim?: string;
  freePageReporting?: boolean;
  balloonMax?: string;
  compressRatio?: string;
  compressMax?: string;
  latency?: string;
  /** --dedup as given (the share rung needs it) */
  dedup?: string;
}

export const DEFAULT_BALLOON_MAX = 65;
export const DEFAULT_COMPRESS_MAX = 10;
export const DEFAULT_COMPRESS_RATIO = 2;

/** The --vm / scenario VM keys of a guest. */
export const GUEST_VM_KEYS = ['memory', 'guest_policy', 'guest_swap', 'balloon', 'balloon_max', 'compress_ratio', 'compress_max'] as const;

/** Scenario keys -> the option they stand for (scenario.ts's table takes them in). */
export const TWO_LEVEL_SCENARIO_OPTIONS: Record<string, { option: keyof TwoLevelRawOptions; types: ('number' | 'string' | 'boolean')[] }> = {
  guest_policy: { option: 'guestPolicy', types: ['string'] },
  guest_swap: { option: 'guestSwap', types: ['number', 'string'] },
  reclaim: { option: 'reclaim', types: ['string'] },
  free_page_reporting: { option: 'freePageReporting', types: ['boolean'] },
  balloon_max: { option: 'balloonMax', types: ['number', 'string'] },
  compress_ratio: { option: 'compressRatio', types: ['number', 'string'] },
  compress_max: { option: 'compressMax', types: ['number', 'string'] },
};

export function addTwoLevelOptions(cmd: Command): Command {
  return cmd
    .option('--guest-policy <policy>', `two levels: the guests' replacement policy (default lru; per VM guest_policy=)`)
    .option("--guest-swap <size>", "two levels: each guest's swap (default unlimited; per VM guest_swap=)")
    .option(
      '--reclaim <ladder>',
      'two levels: how the host reclaims a frame, a comma list tried in order from share (merge backed guest frames of equal content that ksm has not merged yet; needs --dedup), balloon, compress, swap (default swap)',
    )
    .option('--free-page-reporting', 'two levels: the guest reports the frames it frees (evictions, F, RESET) and the host releases their backing')
    .option('--balloon-max <percent>', `two levels: the most of a guest's frames its balloon may hold (default ${DEFAULT_BALLOON_MAX}%, ESX Mem.CtlMaxPercent; per VM balloon_max=, balloon=0 for no balloon)`)
    .option('--compress-ratio <r>', `two levels: pages per host frame of a compression cache (default ${DEFAULT_COMPRESS_RATIO})`)
    .option('--compress-max <percent>', `two levels: the most of a guest's frames its compression cache may hold (default ${DEFAULT_COMPRESS_MAX}%, ESX Mem.MemZipMaxPct)`);
}

/** A field as scenario.ts holds it. */
interface Field {
  value: unknown;
  origin: string;
}

type Fields = Partial<Record<(typeof GUEST_VM_KEYS)[number], Field>>;

/** The value parsers of scenario.ts (passed in: they name the VM field in their messages). */
export interface FieldParsers {
  number(g: never, key: string): number;
  frames(g: never, key: string, pageSize: number): number;
  text(g: never, key: string): string;
}

function percent(text: string, what: (msg: string) => Error): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  const n = m ? Number(m[1]) : NaN;
  if (!(n >= 0 && n <= 100)) throw what(`'${text}' is not a percentage from 0 to 100 (e.g. 65%)`);
  return n;
}

function ratio(text: string, what: (msg: string) => Error): number {
  const n = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1)) throw what(`'${text}' is not a ratio of at least 1 (pages per frame)`);
  return n;
}

function flag(text: string, what: (msg: string) => Error): boolean {
  const t = text.trim().toLowerCase();
  if (['1', 'on', 'yes', 'true'].includes(t)) return true;
  if (['0', 'off', 'no', 'false'].includes(t)) return false;
  throw what(`'${text}' is not 0 or 1 (on, off)`);
}

/** A VM's guest settings as declared in --vm or a scenario file; undefined when it gives none. */
export function guestFields(f: Fields, pageSize: number, p: FieldParsers): Partial<GuestSettings> | undefined {
  const out: Partial<GuestSettings> = {};
  const err = (g: Field, key: string) => (msg: string) => new ConfigError(`${g.origin}.${key}: ${msg}`);
  const str = (g: Field): string => String(g.value);
  if (f.memory) {
    out.frames = p.frames(f.memory as never, 'memory', pageSize);
    if (out.frames < 1) throw new ConfigError(`${f.memory.origin}.memory: must be at least one page (${pageSize} bytes), got ${JSON.stringify(f.memory.value)}`);
  }
  if (f.guest_policy) {
    const name = p.text(f.guest_policy as never, 'guest_policy');
    if (!isPolicyName(name)) throw new ConfigError(`${f.guest_policy.origin}.guest_policy: unknown policy '${name}' (one of ${POLICY_NAMES.join(', ')})`);
    out.policy = name;
  }
  if (f.guest_swap) out.swapSlots = str(f.guest_swap) === 'unlimited' ? Infinity : p.frames(f.guest_swap as never, 'guest_swap', pageSize);
  if (f.balloon) out.balloon = typeof f.balloon.value === 'boolean' ? f.balloon.value : flag(str(f.balloon), err(f.balloon, 'balloon'));
  if (f.balloon_max) out.balloonMax = percent(str(f.balloon_max), err(f.balloon_max, 'balloon_max'));
  if (f.compress_ratio) out.compressRatio = ratio(str(f.compress_ratio), err(f.compress_ratio, 'compress_ratio'));
  if (f.compress_max) out.compressMax = percent(str(f.compress_max), err(f.compress_max, 'compress_max'));
  return Object.keys(out).length === 0 ? undefined : out;
}

/** `--latency ...,decompress=5us`: the price of a decompression (the rest of the list is parseLatency's). */
export function parseDecompress(latency: string | undefined): number {
  let ns = DEFAULT_DECOMPRESS_NS;
  for (const part of (latency ?? '').split(',')) {
    const [name, value] = part.split('=');
    if ((name ?? '').trim() === 'decompress' && value !== undefined) ns = parseDuration(value, '--latency decompress');
  }
  return ns;
}

function parseLadder(text: string): ReclaimStep[] {
  const steps: ReclaimStep[] = [];
  for (const part of text.split(',').map((s) => s.trim())) {
    if (!(RECLAIM_STEPS as readonly string[]).includes(part)) throw new UsageError(`--reclaim: '${part}' is not one of ${RECLAIM_STEPS.join(', ')}`);
    if (steps.includes(part as ReclaimStep)) throw new UsageError(`--reclaim: '${part}' given twice`);
    steps.push(part as ReclaimStep);
  }
  return steps;
}

/**
 * The two-level configuration, or undefined for one level: two levels are on when --guest-memory
 * is given (without --guest-alloc random, where it keeps its translation meaning) or a VM has memory=.
 */
export function twoLevelConfig(raw: TwoLevelRawOptions, config: EngineConfig): TwoLevelConfig | undefined {
  const legacy = raw.guestAlloc === 'random';
  const perVmMemory = (config.vms ?? []).some((v) => v.guest?.frames !== undefined);
  const on = (raw.guestMemory !== undefined && !legacy) || perVmMemory;
  const given = (['guestPolicy', 'guestSwap', 'reclaim', 'freePageReporting', 'balloonMax', 'compressRatio', 'compressMax'] as const).find((k) => raw[k] !== undefined);
  const vmGiven = (config.vms ?? []).find((v) => v.guest !== undefined);
  if (!on) {
    if (given) throw new UsageError(`--${given.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: applies to two levels of memory only (give --guest-memory SIZE or memory= in a --vm)`);
    if (vmGiven) throw new ConfigError(`${vmGiven.origin}: guest settings apply to two levels of memory only (give it memory=SIZE, or --guest-memory)`);
    return undefined;
  }
  let frames = Infinity;
  if (raw.guestMemory !== undefined && !legacy) {
    frames = Math.floor(parseBytes(raw.guestMemory, '--guest-memory') / config.pageSize);
    if (frames < 1) throw new UsageError(`--guest-memory: ${raw.guestMemory} holds no page of ${config.pageSize} bytes`);
  }
  const usage = (what: string) => (msg: string) => new UsageError(`${what}: ${msg}`);
  const policy = raw.guestPolicy ?? 'lru';
  if (!isPolicyName(policy)) throw new UsageError(`--guest-policy: unknown policy '${policy}' (one of ${POLICY_NAMES.join(', ')})`);
  const swapSlots = raw.guestSwap === undefined || raw.guestSwap === 'unlimited' ? Infinity : Math.floor(parseBytes(raw.guestSwap, '--guest-swap') / config.pageSize);
  const defaults: GuestSettings = {
    frames,
    policy,
    swapSlots,
    balloon: true,
    balloonMax: raw.balloonMax === undefined ? DEFAULT_BALLOON_MAX : percent(raw.balloonMax, usage('--balloon-max')),
    compressRatio: raw.compressRatio === undefined ? DEFAULT_COMPRESS_RATIO : ratio(raw.compressRatio, usage('--compress-ratio')),
    compressMax: raw.compressMax === undefined ? DEFAULT_COMPRESS_MAX : percent(raw.compressMax, usage('--compress-max')),
  };
  const perVm = new Map<string, GuestSettings>();
  for (const v of config.vms ?? []) if (v.guest !== undefined) perVm.set(v.name, { ...defaults, ...v.guest });
  const reclaim = raw.reclaim === undefined ? (['swap'] as ReclaimStep[]) : parseLadder(raw.reclaim);
  // An explicit --dedup off accepts the rung (it frees nothing), so that a loop over the modes may
  // pass one ladder to each run, as --dedup off accepts --ksm-pages.
  if (reclaim.includes('share') && raw.dedup === undefined) {
    throw new UsageError('--reclaim: share merges identical guest frames, which needs content sharing at the host: give --dedup ideal or --dedup ksm');
  }
  return {
    defaults,
    perVm,
    reclaim,
    freePageReporting: raw.freePageReporting === true,
    decompressNs: parseDecompress(raw.latency),
  };
}
