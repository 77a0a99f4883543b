/**
 * Options shared by the commands that replay traces, and their translation into validated
 * engine and reader settings. Declared once here so every command spells them alike.
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { DEFAULT_LATENCY, type EngineConfig, type Latency, type OnOom } from '../engine/config.js';
import { isPolicyName, policies, POLICY_NAMES, type PolicyName } from '../policies/index.js';
import { DEFAULT_POLICY_OPTIONS, MAX_AGING_BITS, type PolicyOptions } from '../policies/policy.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../report/index.js';
import type { ReadOptions } from '../trace/reader.js';
import { READ_THREAD_MODES, THREAD_BYTES } from '../trace/read-thread.js';
import { FORMATS, parseFormat, type TraceFormat } from '../trace/source.js';
import { isPowerOfTwo, parseBytes, parseCount, parseDuration } from '../units.js';

export const DEFAULT_FRAMES = 256;

/** The raw option values commander hands over (strings, as typed). */
export interface RawOptions {
  policy?: string;
  frames?: string;
  memory?: string;
  pageSize?: string;
  swap?: string;
  onOom?: string;
  seed?: string;
  latency?: string;
  strictAlloc?: boolean;
  tick?: string;
  agingBits?: string;
  tau?: string;
  traceFormat?: string;
  hex?: boolean;
  ifetch?: boolean;
  skipBadLines?: boolean;
  readThread?: string;
  format?: string;
  color?: boolean;
  quiet?: boolean;
  output?: string;
  columns?: string;
  wide?: boolean;
}

const REPEATABLE = new WeakSet<Option>();

/** Marks an option that may be given several times (`--vm`): `@FILE` then gives it once per line. */
export function repeatable(option: Option): Option {
  REPEATABLE.add(option);
  return option;
}

export function isRepeatable(option: Option): boolean {
  return REPEATABLE.has(option);
}

/** Commands whose -o, --output is the result's file (generate and convert: -o is the trace they write). */
const RESULT_TO_OUTPUT = new WeakSet<Command>();

/** Whether `cmd`'s --output takes its result (and main.ts routes standard output there). */
export function resultGoesToOutput(cmd: Command): boolean {
  return RESULT_TO_OUTPUT.has(cmd);
}

export function addOutputOptions(cmd: Command): Command {
  if (!cmd.options.some((o) => o.long === '--output')) {
    cmd.option('-o, --output <file>', "write the result to FILE instead of standard output, whole or not at all (format: --format, else FILE's .csv or .json, else table)");
    RESULT_TO_OUTPUT.add(cmd);
  }
  return cmd
    .addOption(new Option('--format <format>', `output format: ${OUTPUT_FORMATS.join(', ')}`).default('table'))
    .option('--columns <list>', 'only these columns, in this order (CSV names, or table headings), in every format; also @FILE')
    .option('--wide', 'on a terminal, every table column even when the table is wider than the terminal')
    .option('--color', 'colour the table even when stdout is not a terminal (beats NO_COLOR and TERM=dumb)')
    .option('--no-color', 'never colour (also: NO_COLOR set in the environment)')
    .option('-q, --quiet', 'no notes (skipped lines, OOM kills) on standard error');
}

export function addTraceOptions(cmd: Command): Command {
  return cmd
    .option('--trace-format <format>', `trace format, overriding name and content: ${FORMATS.join(', ')}`)
    .option('--hex', 'csv/plain addresses without 0x are hexadecimal')
    .option('--ifetch', 'replay instruction fetches (lackey I lines, din label 2) as reads')
    .option('--skip-bad-lines', 'skip and count bad trace lines instead of stopping at the first')
    .option('--read-thread <when>', `parse text traces (csv, plain, lackey, din) on a second thread: auto (files of ${THREAD_BYTES >> 20} MiB or more), always, never`);
}

/** Help for --frames and --memory where they take a list of sizes (compare, mrc). */
export interface SizeHelp {
  frames: string;
  memory: string;
}

