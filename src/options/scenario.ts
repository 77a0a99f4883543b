/**
 * VM definitions and scenario files (SPEC 1.2): `--vm name=web,trace=web.csv,priority=3,...`
 * and `--config scenario.json`, turned into validated engine settings. Every mistake is a
 * ConfigError (exit 64) whose message names the field: `scenario.json: vms[1].reserve: ...`,
 * `--vm[0].weight: ...`.
 */
import type { MemoryRawOptions } from './memory-options.js';
import { GUEST_VM_KEYS, guestFields, TWO_LEVEL_SCENARIO_OPTIONS, type TwoLevelRawOptions } from './two-level-options.js';
import type { TranslationRawOptions } from './translation-options.js';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ConfigError, InputError, UsageError } from '../errors.js';
import type { EngineConfig, VmSpec } from '../engine/config.js';
import { isSchedulerName, SCHEDULER_NAMES, schedulers, type SchedulerName } from '../schedulers/index.js';
import type { IdleTaxOptions } from '../schedulers/scheduler.js';
import { DEFAULT_REBALANCE } from '../schedulers/balance.js';
import { vmNameFromPath } from '../trace/source.js';
import { parseBytes, parseCount } from '../units.js';
import { policiesUsing, repeatable, type RawOptions } from './options.js';
import { didYouMean } from './suggest.js';

export const DEFAULT_ACTIVE_WINDOW = 10000;

/** The raw scheduling options of `simulate`. */
export interface SchedulingRawOptions {
  scheduler?: string;
  vm?: string[];
  config?: string;
  idleTax?: string;
  activeWindow?: string;
  samplePages?: string;
  rebalance?: string;
  interval?: string;
  intervalOut?: string;
  plot?: boolean;
}

export function addSchedulingOptions(cmd: Command): Command {
  return cmd
    .option(
      '--scheduler <name>',
      `which VM gives up a frame when memory is full (default global)\n${SCHEDULER_NAMES.map((n) => `  ${n.padEnd(9)} ${schedulers[n].summary}`).join('\n')}`,
    )
    .addOption(
      repeatable(new Option(
        '--vm <spec>',
        'declare a VM (repeatable): name=NAME,trace=FILE,priority=P,weight=W,reserve=SIZE,limit=SIZE; ' +
          'SIZE is a number of frames, or bytes with a unit (64MiB); limit also "unlimited"',
      ).argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value])),
    )
    .option('--config <file>', 'scenario file (JSON): the VMs and any engine option; command-line options override it')
    .option('--idle-tax <rate>', 'weight: ESX idle memory tax rate T, 0 <= T < 1 (idle pages cost 1/(1-T) times as much)')
    .option('--active-window <n>', `weight --idle-tax: measure the active fraction over each VM's last N accesses (default ${DEFAULT_ACTIVE_WINDOW})`)
    .option('--sample-pages <n>', 'weight --idle-tax: estimate the active fraction ESX-style from N random pages per window (seeded by --seed)')
    .option('--rebalance <n>', `balance: new targets from the last N accesses' LRU curves every N accesses (default ${DEFAULT_REBALANCE})`)
    .option(
      '--interval <n>',
      'time series: a sample every N accesses (t,vm,faults,swap_ins,swap_outs,resident; with --dedup also pages_shared,pages_sharing,cow_faults; with a huge --host-page huge_pages,huge_fallbacks,compaction_moves,unusable_index_2mib)',
    )
    .option('--interval-out <file>', 'write the --interval series to FILE (CSV, or JSON when FILE ends in .json)')
    .option('--plot', 'plot frames per VM over time even when standard output is not a terminal');
}

// ---------------------------------------------------------------------------------------------
// values

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function describe(value: Json): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/** A VM field as given: a string (--vm) or a JSON value (scenario file), with where it came from. */
interface Given {
  value: Json;
  /** `scenario.json: vms[1]` or `--vm[0]` */
  origin: string;
}

const VM_KEYS = ['name', 'trace', 'priority', 'weight', 'reserve', 'limit', ...GUEST_VM_KEYS] as const;
type VmKey = (typeof VM_KEYS)[number];

/** One VM's fields before validation (a later declaration of the same name overrides fields). */
interface VmDraft {
  origin: string;
  fields: Partial<Record<VmKey, Given>>;
}

