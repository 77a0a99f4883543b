/**
 * `generate`: the validation, defaults and writer behind `vmmem generate` (src/cli/generate.ts
 * maps argv onto these and prints the result).
 */
import { UsageError } from '../errors.js';
import {
  checkPlan,
  DEFAULT_BASE,
  DEFAULT_MIX,
  generateRows,
  isPattern,
  PATTERNS,
  VM_STRIDE,
  type GeneratedCounts,
  type MixComponent,
  type MixWeights,
  type PatternName,
  type VmPlan,
} from '../trace/generate.js';
import { vmNameFromPath } from '../trace/source.js';
import { openTraceWriter, outputTarget } from '../trace/write.js';
import { toHex } from '../trace/address.js';
import { ContentNames } from '../trace/content.js';
import { OP_ALLOC, OP_WRITE } from '../trace/rows.js';
import type { CloneOptions } from '../trace/generate.js';
import type { CommandResult } from '../report/result.js';
import { parseCount } from '../units.js';
import { parsePageSize, type RawOptions } from '../options/options.js';

import { toDocument, type ResultDocument } from './document.js';
import { toRaw, type Library, type ProgressCallback } from './options.js';

/** The raw (command-line) options of `vmmem generate`. */
export interface GenerateRawOptions extends RawOptions {
  pattern?: string;
  pages?: string;
  accesses?: string;
  alpha?: string;
  writeRatio?: string;
  vms?: string;
  base?: string;
  workingSet?: string;
  phaseLength?: string;
  mix?: string;
  offsets?: boolean;
  clones?: string;
  diverge?: string;
  zeroFraction?: string;
  imageOp?: string;
  output?: string;
  to?: string;
}

export const DEFAULT_PAGES = 1000;
export const DEFAULT_ACCESSES = 10000;
export const DEFAULT_ALPHA = 1;
export const DEFAULT_WRITE_RATIO = 0.3;
export const DEFAULT_DIVERGE = 1;
export const DEFAULT_ZERO_FRACTION = 0.25;
/** the most clones (vmt numbers VMs in 16 bits) */
export const MAX_CLONES = 65535;

function parseRatio(text: string, what: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`${what}: '${text}' is not a number from 0 to 1`);
  return n;
}

