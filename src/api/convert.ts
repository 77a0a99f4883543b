/**
 * `convert`: the validation and streaming copy behind `vmmem convert` (src/cli/convert.ts maps
 * argv onto these and prints the result).
 */
import { nameList, TraceError, UsageError } from '../errors.js';
import { interleave, VmRegistry } from '../trace/interleave.js';
import { ContentNames } from '../trace/content.js';
import { createReader } from '../trace/reader.js';
import { openSource, vmNameFromPath, type TraceSource } from '../trace/source.js';
import { FORMAT_KEEPS, openTraceWriter, outputTarget, type TraceWriter } from '../trace/write.js';
import { skipNotes } from '../report/skips.js';
import type { CommandResult } from '../report/result.js';
import { inputsOf } from '../report/stamp.js';
import { parsePageSize, readOptions, type RawOptions } from '../options/options.js';

import { toDocument, type ResultDocument } from './document.js';
import { toRaw, type Library, type ProgressCallback } from './options.js';

/** The raw (command-line) options of `vmmem convert`. */
export interface ConvertRawOptions extends RawOptions {
  to?: string;
  lossy?: boolean;
  vmtPageSize?: string;
}

export interface ConvertHooks {
  /** once the inputs are open: the progress to report the rows copied to */
  started?(sources: TraceSource[]): { update(rows: number): void; stop(): void };
  /** while writing: `abort` removes the half-written file (the CLI calls it on SIGINT); returns the release */
  guard?(abort: () => void): () => void;
}

export interface ConvertRun {
  result: CommandResult;
  /** the trace went to standard output (`-`): there is no result to print, only its notes */
  toStandardOutput: boolean;
  sources: TraceSource[];
}

/** The copy behind `vmmem convert INPUTS... OUTPUT`: writes the trace; its result, unformatted. */
export async function runConvert(inputs: string[], output: string, raw: ConvertRawOptions, hooks: ConvertHooks = {}): Promise<ConvertRun> {
  if (inputs.filter((p) => p === '-').length > 1) throw new UsageError('standard input (-) can be given once');
  const target = outputTarget(output, raw.to);
  const vmtPageSize = raw.vmtPageSize === 'none' ? undefined : parsePageSize({ pageSize: raw.vmtPageSize ?? '4KiB' }, '--vmt-page-size');
  const read = readOptions(raw);
  const sources: TraceSource[] = [];
  for (const p of inputs) sources.push(await openSource(p, read.traceFormat));
  // One content interner for every input: equal tokens stay equal in the output.
  const contents = new ContentNames();
  const readers = sources.map((s) => createReader(s, { ...read, contents }));
  const registry = new VmRegistry();
  const keeps = FORMAT_KEEPS[target.format];
  const lossy = raw.lossy === true;
  const notes: string[] = [];
  let writer: TraceWriter | undefined;
  let hasTime = false;
  let mergedVms = false;
  const open = (): TraceWriter => {
    hasTime = readers.every((r) => r.hasTime);
    if (hasTime && !keeps.time) {
      if (!lossy) throw new UsageError(`${target.display}: ${target.format} traces have no time column, and the input has one: write csv or vmt, or give --lossy to drop it`);
      notes.push(`${target.display}: dropped the time column (--lossy)`);
      hasTime = false;
    }
    let hasContent = readers.some((r) => r.hasContent);
    if (hasContent && !keeps.content) {
      if (!lossy) throw new UsageError(`${target.display}: ${target.format} traces have no content tokens, and the input has some: write csv or vmt, or give --lossy to drop them`);
      notes.push(`${target.display}: dropped the content tokens (--lossy)`);
      hasContent = false;
    }
    // vmt writes VM names first: known up front unless a csv input names VMs as it goes.
    const namesKnown = sources.every((s) => s.format !== 'csv');
    return openTraceWriter(target, { vmNames: namesKnown ? registry.names : undefined, hasTime, vmtPageSize, contents: hasContent ? contents : undefined });
  };
  const progress = hooks.started?.(sources);
  const release = hooks.guard?.(() => writer?.abort());
  try {
    let done = 0;
    for await (const batch of interleave(readers, registry)) {
      writer ??= open();
      if (!keeps.vm && !mergedVms) {
        for (let i = 0; i < batch.length; i++) {
          if (batch.vm[i] === 0) continue;
          const names = nameList(registry.names, 6, false);
          if (!lossy) {
            throw new UsageError(
              `${target.display}: ${target.format} traces cannot name VMs, and the input has several (${names}): write csv or vmt, or give --lossy to merge them`,
            );
          }
          mergedVms = true;
          break;
        }
      }
      await writer.write(batch, registry.names);
      progress?.update((done += batch.length));
    }
    writer ??= open();
    if (writer.rows === 0 && target.format !== 'csv') {
      // The readers refuse an empty plain or vmt trace: do not write one.
      throw new TraceError(inputs.join(', '), 0, `no rows to write: an empty ${target.format} trace could not be read back (csv can be empty)`);
    }
    await writer.close(registry.names);
  } catch (err) {
    writer?.abort();
    throw err;
  } finally {
    release?.();
    progress?.stop();
  }
  if (mergedVms) notes.push(`${target.display}: merged the VMs ${nameList(registry.names, 6, false)} into one (--lossy)`);
  else if (!keeps.vm && registry.names.length === 1 && target.path !== '-' && registry.names[0] !== vmNameFromPath(target.path)) {
    notes.push(`${target.display}: the VM name '${registry.names[0]}' is not kept: a ${target.format} trace's VM is named after its file`);
  }
  notes.push(...skipNotes(readers.map((r) => ({ file: r.source.display, counts: r.skipped }))));
  return {
    result: convertResult(inputs, target.display, target.format, target.gzip, writer, registry.names, hasTime, notes),
    toStandardOutput: target.path === '-',
    sources,
  };
}