function number(g: Given, key: string): number {
  const { value } = g;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new ConfigError(`${g.origin}.${key}: ${describe(value)} is not a number`);
  return n;
}

/** A frame count: a whole number means frames, a size with a unit means bytes (rounded down to whole pages). */
function frames(g: Given, key: string, pageSize: number): number {
  const { value } = g;
  if (typeof value === 'number' || (typeof value === 'string' && /^\s*\d+\s*$/.test(value))) {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0) throw new ConfigError(`${g.origin}.${key}: ${describe(value)} is not a whole number of frames`);
    return n;
  }
  if (typeof value === 'string') {
    try {
      return Math.floor(parseBytes(value, key) / pageSize);
    } catch {
      // reported below
    }
  }
  throw new ConfigError(`${g.origin}.${key}: ${describe(value)} is not a number of frames or a size (examples: 64, 64MiB, 1GiB)`);
}

function text(g: Given, key: string): string {
  if (typeof g.value !== 'string' || g.value.trim() === '') throw new ConfigError(`${g.origin}.${key}: must be a non-empty string, got ${describe(g.value)}`);
  return g.value.trim();
}

// ---------------------------------------------------------------------------------------------
// --vm

/** `name=web,trace=web.csv,priority=3` -> a draft. `index` counts --vm flags from 0. */
export function parseVmFlag(spec: string, index: number): VmDraft {
  const origin = `--vm[${index}]`;
  const draft: VmDraft = { origin, fields: {} };
  for (const part of spec.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) throw new ConfigError(`${origin}: '${part}' is not KEY=VALUE (keys: ${VM_KEYS.join(', ')})`);
    const key = part.slice(0, eq).trim().toLowerCase();
    if (!(VM_KEYS as readonly string[]).includes(key)) throw new ConfigError(`${origin}.${key}: unknown key${didYouMean(key, VM_KEYS)} (keys: ${VM_KEYS.join(', ')})`);
    if (draft.fields[key as VmKey]) throw new ConfigError(`${origin}.${key}: given twice`);
    draft.fields[key as VmKey] = { value: part.slice(eq + 1).trim(), origin };
  }
  return draft;
}

// ---------------------------------------------------------------------------------------------
// scenario files

/** Scenario keys -> the command-line option they stand for, and the JSON types they take. */
const SCENARIO_OPTIONS: Record<
  string,
  {
    option: keyof RawOptions | keyof SchedulingRawOptions | keyof TranslationRawOptions | keyof MemoryRawOptions | keyof TwoLevelRawOptions;
    types: ('number' | 'string' | 'boolean' | 'object')[];
  }
> = {
  frames: { option: 'frames', types: ['number', 'string'] },
  memory: { option: 'memory', types: ['number', 'string'] },
  page_size: { option: 'pageSize', types: ['number', 'string'] },
  swap: { option: 'swap', types: ['number', 'string'] },
  policy: { option: 'policy', types: ['string'] },
  scheduler: { option: 'scheduler', types: ['string'] },
  seed: { option: 'seed', types: ['number', 'string'] },
  on_oom: { option: 'onOom', types: ['string'] },
  latency: { option: 'latency', types: ['string', 'object'] },
  strict_alloc: { option: 'strictAlloc', types: ['boolean'] },
  tick: { option: 'tick', types: ['number', 'string'] },
  aging_bits: { option: 'agingBits', types: ['number', 'string'] },
  tau: { option: 'tau', types: ['number', 'string'] },
  trace_format: { option: 'traceFormat', types: ['string'] },
  hex: { option: 'hex', types: ['boolean'] },
  ifetch: { option: 'ifetch', types: ['boolean'] },
  skip_bad_lines: { option: 'skipBadLines', types: ['boolean'] },
  idle_tax: { option: 'idleTax', types: ['number', 'string'] },
  active_window: { option: 'activeWindow', types: ['number', 'string'] },
  sample_pages: { option: 'samplePages', types: ['number', 'string'] },
  rebalance: { option: 'rebalance', types: ['number', 'string'] },
  interval: { option: 'interval', types: ['number', 'string'] },
  translation: { option: 'translation', types: ['string'] },
  tlb: { option: 'tlb', types: ['number', 'string'] },
  tlb_ways: { option: 'tlbWays', types: ['number', 'string'] },
  levels: { option: 'levels', types: ['number', 'string'] },
  guest_levels: { option: 'guestLevels', types: ['number', 'string'] },
  host_levels: { option: 'hostLevels', types: ['number', 'string'] },
  guest_page: { option: 'guestPage', types: ['number', 'string'] },
  host_page: { option: 'hostPage', types: ['number', 'string'] },
  guest_alloc: { option: 'guestAlloc', types: ['string'] },
  guest_memory: { option: 'guestMemory', types: ['number', 'string'] },
  dedup: { option: 'dedup', types: ['string'] },
  ksm_pages: { option: 'ksmPages', types: ['number', 'string'] },
  ksm_interval: { option: 'ksmInterval', types: ['number', 'string'] },
  compaction: { option: 'compaction', types: ['boolean'] },
  ...TWO_LEVEL_SCENARIO_OPTIONS,
};

