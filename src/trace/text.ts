/**
 * Line-oriented trace formats (lackey, din, plain): bytes -> lines -> rows. Each chunk of input
 * is split and parsed synchronously; rows are handed on in batches.
 */
import { StringDecoder } from 'node:string_decoder';
import { TraceError } from '../errors.js';
import { RowBatch, type SkipCounts } from './rows.js';

/** Parses one line into `out`; throws TraceError for a bad line. Blank lines never reach it. */
export type LineParser = (line: string, lineNo: number, out: RowBatch, skipped: SkipCounts) => void;

export interface LineReaderOptions {
  display: string;
  skipBadLines: boolean;
  skipped: SkipCounts;
  batchSize?: number;
}

/**
 * Runs `parse` over every line of `chunks`, yielding batches that are never over capacity: a
 * batch is handed on once fewer than 2 free rows remain (lackey's `M` makes two rows).
 */
export async function* parseLines(
  chunks: AsyncIterable<Buffer>,
  parse: LineParser,
  opts: LineReaderOptions,
): AsyncGenerator<RowBatch> {
  const decoder = new StringDecoder('utf8');
  const capacity = opts.batchSize ?? 8192;
  let batch = new RowBatch(capacity);
  let carry = '';
  let lineNo = 0;
  const handle = (line: string): void => {
    lineNo++;
    if (line.length !== 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.length === 0 || line.trim() === '') return;
    try {
      parse(line, lineNo, batch, opts.skipped);
    } catch (err) {
      if (opts.skipBadLines && err instanceof TraceError) opts.skipped.bad++;
      else throw err;
    }
  };
  for await (const chunk of chunks) {
    const text = carry + decoder.write(chunk);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      handle(text.slice(start, nl));
      start = nl + 1;
      if (batch.length >= capacity - 2) {
        yield batch;
        batch = new RowBatch(capacity);
      }
    }
    carry = text.slice(start);
  }
  carry += decoder.end();
  if (carry.length > 0) handle(carry);
  if (batch.length > 0) yield batch;
}

/** Throws the standard bad-line error. */
export function badLine(display: string, lineNo: number, reason: string, line: string): never {
  throw new TraceError(display, lineNo, reason, line);
}
