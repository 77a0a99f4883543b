/**
 * `vmmem convert IN... OUT`: traces from any format to csv, plain or vmt, streaming. Several
 * inputs are merged into one trace with their VMs named, as `simulate` would interleave them.
 */
import { Command } from 'commander';
import { nameList, TraceError, UsageError } from '../errors.js';
import { interleave, VmRegistry } from '../trace/interleave.js';
import { ContentNames } from '../trace/content.js';
import { createReader } from '../trace/reader.js';
import { openSource, vmNameFromPath, type TraceSource } from '../trace/source.js';
import { FORMAT_KEEPS, openTraceWriter, outputTarget, type TraceWriter } from '../trace/write.js';
import { skipNotes } from '../report/skips.js';
import type { CommandResult } from '../report/result.js';
import { emit, inputsOf, type Io } from './io.js';
import { addOutputOptions, addTraceOptions, parsePageSize, readOptions, type RawOptions } from './options.js';
import { onInterrupt } from './interrupt.js';
import { sourcesPlan, startProgress } from './progress.js';

interface ConvertRaw extends RawOptions {
  output?: string;
  to?: string;
  lossy?: boolean;
  vmtPageSize?: string;
}

export function convertCommand(io: Io): Command {
  const cmd = new Command('convert')
    .summary('convert traces between formats')
    .description(
      'Converts traces to csv, plain or vmt (gzip when OUT ends in .gz or --to says so), streaming. ' +
        'Inputs: csv, lackey, din, plain, vmt (lackey and din are input-only). Several inputs are ' +
        'merged into one trace, interleaved as simulate would (by time, else round robin), with ' +
        'their VMs named.\n\n' +
        'csv and vmt keep every field (op, address, size, VM, time); plain keeps op, address and ' +
        'size only: converting a trace with several VMs or a time column to plain is refused ' +
        '(exit 64) unless --lossy. A file is written under a temporary name and renamed when ' +
        'complete.',
    )
    .argument('<paths...>', 'IN... OUT: input traces (- for standard input), then the output (- for standard output)')
    .option('-o, --output <file>', 'the output trace, instead of the last of PATHS (then every PATH is an input)')
    .option('--to <format>', 'output format, overriding OUT\'s name: csv, plain, vmt, optionally .gz (standard output: csv by default)')
    .option('--lossy', 'allow plain output to drop VM names and times')
    .option(
      '--vmt-page-size <size>',
      "vmt output: paged records for this page size, so replays at it skip the hash lookup per access (default 4KiB; 'none': address records)",
    );
  addTraceOptions(cmd);
  addOutputOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nThe result (output,format,rows,vms,time,bytes) goes to standard output, unless\n' +
      'the trace itself does (OUT is -). Notes on skipped lines go to standard error.\n' +
      '\nExamples:\n' +
      '  vmmem convert traces/ls.lackey.gz ls.vmt\n' +
      '  vmmem convert web.csv db.csv both.csv.gz\n' +
      '  vmmem convert big.vmt - --to csv | head\n' +
      '\nExit codes: 0 ok, 64 bad usage or information plain cannot hold, 65 bad trace\n' +
      'data, 66 input missing or unreadable, 73 output cannot be written.',
  );
  cmd.action(async (paths: string[], raw: ConvertRaw) => {
    if (paths.length < 2 && raw.output === undefined) throw new UsageError('convert needs IN and OUT (vmmem convert IN... OUT, or IN... -o OUT)');
    const output = raw.output ?? paths[paths.length - 1]!;
    const inputs = raw.output === undefined ? paths.slice(0, -1) : paths;
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
    const progress = startProgress(io, raw.quiet, sourcesPlan('convert', sources));
    const release = onInterrupt(() => writer?.abort());
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
        progress.update((done += batch.length));
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
      release();
      progress.stop();
    }
    if (mergedVms) notes.push(`${target.display}: merged the VMs ${nameList(registry.names, 6, false)} into one (--lossy)`);
    else if (!keeps.vm && registry.names.length === 1 && target.path !== '-' && registry.names[0] !== vmNameFromPath(target.path)) {
      notes.push(`${target.display}: the VM name '${registry.names[0]}' is not kept: a ${target.format} trace's VM is named after its file`);
    }
    notes.push(...skipNotes(readers.map((r) => ({ file: r.source.display, counts: r.skipped }))));
    if (target.path === '-') {
      if (!raw.quiet) for (const n of notes) io.stderr(`vmmem: ${n}\n`);
      return;
    }
    emit(io, convertResult(inputs, target.display, target.format, target.gzip, writer, registry.names, hasTime, notes), raw, inputsOf(sources));
  });
  return cmd;
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