export const SCENARIO_KEYS = ['description', 'vms', ...Object.keys(SCENARIO_OPTIONS)];

export interface Scenario {
  file: string;
  /** option values as the command line would spell them */
  options: Record<string, string | boolean>;
  vms: VmDraft[];
}

function jsonType(v: Json): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** `line:column` of a character offset. */
function lineColumn(textValue: string, offset: number): string {
  const before = textValue.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${line}:${column}`;
}

export function readScenario(file: string): Scenario {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a scenario file' : `cannot read (${code})`}`);
  }
  let doc: Json;
  try {
    doc = JSON.parse(source.replace(/^\uFEFF/, '')) as Json;
  } catch (err) {
    const message = (err as Error).message;
    const at = /position (\d+)/.exec(message);
    const where = at ? `${file}:${lineColumn(source, Number(at[1]))}` : file;
    throw new ConfigError(`${where}: malformed JSON: ${message.replace(/ in JSON at position \d+.*$/s, '')}`);
  }
  return parseScenario(doc, file);
}

/** Checks a parsed scenario document; trace paths become relative to the scenario's directory. */
export function parseScenario(doc: Json, file: string): Scenario {
  if (jsonType(doc) !== 'object') throw new ConfigError(`${file}: must be a JSON object with "vms" and engine options, got ${jsonType(doc)}`);
  const options: Record<string, string | boolean> = {};
  const vms: VmDraft[] = [];
  for (const [key, value] of Object.entries(doc as Record<string, Json>)) {
    if (key === 'description') continue;
    if (key === 'vms') {
      if (!Array.isArray(value)) throw new ConfigError(`${file}: vms: must be a list of VMs, got ${jsonType(value)}`);
      value.forEach((vm, i) => vms.push(scenarioVm(vm, `${file}: vms[${i}]`, dirname(file))));
      continue;
    }
    const known = SCENARIO_OPTIONS[key];
    if (!known) throw new ConfigError(`${file}: ${key}: unknown key${didYouMean(key, SCENARIO_KEYS)} (keys: ${SCENARIO_KEYS.join(', ')})`);
    const type = jsonType(value);
    if (!(known.types as string[]).includes(type)) throw new ConfigError(`${file}: ${key}: must be a ${known.types.join(' or ')}, got ${type}`);
    if (key === 'latency' && type === 'object') {
      options[known.option] = Object.entries(value as Record<string, Json>)
        .map(([name, v]) => `${name}=${typeof v === 'number' ? `${v}ns` : String(v)}`)
        .join(',');
    } else options[known.option] = typeof value === 'boolean' ? value : String(value);
  }
  return { file, options, vms };
}

function scenarioVm(vm: Json, origin: string, base: string): VmDraft {
  if (jsonType(vm) !== 'object') throw new ConfigError(`${origin}: must be an object with name, trace, priority, weight, reserve, limit, got ${jsonType(vm)}`);
  const draft: VmDraft = { origin, fields: {} };
  for (const [key, value] of Object.entries(vm as Record<string, Json>)) {
    if (!(VM_KEYS as readonly string[]).includes(key)) throw new ConfigError(`${origin}.${key}: unknown key${didYouMean(key, VM_KEYS)} (keys: ${VM_KEYS.join(', ')})`);
    let v = value;
    if (key === 'trace') {
      if (typeof v !== 'string' || v === '') throw new ConfigError(`${origin}.trace: must be a file name, got ${describe(v)}`);
      if (v !== '-' && !isAbsolute(v)) v = resolve(base, v);
    }
    draft.fields[key as VmKey] = { value: v, origin };
  }
  return draft;
}

