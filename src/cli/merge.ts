import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { InputError } from '../errors.js';
import { compareOutcomeFromCsv, compareOutcomeFromJson, compareResult, mergeShards, shardFormat, type SweepSizes } from '../report/compare.js';
import { parseSizeList, resolveSizes } from '../options/sizes.js';
import { throwIfCellsFailed } from './compare.js';
import { emit, type Io } from './io.js';
import { addOutputOptions, type RawOptions } from '../options/options.js';

function readShard(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new InputError(`${file}: no such file`);
    if (e.code === 'EISDIR') throw new InputError(`${file}: is a directory`);
    throw new InputError(`${file}: cannot read (${e.code ?? e.message})`);
  }
}

/** Each trace's size list as compare resolved it (repeats included): what numbers the cells. */
const sweepSizes: SweepSizes = (config, traces) => {
  const list = parseSizeList(config.sizes, config.size_option === 'memory' ? '--memory' : '--frames', config.page_size);
  return traces.map((t) => resolveSizes(list, t.distinct_pages));
};

export function mergeCommand(io: Io): Command {
  const cmd = new Command('merge')
    .summary('join the outputs of compare --shard i/n (JSON or CSV) into the unsharded result')
    .description(
      'Joins the outputs of `vmmem compare ... --shard i/n --format json` (or\n' +
        '--format csv) for i = 1..n (in any order) and prints exactly what the same\n' +
        'compare without --shard prints, in the chosen --format. Every shard must be\n' +
        'given once, all from the same traces and options, all JSON or all CSV.\n' +
        '\n' +
        'A shard\'s CSV has two columns after compare\'s: shard (i/n) and shard_data\n' +
        '(JSON: the row\'s unrounded fault_rate and eat_ns, its trace\'s statistics and\n' +
        'the run\'s config), so that cut -d, -f1-13 still gives compare\'s columns. A\n' +
        'shard with no cells prints the header alone; merge takes such a file as one of\n' +
        'the shards no other file is.',
    )
    .argument('<file...>', 'shard outputs (compare --shard i/n --format json or csv); - reads one from standard input');
  addOutputOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nExamples (GNU parallel, 8 shards; JSON, then CSV):\n' +
      "  parallel 'vmmem compare t.vmt --shard {}/8 --format json > s{}.json' ::: $(seq 8)\n" +
      '  vmmem merge s*.json --format csv > sweep.csv\n' +
      "  parallel 'vmmem compare t.vmt --shard {}/8 --format csv > s{}.csv' ::: $(seq 8)\n" +
      '  vmmem merge s*.csv --format csv > sweep.csv\n' +
      '\nExit codes: 0 ok, 3 or 70 as the unsharded compare would give (a failed cell),\n' +
      '64 shards missing, repeated, from different runs or of both formats, 65 a file\n' +
      'that is not compare --shard output, 66 a file missing or unreadable.',
  );
  cmd.action((files: string[], raw: RawOptions) => {
    const parts = files.map((file) => {
      const text = readShard(file);
      const format = shardFormat(text);
      return { file, format, outcome: format === 'json' ? compareOutcomeFromJson(text, file) : compareOutcomeFromCsv(text, file) };
    });
    const result = compareResult(mergeShards(parts, sweepSizes));
    emit(io, result, raw);
    throwIfCellsFailed(result.rows);
  });
  return cmd;
}