function parseNonNegative(text: string, what: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${what}: '${text}' is not a number >= 0`);
  return n;
}

/** `0x7f0000000000` or decimal, exact to 64 bits. */
export function parseBase(text: string, what: string): bigint {
  const t = text.trim();
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) throw new UsageError(`${what}: '${text}' is not an address (0x... or decimal)`);
  const v = BigInt(t);
  if (v >= 2n ** 64n) throw new UsageError(`${what}: '${text}' is over 64 bits`);
  return v;
}

/** `zipf=0.6,loop=0.2,...` */
export function parseMix(text: string): MixWeights {
  const mix: MixWeights = {};
  for (const part of text.split(',')) {
    const [name, value] = part.split('=').map((s) => s.trim());
    if (!name || value === undefined || !isPattern(name) || name === 'mix') {
      throw new UsageError(`--mix: '${part}' is not PATTERN=WEIGHT with PATTERN one of ${PATTERNS.filter((p) => p !== 'mix').join(', ')}`);
    }
    mix[name as MixComponent] = parseNonNegative(value, `--mix ${name}`);
  }
  return mix;
}

const VM_KEYS = ['pages', 'accesses', 'alpha', 'write-ratio', 'base', 'working-set', 'phase-length'] as const;

/**
 * The plans: one VM from the options, or one per `--vms` entry `NAME[:PATTERN][:KEY=VALUE...]`
 * (keys: pages, accesses, alpha, write-ratio, base, working-set, phase-length), the options
 * giving what an entry does not say. VM i's range starts at base + i * 2^40 unless it sets base.
 */
export function plansFrom(raw: GenerateRawOptions, singleName: string, pageSize: number): VmPlan[] {
  const pages = raw.pages === undefined ? DEFAULT_PAGES : parseCount(raw.pages, '--pages');
  const accesses = raw.accesses === undefined ? DEFAULT_ACCESSES : parseCount(raw.accesses, '--accesses');
  const defaults = {
    pattern: raw.pattern,
    pages,
    accesses,
    alpha: raw.alpha === undefined ? DEFAULT_ALPHA : parseNonNegative(raw.alpha, '--alpha'),
    writeRatio: raw.writeRatio === undefined ? DEFAULT_WRITE_RATIO : parseRatio(raw.writeRatio, '--write-ratio'),
    base: raw.base === undefined ? DEFAULT_BASE : parseBase(raw.base, '--base'),
    workingSet: raw.workingSet === undefined ? undefined : parseCount(raw.workingSet, '--working-set'),
    phaseLength: raw.phaseLength === undefined ? undefined : parseCount(raw.phaseLength, '--phase-length'),
    mix: raw.mix === undefined ? DEFAULT_MIX : parseMix(raw.mix),
  };
  if (defaults.pattern !== undefined && !isPattern(defaults.pattern)) {
    throw new UsageError(`--pattern: unknown pattern '${defaults.pattern}' (one of ${PATTERNS.join(', ')})`);
  }
  const entries: { name: string; fields: string[] }[] =
    raw.vms === undefined
      ? [{ name: singleName, fields: [] }]
      : raw.vms.split(',').map((entry) => {
          const [name, ...fields] = entry.split(':').map((s) => s.trim());
          if (!name) throw new UsageError(`--vms: '${entry}' has no VM name (NAME[:PATTERN][:KEY=VALUE...])`);
          return { name, fields };
        });
  const names = new Set<string>();
  const plans = entries.map(({ name, fields }, index): VmPlan => {
    if (names.has(name)) throw new UsageError(`--vms: VM '${name}' is named twice`);
    names.add(name);
    let pattern = defaults.pattern as PatternName | undefined;
    let base = defaults.base + BigInt(index) * VM_STRIDE;
    const plan = { ...defaults, name };
    for (const field of fields) {
      if (!field.includes('=')) {
        if (!isPattern(field)) throw new UsageError(`--vms: VM '${name}': unknown pattern '${field}' (one of ${PATTERNS.join(', ')})`);
        pattern = field;
        continue;
      }
      const [key, value] = field.split('=') as [string, string];
      const what = `--vms ${name} ${key}`;
      switch (key as (typeof VM_KEYS)[number]) {
        case 'pages':
          plan.pages = parseCount(value, what);
          break;
        case 'accesses':
          plan.accesses = parseCount(value, what);
          break;
        case 'alpha':
          plan.alpha = parseNonNegative(value, what);
          break;
        case 'write-ratio':
          plan.writeRatio = parseRatio(value, what);
          break;
        case 'base':
          base = parseBase(value, what);
          break;
        case 'working-set':
          plan.workingSet = parseCount(value, what);
          break;
        case 'phase-length':
          plan.phaseLength = parseCount(value, what);
          break;
        default:
          throw new UsageError(`--vms: VM '${name}': unknown key '${key}' (one of ${VM_KEYS.join(', ')})`);
      }
    }
    if (pattern === undefined) throw new UsageError(`VM '${name}' has no pattern: give --pattern (${PATTERNS.join(', ')}) or NAME:PATTERN in --vms`);
    const full: VmPlan = {
      name,
      pattern,
      pages: plan.pages,
      accesses: plan.accesses,
      alpha: plan.alpha,
      writeRatio: plan.writeRatio,
      base,
      // Denning-style phases: a tenth of the pages, shifting every tenth of the run, unless told.
      workingSet: plan.workingSet ?? Math.max(1, Math.round(plan.pages / 10)),
      phaseLength: plan.phaseLength ?? Math.max(1, Math.round(plan.accesses / 10)),
      mix: plan.mix,
    };
    if (full.workingSet > full.pages) throw new UsageError(`VM '${name}': the working set (${full.workingSet}) is larger than its ${full.pages} pages`);
    checkPlan(full, pageSize);
    return full;
  });
  return plans;
}

/**
 * `--clones N` and its options: N VMs `clone1` .. `cloneN` with the plan of the options (no
 * --vms); undefined without --clones (then its options are refused).
 */
export function clonesFrom(raw: GenerateRawOptions): { count: number; options: CloneOptions } | undefined {
  if (raw.clones === undefined) {
    const stray = (['diverge', 'zeroFraction', 'imageOp'] as const).find((k) => raw[k] !== undefined);
    if (stray) throw new UsageError(`--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --clones`);
    return undefined;
  }
  if (raw.vms !== undefined) throw new UsageError('--clones and --vms cannot be combined: clones all run the plan of the options');
  const count = parseCount(raw.clones, '--clones');
  if (count < 1 || count > MAX_CLONES) throw new UsageError(`--clones: from 1 to ${MAX_CLONES}`);
  const op = (raw.imageOp ?? 'W').trim().toUpperCase();
  if (op !== 'W' && op !== 'A') throw new UsageError(`--image-op: '${raw.imageOp}' is not W or A`);
  return {
    count,
    options: {
      diverge: raw.diverge === undefined ? DEFAULT_DIVERGE : parseRatio(raw.diverge, '--diverge'),
      zeroFraction: raw.zeroFraction === undefined ? DEFAULT_ZERO_FRACTION : parseRatio(raw.zeroFraction, '--zero-fraction'),
      imageOp: op === 'W' ? OP_WRITE : OP_ALLOC,
    },
  };
}

export interface GenerateHooks {
  /** before the first row: the progress to report the rows written to (`rows`: how many there will be at most) */
  started?(rows: number): { update(rows: number): void; stop(): void };
  /** while writing: `abort` removes the half-written file (the CLI calls it on SIGINT); returns the release */
  guard?(abort: () => void): () => void;
}

/** The writer behind `vmmem generate OPTIONS`: writes the trace; its result (what was written), unformatted. */
export async function runGenerate(raw: GenerateRawOptions, hooks: GenerateHooks = {}): Promise<CommandResult> {
  const output = raw.output ?? '-';
  const target = outputTarget(output, raw.to);
  const pageSize = parsePageSize(raw);
  const seed = raw.seed === undefined ? 1 : parseCount(raw.seed, '--seed', 0, 0xffffffff);
  const clones = clonesFrom(raw);
  let plans = plansFrom(raw, output === '-' ? 'generated' : vmNameFromPath(output), pageSize);
  if (clones) plans = Array.from({ length: clones.count }, (_, i) => ({ ...plans[0]!, name: `clone${i + 1}` }));
  if (clones && target.format === 'plain') throw new UsageError(`${target.display}: a plain trace cannot carry content tokens; write csv or vmt for --clones`);
  if (plans.length > 1 && target.format === 'plain') {
    throw new UsageError(`${target.display}: a plain trace cannot name VMs; write csv or vmt for several VMs`);
  }
  const names = plans.map((p) => p.name);
  const contents = clones ? new ContentNames() : undefined;
  const writer = openTraceWriter(target, {
    vmNames: names,
    hasTime: false,
    sizeColumn: false,
    vmColumn: raw.vms !== undefined || clones !== undefined,
    contents,
    vmtPageSize: pageSize,
  });
  // the image pass adds up to `pages` rows per clone (the bar may end early)
  const imageRows = clones ? clones.count * plans[0]!.pages : 0;
  const progress = hooks.started?.(plans.reduce((s, p) => s + p.accesses, 0) + imageRows);
  const counts: GeneratedCounts[] = [];
  const release = hooks.guard?.(() => writer.abort());
  try {
    let done = 0;
    for (const batch of generateRows(plans, { seed, pageSize, offsets: raw.offsets === true, clones: clones?.options, contents }, counts)) {
      await writer.write(batch, names);
      progress?.update((done += batch.length));
    }
    await writer.close(names);
  } catch (err) {
    writer.abort();
    throw err;
  } finally {
    release?.();
    progress?.stop();
  }
  return generateResult(plans, counts, { target: target.display, format: target.format, gzip: target.gzip, seed, pageSize, offsets: raw.offsets === true, clones: clones?.options });
}

function generateResult(
  plans: VmPlan[],
  counts: GeneratedCounts[],
  c: { target: string; format: string; gzip: boolean; seed: number; pageSize: number; offsets: boolean; clones?: CloneOptions },
): CommandResult {
  const rows = plans.map((p, i) => ({
    vm: p.name,
    pattern: p.pattern,
    pages: p.pages,
    accesses: p.accesses,
    reads: counts[i]?.reads ?? 0,
    writes: counts[i]?.writes ?? 0,
    base_addr: `0x${toHex(Number(p.base >> 32n), Number(p.base & 0xffffffffn))}`,
    ...(c.clones ? { image_rows: counts[i]?.imageRows ?? 0, private_writes: counts[i]?.privateWrites ?? 0 } : {}),
  }));
  const imageRows = rows.reduce((s, r) => s + (r.image_rows ?? 0), 0);
  return {
    command: 'generate',
    config: {
      output: c.target,
      format: c.format,
      gzip: c.gzip,
      seed: c.seed,
      page_size: c.pageSize,
      offsets: c.offsets,
      vms: plans.map((p) => ({
        name: p.name,
        pattern: p.pattern,
        pages: p.pages,
        accesses: p.accesses,
        alpha: p.alpha,
        write_ratio: p.writeRatio,
        base: `0x${p.base.toString(16)}`,
        ...(p.pattern === 'phases' ? { working_set: p.workingSet, phase_length: p.phaseLength } : {}),
        ...(p.pattern === 'mix' ? { mix: p.mix } : {}),
      })),
      ...(c.clones
        ? { clones: { count: plans.length, diverge: c.clones.diverge, zero_fraction: c.clones.zeroFraction, image_op: c.clones.imageOp === OP_WRITE ? 'W' : 'A' } }
        : {}),
    },
    columns: [
      { key: 'vm', heading: 'vm', kind: 'text' },
      { key: 'pattern', heading: 'pattern', kind: 'text' },
      { key: 'pages', heading: 'pages' },
      { key: 'accesses', heading: 'accesses' },
      { key: 'reads', heading: 'reads' },
      { key: 'writes', heading: 'writes' },
      { key: 'base_addr', heading: 'first address', kind: 'text' },
      ...(c.clones
        ? [
            { key: 'image_rows', heading: 'image rows' },
            { key: 'private_writes', heading: 'private writes' },
          ]
        : []),
    ],
    rows,
    summary: [
      `wrote ${rows.reduce((s, r) => s + r.accesses, 0)} accesses${c.clones ? ` and ${imageRows} image rows` : ''} to ${c.target} (${c.format}${c.gzip ? ', gzip' : ''}, seed ${c.seed})`,
    ],
  };
}

/** Options of {@link generate}: `vmmem generate`'s options in camelCase; `output` is the trace file to write (its name gives the format). */
export interface GenerateOptions extends Library<Omit<GenerateRawOptions, 'format' | 'color' | 'quiet' | 'columns' | 'wide' | 'output'>> {
  /** the trace file to write (`.csv`, `.vmt`, `.txt`, optionally `.gz`; `to` overrides the format) */
  output: string;
  /** told the rows written so far, once per batch */
  onProgress?: ProgressCallback;
}

/** The result of {@link generate}: `vmmem generate -o FILE --format json`, parsed. */
export type GenerateResult = ResultDocument<'generate'>;

/**
 * Writes a seeded synthetic trace (patterns, VMs, clones) to `output`; the result is what
 * `vmmem generate -o FILE ... --format json` prints, parsed.
 *
 * @example
 * await generate({ output: 'zipf.csv', pattern: 'zipf', pages: 1000, accesses: 10000, seed: 7 });
 */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const { onProgress, output, ...rest } = options;
  if (output === undefined || output === '-') throw new UsageError('generate: give output, the trace file to write (the library does not write to standard output)');
  const hooks: GenerateHooks = onProgress ? { started: () => ({ update: (rows) => onProgress({ pass: 'write', rows }), stop() {} }) } : {};
  const raw = toRaw<GenerateRawOptions>(rest);
  raw.output = output;
  return toDocument<'generate'>(await runGenerate(raw, hooks));
}