/** Command-line options win over the scenario's; --frames and --memory replace each other. */
export function mergeOptions<T extends RawOptions & SchedulingRawOptions>(cli: T, scenario: Scenario | undefined): T {
  if (!scenario) return cli;
  const merged = { ...cli } as Record<string, unknown>;
  const sizeOnCli = cli.frames !== undefined || cli.memory !== undefined;
  for (const [option, value] of Object.entries(scenario.options)) {
    if (sizeOnCli && (option === 'frames' || option === 'memory')) continue;
    if (merged[option] === undefined) merged[option] = value;
  }
  return merged as T;
}

/** What a scenario option checked alone needs beside it to apply at all (else it is refused). */
const SCENARIO_ENABLERS: Record<string, Record<string, string>> = {
  tlb: { translation: 'nested' },
  tlbWays: { translation: 'nested' },
  levels: { translation: 'nested' },
  guestLevels: { translation: 'nested' },
  hostLevels: { translation: 'nested' },
  guestPage: { translation: 'nested' },
  guestAlloc: { translation: 'nested' },
  guestMemory: { translation: 'nested', guestAlloc: 'random' },
  ksmPages: { dedup: 'ksm' },
  ksmInterval: { dedup: 'ksm' },
  compaction: { hostPage: '2MiB' },
};

/**
 * Validates a scenario's engine options one by one so that a bad value names its key (the parse
 * functions name the command-line option; the message is re-addressed).
 */