function convertResult(
  inputs: string[],
  output: string,
  format: string,
  gzip: boolean,
  writer: TraceWriter,
  vms: readonly string[],
  hasTime: boolean,
  notes: string[],
): CommandResult {
  return {
    command: 'convert',
    config: { inputs, output, format, gzip },
    columns: [
      { key: 'output', heading: 'output', kind: 'text' },
      { key: 'format', heading: 'format', kind: 'text' },
      { key: 'rows', heading: 'rows' },
      { key: 'vms', heading: 'VMs' },
      { key: 'time', heading: 'time', kind: 'text' },
      { key: 'bytes', heading: 'bytes' },
    ],
    rows: [{ output, format: gzip ? `${format}.gz` : format, rows: writer.rows, vms: vms.length, time: hasTime ? 'yes' : 'no', bytes: writer.bytes }],
    extra: { vm_names: [...vms] },
    summary: [`${inputs.join(', ')} -> ${output}: ${writer.rows} rows${vms.length > 0 ? ` of ${vms.length} VM${vms.length === 1 ? '' : 's'} (${nameList(vms, 6, false)})` : ''}`],
    notes,
  };
}

/** Options of {@link convert}: `vmmem convert`'s options in camelCase. */
export interface ConvertOptions extends Library<Omit<ConvertRawOptions, 'format' | 'color' | 'quiet' | 'output' | 'columns' | 'wide' | 'frames' | 'memory' | 'policy' | 'swap' | 'onOom' | 'seed' | 'latency' | 'strictAlloc' | 'tick' | 'agingBits' | 'tau' | 'pageSize'>> {
  /** the traces to read, merged into one with their VMs named as simulate interleaves them */
  inputs: string[];
  /** the trace file to write (its name gives the format: .csv, .txt, .vmt, optionally .gz; `to` overrides) */
  output: string;
  /** told the rows copied so far, once per batch */
  onProgress?: ProgressCallback;
}

/** The result of {@link convert}: `vmmem convert IN... OUT --format json`, parsed. */
export type ConvertResult = ResultDocument<'convert'>;

/**
 * Converts traces to csv, plain or vmt, streaming; the result is what `vmmem convert IN... OUT
 * --format json` prints, parsed.
 *
 * @example
 * await convert({ inputs: ['traces/ls.lackey.gz'], output: 'ls.vmt' });
 */
export async function convert(options: ConvertOptions): Promise<ConvertResult> {
  const { inputs, output, onProgress, ...rest } = options;
  if (output === undefined || output === '-') throw new UsageError('convert: give output, the trace file to write (the library does not write to standard output)');
  const hooks: ConvertHooks = onProgress ? { started: () => ({ update: (rows) => onProgress({ pass: 'copy', rows }), stop() {} }) } : {};
  const { result, sources } = await runConvert(inputs, output, toRaw<ConvertRawOptions>(rest), hooks);
  return toDocument<'convert'>(result, inputsOf(sources));
}
