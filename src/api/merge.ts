/**
 * `merge`: the outputs of `compare --shard i/n` joined into the unsharded result, behind
 * `vmmem merge` (src/cli/merge.ts reads the files and formats what this returns).
 */
import { readFileSync } from 'node:fs';
import { InputError, UsageError } from '../errors.js';
import { compareOutcomeFromCsv, compareOutcomeFromJson, compareResult, mergeShards, shardFormat, type SweepSizes } from '../report/compare.js';
import type { CommandResult } from '../report/result.js';
import { parseSizeList, resolveSizes } from '../options/sizes.js';
import { toDocument, type ResultDocument } from './document.js';
import type { CompareResult } from './compare.js';

/** A shard file's text ('-': standard input); 66 when it cannot be read. */
export function readShard(file: string): string {
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

/** Shards as text (JSON or CSV output of compare --shard i/n), each named for messages -> the unsharded result. */
export function runMerge(shards: readonly { name: string; text: string }[]): CommandResult {
  if (shards.length === 0) throw new UsageError('no shard: give the outputs of compare --shard i/n');
  const parts = shards.map(({ name, text }) => {
    const format = shardFormat(text);
    return { file: name, format, outcome: format === 'json' ? compareOutcomeFromJson(text, name) : compareOutcomeFromCsv(text, name) };
  });
  return compareResult(mergeShards(parts, sweepSizes));
}

export interface MergeOptions {
  /**
   * the shards, in any order, each once: files written by `vmmem compare ... --shard i/n`
   * (`--format json` or `csv`), or the results `compare({ ..., shard: 'i/n' })` returned
   */
  shards: readonly (string | ResultDocument<'compare'>)[];
}

/**
 * `vmmem merge SHARDS...`: the result the same compare without `shard` returns. A failed cell
 * keeps its row with `error` set (no throw), as in compare().
 */
export async function merge(options: MergeOptions): Promise<CompareResult> {
  const shards = options.shards.map((s, i) => {
    if (typeof s !== 'string') return { name: `shards[${i}]`, text: JSON.stringify(s) };
    if (s === '-') throw new UsageError('standard input (-) is not read by the library: pass the shard file');
    return { name: s, text: readShard(s) };
  });
  return toDocument<'compare'>(runMerge(shards));
}
