/**
 * `vmmem generate`: seeded synthetic traces in the format the output's name asks for.
 */
import { Command } from 'commander';
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
import { emit, type Io } from './io.js';
import { addOutputOptions, parsePageSize, type RawOptions } from './options.js';
import { onInterrupt } from './interrupt.js';
import { startProgress } from './progress.js';

interface GenerateRaw extends RawOptions {
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
export function plansFrom(raw: GenerateRaw, singleName: string, pageSize: number): VmPlan[] {
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
export function clonesFrom(raw: GenerateRaw): { count: number; options: CloneOptions } | undefined {
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

export function generateCommand(io: Io): Command {
  const cmd = new Command('generate')
    .summary('write a seeded synthetic trace')
    .description(
      'Writes a synthetic trace: seeded access patterns over a range of pages, one VM or several ' +
        '(--vms), in the format the output name asks for (csv, plain, vmt; gzip when it ends in ' +
        '.gz). The same options and seed always give the same bytes.\n\n' +
        'Patterns (N pages, M accesses per VM):\n' +
        '  uniform  every access picks a page uniformly at random\n' +
        '  zipf     the page of rank k with probability proportional to k^-alpha;\n' +
        '           ranks are scattered over the range by a seeded permutation\n' +
        '  scan     one sequential pass over the N pages, spread over the M accesses\n' +
        '  loop     pages 0 .. N-1 in order, over and over (LRU with fewer than N\n' +
        '           frames faults on every access)\n' +
        '  phases   Denning phases: every --phase-length accesses a new locality set of\n' +
        '           --working-set consecutive pages at a random start; uniform within it\n' +
        '  mix      each access picks a component by weight (--mix), each component\n' +
        '           keeping its own state\n\n' +
        'Clones (--clones N): N VMs clone1 .. cloneN boot from one image and then diverge, ' +
        'with content tokens (csv content column, vmt content table) for simulate --dedup. ' +
        'Image page k holds img-k, or is a zero page (no row) with probability --zero-fraction. ' +
        'Each VM first loads the image (one --image-op row per data page, in page order, at the ' +
        'same addresses in every VM), then makes its --accesses pattern accesses. A pattern ' +
        'write leaves new VM-private content (<vm>-<n>) with probability --diverge; otherwise it ' +
        'writes again what the page holds (its token; on a zero page common-k, alike in every clone).',
    )
    .option('-p, --pattern <pattern>', `access pattern: ${PATTERNS.join(', ')}`)
    .option('--pages <n>', `pages in each VM's range (default ${DEFAULT_PAGES})`)
    .option('--accesses <n>', `accesses per VM (default ${DEFAULT_ACCESSES})`)
    .option('--alpha <a>', `zipf exponent, >= 0 (default ${DEFAULT_ALPHA}; 0 is uniform)`)
    .option('--write-ratio <r>', `share of accesses that are writes, 0 to 1 (default ${DEFAULT_WRITE_RATIO})`)
    .option('--seed <n>', 'seed of the generator (default 1)')
    .option(
      '--vms <list>',
      'several VMs interleaved round robin: NAME[:PATTERN][:KEY=VALUE...],... with KEY one of\n' +
        'pages, accesses, alpha, write-ratio, base, working-set, phase-length (e.g. web:zipf:pages=64,db:loop)',
    )
    .option('--page-size <size>', 'page size, a power of two (default 4KiB)')
    .option('--base <addr>', `address of the first page (default 0x${DEFAULT_BASE.toString(16)}); VM i starts at base + i * 2^40`)
    .option('--working-set <n>', 'phases: pages in a locality set (default pages / 10)')
    .option('--phase-length <n>', 'phases: accesses per phase (default accesses / 10)')
    .option('--mix <weights>', 'mix: component weights (default zipf=0.6,loop=0.2,scan=0.1,uniform=0.1)')
    .option('--offsets', 'addresses at an 8-byte-aligned offset within the page (random; scan: sequential) instead of its first byte')
    .option('--clones <n>', 'N VMs (clone1 .. cloneN) booted from one image, then diverging (not with --vms)')
    .option('--diverge <r>', `clones: share of writes that leave VM-private content, 0 to 1 (default ${DEFAULT_DIVERGE})`)
    .option('--zero-fraction <f>', `clones: share of the image's pages that are zero pages, 0 to 1 (default ${DEFAULT_ZERO_FRACTION})`)
    .option('--image-op <op>', 'clones: W loads the image (a write per data page), A only records it (an allocation per page) (default W)')
    .option('-o, --output <file>', "output file: .csv, .plain, .vmt, optionally .gz; - for standard output (default -)")
    .option('--to <format>', 'output format, overriding the name: csv, plain, vmt, optionally .gz (standard output: csv by default)');
  addOutputOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nThe result (one row per VM: vm,pattern,pages,accesses,reads,writes,base_addr; with\n' +
      '--clones also image_rows,private_writes)\n' +
      'goes to standard output, unless the trace itself does (-o -).\n' +
      '\nExamples:\n' +
      '  vmmem generate --pattern zipf --pages 200 --alpha 1.1 -o zipf.csv\n' +
      '  vmmem generate --vms web:zipf:pages=64,db:loop --pages 120 -o two.vmt.gz\n' +
      '  vmmem generate --clones 3 --pattern uniform --pages 128 --write-ratio 0.05 -o clones.csv\n' +
      '\nExit codes: 0 ok, 64 bad usage, 73 output cannot be written.',
  );
  cmd.action(async (raw: GenerateRaw) => {
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
    const progress = startProgress(io, raw.quiet, { label: 'generate', totalRows: plans.reduce((s, p) => s + p.accesses, 0) + imageRows });
    const counts: GeneratedCounts[] = [];
    const release = onInterrupt(() => writer.abort());
    try {
      let done = 0;
      for (const batch of generateRows(plans, { seed, pageSize, offsets: raw.offsets === true, clones: clones?.options, contents }, counts)) {
        await writer.write(batch, names);
        progress.update((done += batch.length));
      }
      await writer.close(names);
    } catch (err) {
      writer.abort();
      throw err;
    } finally {
      release();
      progress.stop();
    }
    if (target.path === '-') return;
    emit(io, generateResult(plans, counts, { target: target.display, format: target.format, gzip: target.gzip, seed, pageSize, offsets: raw.offsets === true, clones: clones?.options }), raw);
  });
  return cmd;
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