export function checkScenarioOptions(scenario: Scenario, check: (raw: RawOptions & SchedulingRawOptions) => void): void {
  const keyOf = new Map(Object.entries(SCENARIO_OPTIONS).map(([key, o]) => [o.option as string, key]));
  for (const [option, value] of Object.entries(scenario.options)) {
    const raw: Record<string, unknown> = { [option]: value };
    // memory is checked against the scenario's page size
    if (option === 'memory' && scenario.options.pageSize !== undefined) raw.pageSize = scenario.options.pageSize;
    if (option === 'activeWindow' || option === 'samplePages') {
      raw.idleTax = '0';
      raw.scheduler = 'weight';
    }
    if (option === 'idleTax') raw.scheduler = 'weight';
    if (option === 'rebalance') raw.scheduler = 'balance';
    // a policy option is checked as a value here; whether the run's policy reads it, by the run
    if (option === 'tick' || option === 'agingBits' || option === 'tau') raw.policy = policiesUsing(option)[0];
    Object.assign(raw, { ...SCENARIO_ENABLERS[option], [option]: value });
    try {
      check(raw as RawOptions & SchedulingRawOptions);
    } catch (err) {
      if (!(err instanceof UsageError) && !(err instanceof ConfigError)) throw err;
      const key = keyOf.get(option)!;
      throw new ConfigError(`${scenario.file}: ${key}: ${err.message.replace(/^--[a-z-]+( [a-z]+)?: /, '')}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// scheduling settings

export function parseScheduler(name: string | undefined): SchedulerName {
  const n = name ?? 'global';
  if (!isSchedulerName(n)) throw new UsageError(`--scheduler: unknown scheduler '${n}' (one of ${SCHEDULER_NAMES.join(', ')})`);
  return n;
}

export function parseIdleTax(raw: SchedulingRawOptions, scheduler: SchedulerName): IdleTaxOptions | null {
  if (raw.idleTax === undefined) {
    if (raw.activeWindow !== undefined) throw new UsageError('--active-window: applies with --idle-tax only');
    if (raw.samplePages !== undefined) throw new UsageError('--sample-pages: applies with --idle-tax only');
    return null;
  }
  if (scheduler !== 'weight') throw new UsageError(`--idle-tax: applies to --scheduler weight only (not ${scheduler})`);
  const rate = /^\s*(\d+\.?\d*|\.\d+)\s*$/.test(raw.idleTax) ? Number(raw.idleTax) : NaN;
  if (!(rate >= 0 && rate < 1)) throw new UsageError(`--idle-tax: must be a rate from 0 to below 1 (ESX's default is 0.75), got '${raw.idleTax}'`);
  const window = raw.activeWindow === undefined ? DEFAULT_ACTIVE_WINDOW : parseCount(raw.activeWindow, '--active-window', 1);
  const samplePages = raw.samplePages === undefined ? 0 : parseCount(raw.samplePages, '--sample-pages', 1);
  return { rate, window, samplePages };
}

/** `--rebalance N` (balance only); undefined: the default. */
export function parseRebalance(raw: SchedulingRawOptions, scheduler: SchedulerName): number | undefined {
  if (raw.rebalance === undefined) return undefined;
  if (scheduler !== 'balance') throw new UsageError(`--rebalance: applies to --scheduler balance only (not ${scheduler})`);
  return parseCount(raw.rebalance, '--rebalance', 1);
}

export function parseInterval(raw: SchedulingRawOptions): number | undefined {
  if (raw.interval === undefined) {
    if (raw.intervalOut !== undefined) throw new UsageError('--interval-out: needs --interval N');
    return undefined;
  }
  return parseCount(raw.interval, '--interval', 1);
}

/**
 * The declared VMs in frames: scenario VMs in file order, then --vm flags in order (a --vm with
 * the name of a scenario VM overrides the fields it gives). Checks each field and the whole:
 * names unique, limit >= reserve, reserves fitting in memory.
 */
export function resolveVms(drafts: VmDraft[], config: Pick<EngineConfig, 'frames' | 'pageSize'>): VmSpec[] {
  const byName = new Map<string, VmDraft>();
  const merged: VmDraft[] = [];
  for (const d of drafts) {
    const nameField = d.fields.name;
    const traceField = d.fields.trace;
    let name: string;
    if (nameField) name = text(nameField, 'name');
    else if (traceField) name = vmNameFromPath(text(traceField, 'trace'));
    else throw new ConfigError(`${d.origin}.name: missing (give name=NAME, or trace=FILE to name the VM after its file)`);
    const earlier = byName.get(name);
    if (earlier) {
      if (!d.origin.startsWith('--vm') || earlier.origin.startsWith('--vm')) {
        throw new ConfigError(`${d.origin}.name: VM '${name}' is declared twice (also ${earlier.origin})`);
      }
      Object.assign(earlier.fields, d.fields);
      continue;
    }
    const copy: VmDraft = { origin: d.origin, fields: { ...d.fields, name: { value: name, origin: d.origin } } };
    byName.set(name, copy);
    merged.push(copy);
  }
  const specs: VmSpec[] = [];
  let reserved = 0;
  for (const d of merged) {
    const f = d.fields;
    const name = f.name!.value as string;
    const spec: VmSpec = { name, origin: d.origin, priority: 0, weight: 1, reserve: 0, limit: Infinity };
    if (f.trace) spec.trace = text(f.trace, 'trace');
    if (f.priority) spec.priority = number(f.priority, 'priority');
    if (f.weight) {
      spec.weight = number(f.weight, 'weight');
      if (!(spec.weight > 0)) throw new ConfigError(`${f.weight.origin}.weight: must be above 0, got ${describe(f.weight.value)}`);
    }
    if (f.reserve) spec.reserve = frames(f.reserve, 'reserve', config.pageSize);
    if (f.limit) {
      if (f.limit.value === 'unlimited') spec.limit = Infinity;
      else {
        spec.limit = frames(f.limit, 'limit', config.pageSize);
        if (spec.limit < 1) throw new ConfigError(`${f.limit.origin}.limit: must be at least one frame (${config.pageSize} bytes), got ${describe(f.limit.value)}`);
      }
    }
    if (spec.limit < spec.reserve) {
      const at = f.limit ?? f.reserve!;
      throw new ConfigError(`${at.origin}.limit: ${spec.limit} frames is below the reserve of ${spec.reserve} frames`);
    }
    const guest = guestFields(f, config.pageSize, { number, frames, text });
    if (guest !== undefined) spec.guest = guest;
    reserved += spec.reserve;
    if (reserved > config.frames) {
      throw new ConfigError(
        `${f.reserve!.origin}.reserve: the reserves add up to ${reserved} frames, more than the ${config.frames} frames of memory`,
      );
    }
    specs.push(spec);
  }
  return specs;
}