export function addEngineOptions(cmd: Command, withPolicy = true, sizeHelp?: SizeHelp): Command {
  if (withPolicy) {
    cmd.option(
      '-p, --policy <policy>',
      `replacement policy: ${POLICY_NAMES.join(', ')} (default lru)\n${POLICY_NAMES.map((n) => `  ${n.padEnd(7)} ${policies[n].summary}`).join('\n')}`,
    );
  }
  return cmd
    .option(sizeHelp ? '-f, --frames <list>' : '-f, --frames <n>', sizeHelp?.frames ?? `host memory in frames (default ${DEFAULT_FRAMES})`)
    .option(sizeHelp ? '-m, --memory <list>' : '-m, --memory <size>', sizeHelp?.memory ?? 'host memory as a size (e.g. 512MiB): frames = floor(size / page size)')
    .option('--page-size <size>', 'page size, a power of two from 1 B to 1 GiB (default 4KiB)')
    .option('--swap <size>', "swap size (e.g. 1GiB, 0 for none), or 'unlimited' (default)")
    .option('--on-oom <action>', 'when memory and swap are full: kill (the faulting VM) or error (stop, exit 3)')
    .option('--seed <n>', 'seed of the random policy, --guest-alloc random and --sample-pages (default 1)')
    .option(
      '--latency <list>',
      'latency model, e.g. hit=100ns,minor=2us,major=50us,swapout=50us,walkref=100ns (those are the defaults; ' +
        'also vmexit, the price of a shadow-table update, default 0; and decompress, two levels, default 5us)',
    )
    .option('--strict-alloc', 'count accesses to never-allocated pages as invalid instead of committing them')
    .option('--tick <n>', `nru, aging: clear the referenced bits (aging: shift the counters) every N host accesses (default ${DEFAULT_POLICY_OPTIONS.tick})`)
    .option('--aging-bits <n>', `aging: bits per counter, 1 to ${MAX_AGING_BITS} (default ${DEFAULT_POLICY_OPTIONS.agingBits})`)
    .option('--tau <n>', `wsclock: working-set window, in the page's VM's own accesses (default ${DEFAULT_POLICY_OPTIONS.tau})`);
}

/** The policy options and their flags (SPEC 2.1). */
const POLICY_OPTION_FLAGS: Record<keyof PolicyOptions, string> = { tick: '--tick', agingBits: '--aging-bits', tau: '--tau' };

/** the policies that read policy option `key` (from the registry) */
export function policiesUsing(key: keyof PolicyOptions): PolicyName[] {
  return POLICY_NAMES.filter((n) => (policies[n] as { options?: readonly string[] }).options?.includes(key) === true);
}

/**
 * --tick, --aging-bits and --tau, each refused unless one of the run's policies reads it (as
 * --idle-tax is without --scheduler weight). Undefined when none is given.
 */
export function parsePolicyOptions(raw: RawOptions, used: readonly PolicyName[]): PolicyOptions | undefined {
  if (raw.tick === undefined && raw.agingBits === undefined && raw.tau === undefined) return undefined;
  const options = { ...DEFAULT_POLICY_OPTIONS };
  for (const key of Object.keys(POLICY_OPTION_FLAGS) as (keyof PolicyOptions)[]) {
    const text = raw[key];
    if (text === undefined) continue;
    const flag = POLICY_OPTION_FLAGS[key];
    const users = policiesUsing(key);
    if (!used.some((p) => users.includes(p))) {
      throw new UsageError(`${flag}: applies with --policy ${users.join(' or ')} only (not ${used.join(', ')})`);
    }
    const value = parseCount(text, flag, 1);
    if (key === 'agingBits' && value > MAX_AGING_BITS) throw new UsageError(`${flag}: at most ${MAX_AGING_BITS}, got ${text}`);
    if (value > Number.MAX_SAFE_INTEGER) throw new UsageError(`${flag}: at most ${Number.MAX_SAFE_INTEGER}, got ${text}`);
    options[key] = value;
  }
  return options;
}

export function outputFormat(raw: RawOptions): OutputFormat {
  const f = raw.format ?? 'table';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(f)) {
    throw new UsageError(`--format: unknown format '${f}' (one of ${OUTPUT_FORMATS.join(', ')})`);
  }
  return f as OutputFormat;
}

