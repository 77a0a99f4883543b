/**
 * `vmmem convert IN... OUT`: traces from any format to csv, plain or vmt, streaming. Several
 * inputs are merged into one trace with their VMs named, as `simulate` would interleave them.
 */
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { emit, type Io } from './io.js';
import { inputsOf } from '../report/stamp.js';
import { addOutputOptions, addTraceOptions } from '../options/options.js';
import { onInterrupt } from './interrupt.js';
import { sourcesPlan, startProgress } from './progress.js';
import { runConvert, type ConvertRawOptions } from '../api/convert.js';

interface ConvertRaw extends ConvertRawOptions {
  output?: string;
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
    const { result, toStandardOutput, sources } = await runConvert(inputs, output, raw, {
      started: (sources) => startProgress(io, raw.quiet, sourcesPlan('convert', sources)),
      guard: onInterrupt,
    });
    if (toStandardOutput) {
      if (!raw.quiet) for (const n of result.notes ?? []) io.stderr(`vmmem: ${n}\n`);
      return;
    }
    emit(io, result, raw, inputsOf(sources));
  });
  return cmd;
}
