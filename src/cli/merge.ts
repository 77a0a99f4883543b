import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { InputError } from '../errors.js';
import { compareOutcomeFromJson, compareResult, mergeShards } from '../report/compare.js';
import { throwIfCellsFailed } from './compare.js';
import { emit, type Io } from './io.js';
import { addOutputOptions, type RawOptions } from './options.js';

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

export function mergeCommand(io: Io): Command {
  const cmd = new Command('merge')
    .summary('join the JSON outputs of compare --shard i/n into the unsharded result')
    .description(
      'Joins the outputs of `vmmem compare ... --shard i/n --format json` for\n' +
        'i = 1..n (in any order) and prints exactly what the same compare without\n' +
        '--shard prints, in the chosen --format. Every shard must be given once, all\n' +
        'from the same traces and options.',
    )
    .argument('<file...>', 'shard outputs (compare --format json); - reads one from standard input');
  addOutputOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nExample (GNU parallel, 8 shards):\n' +
      "  parallel 'vmmem compare t.vmt --shard {}/8 --format json > s{}.json' ::: $(seq 8)\n" +
      '  vmmem merge s*.json --format csv > sweep.csv\n' +
      '\nExit codes: 0 ok, 3 or 70 as the unsharded compare would give (a failed cell),\n' +
      '64 shards missing, repeated or from different runs, 65 a file that is not\n' +
      'compare JSON, 66 a file missing or unreadable.',
  );
  cmd.action((files: string[], raw: RawOptions) => {
    const parts = files.map((file) => ({ file, outcome: compareOutcomeFromJson(readShard(file), file) }));
    const result = compareResult(mergeShards(parts));
    emit(io, result, raw);
    throwIfCellsFailed(result.rows);
  });
  return cmd;
}