export function readOptions(raw: RawOptions): ReadOptions & { traceFormat?: TraceFormat } {
  return {
    ifetch: raw.ifetch === true,
    hex: raw.hex === true,
    skipBadLines: raw.skipBadLines === true,
    readThread: parseReadThread(raw.readThread),
    traceFormat: raw.traceFormat === undefined ? undefined : parseFormat(raw.traceFormat),
  };
}

function parseReadThread(raw: string | undefined): ReadOptions['readThread'] {
  if (raw === undefined) return undefined;
  const mode = READ_THREAD_MODES.find((m) => m === raw);
  if (mode !== undefined) return mode;
  throw new UsageError(`--read-thread: must be auto, always or never, got '${raw}'`);
}

/** `option`: the option the user typed the name in, for the message. */
export function parsePolicy(name: string, option = '--policy'): PolicyName {
  if (!isPolicyName(name)) throw new UsageError(`${option}: unknown policy '${name}' (one of ${POLICY_NAMES.join(', ')})`);
  return name;
}

export function parsePageSize(raw: RawOptions, what = '--page-size'): number {
  const pageSize = raw.pageSize === undefined ? 4096 : parseBytes(raw.pageSize, what);
  if (!isPowerOfTwo(pageSize) || pageSize > 2 ** 30) {
    throw new UsageError(`${what}: must be a power of two from 1 B to 1 GiB, got '${raw.pageSize}'`);
  }
  return pageSize;
}

/** Frames from --frames or --memory (not both). */
export function parseFrames(raw: RawOptions, pageSize: number): number {
  if (raw.frames !== undefined && raw.memory !== undefined) {
    throw new UsageError('--frames and --memory both give the memory size: use one');
  }
  if (raw.memory !== undefined) {
    const frames = Math.floor(parseBytes(raw.memory, '--memory') / pageSize);
    if (frames < 1) throw new UsageError(`--memory: ${raw.memory} holds no page of ${pageSize} bytes`);
    return frames;
  }
  if (raw.frames !== undefined) return parseFrames1(raw.frames);
  return DEFAULT_FRAMES;
}

function parseFrames1(text: string): number {
  return parseCount(text, '--frames', 1, 2 ** 31 - 1);
}

export function parseLatency(text: string | undefined): Latency {
  const latency = { ...DEFAULT_LATENCY };
  if (text === undefined) return latency;
  const keys: Record<string, keyof Latency> = {
    hit: 'hitNs',
    minor: 'minorNs',
    major: 'majorNs',
    swapout: 'swapoutNs',
    walkref: 'walkrefNs',
    vmexit: 'vmexitNs',
  };
  for (const part of text.split(',')) {
    const [name, value] = part.split('=');
    // decompress= prices two levels' decompressions (two-level-options.ts)
    if ((name ?? '').trim() === 'decompress' && value !== undefined) continue;
    const key = keys[(name ?? '').trim()];
    if (!key || value === undefined) {
      throw new UsageError(`--latency: '${part}' is not NAME=DURATION with NAME one of ${Object.keys(keys).join(', ')}`);
    }
    latency[key] = parseDuration(value, `--latency ${name}`);
  }
  return latency;
}

/** `used`: every policy the run replays (compare's list), for the policy options' check */
export function engineConfig(raw: RawOptions, policy: PolicyName, used: readonly PolicyName[] = [policy]): EngineConfig {
  const pageSize = parsePageSize(raw);
  const frames = parseFrames(raw, pageSize);
  let swapSlots = Infinity;
  if (raw.swap !== undefined && raw.swap !== 'unlimited') swapSlots = Math.floor(parseBytes(raw.swap, '--swap') / pageSize);
  const onOom = (raw.onOom ?? 'kill') as OnOom;
  if (onOom !== 'kill' && onOom !== 'error') throw new UsageError(`--on-oom: '${raw.onOom}' is not kill or error`);
  const seed = raw.seed === undefined ? 1 : parseCount(raw.seed, '--seed', 0);
  const policyOptions = parsePolicyOptions(raw, used);
  return {
    ...(policyOptions && { policyOptions }),
    frames,
    pageSize,
    swapSlots,
    policy,
    scheduler: 'global',
    seed,
    onOom,
    strictAlloc: raw.strictAlloc === true,
    latency: parseLatency(raw.latency),
  };
}
