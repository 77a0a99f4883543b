import { Command } from 'commander';
import { readShard, runMerge } from '../api/merge.js';
import { throwIfCellsFailed } from './compare.js';
import { emit, type Io } from './io.js';
import { addOutputOptions, type RawOptions } from '../options/options.js';

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
    const result = runMerge(files.map((file) => ({ name: file, text: readShard(file) })));
    emit(io, result, raw);
    throwIfCellsFailed(result.rows);
  });
  return cmd;
}
