/**
 * Shared test helpers: build traces in memory and run the engine or the CLI on them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DEFAULT_LATENCY, type EngineConfig } from '../src/engine/config.js';
import { simulate, type SimulationOutcome } from '../src/run/simulate.js';
import type { PolicyName } from '../src/policies/index.js';
import { DEFAULT_READ_OPTIONS, type ReadOptions } from '../src/trace/reader.js';
import type { RowBatch } from '../src/trace/rows.js';
import type { TraceFormat, TraceSource } from '../src/trace/source.js';

export const ROOT = new URL('..', import.meta.url).pathname;
export const BIN = join(ROOT, 'bin/vmmem.js');

export function config(over: Partial<EngineConfig> = {}): EngineConfig {
  return {
    frames: 3,
    pageSize: 1,
    swapSlots: Infinity,
    policy: 'lru' as PolicyName,
    scheduler: 'global',
    seed: 1,
    onOom: 'kill',
    strictAlloc: false,
    latency: { ...DEFAULT_LATENCY },
    ...over,
  };
}

/** A trace source over a string, re-readable. */
export function textSource(text: string, format: TraceFormat, vmName = 'vm', display = `${vmName}.${format}`): TraceSource {
  const bytes = Buffer.from(text);
  return {
    path: display,
    display,
    vmName,
    format,
    gzip: false,
    bytes: bytes.length,
    chunks: () => Readable.from([bytes]),
    retain: () => {},
  };
}

/** `plain` trace text for a reference string of page numbers (use with pageSize 1). */
export function plainTrace(pages: readonly number[], writes?: readonly boolean[]): string {
  return pages.map((p, i) => `${writes?.[i] ? 'W' : 'R'} ${p}`).join('\n') + '\n';
}

export async function run(
  pages: readonly number[],
  over: Partial<EngineConfig> = {},
  writes?: readonly boolean[],
  read: ReadOptions = DEFAULT_READ_OPTIONS,
): Promise<SimulationOutcome> {
  return simulate({ sources: [textSource(plainTrace(pages, writes), 'plain')], read, config: config(over) });
}

/** How long one spawned CLI run may take before it is killed (the slowest takes seconds). */
export const CLI_TIMEOUT_MS = 300_000;

/** A new empty temporary directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vmmem-test-'));
}

export function tempFile(name: string, content: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'vmmem-test-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string } = {}): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input: opts.input,
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...opts.env },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    // a run that hangs fails its test (status null) instead of stalling the whole suite
    timeout: CLI_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** README.md and every page of docs/, joined: where "documented" looks. */
export function allDocs(): string {
  const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort();
  return [readFileSync(join(ROOT, 'README.md'), 'utf8'), ...docs.map((f) => readFileSync(join(ROOT, 'docs', f), 'utf8'))].join('\n');
}

/** The position of the next access to the same page, -1 when none (what opt reads ahead), by a scan from the end. */
export function nextUseOf(pages: readonly number[]): Int32Array {
  const out = new Int32Array(pages.length).fill(-1);
  const last = new Map<number, number>();
  for (let i = pages.length - 1; i >= 0; i--) {
    out[i] = last.get(pages[i]!) ?? -1;
    last.set(pages[i]!, i);
  }
  return out;
}

/**
 * A batch's rows as text, one a row: op, VM name, address halves, size, time, line and the
 * content token as a string (JSON: "" for none), so that two readers' token ids need not agree.
 */
export function rowTexts(b: RowBatch, vmNames: readonly string[], tokens: readonly string[]): string[] {
  const rows: string[] = [];
  for (let i = 0; i < b.length; i++) {
    const token = JSON.stringify(tokens[b.content[i]!]);
    rows.push([b.op[i], vmNames[b.vm[i]!], b.addrHi[i], b.addrLo[i], b.size[i], b.time[i], b.line[i], token].join(' '));
  }
  return rows;
}
