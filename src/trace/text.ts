/**
 * Line-oriented trace formats (lackey, din, plain): bytes -> lines -> rows. Each chunk of input
 * is split on bytes and parsed synchronously; rows are handed on in batches. The common lines
 * go through a byte-level fast path (no string per line); every other line - and every bad
 * one - goes through the format's string parser, so both paths accept and reject alike.
 */
import { TraceError } from '../errors.js';
import { RowBatch, type SkipCounts } from './rows.js';

/** Parses one line into `out`; throws TraceError for a bad line. Blank lines never reach it. */
export type LineParser = (line: string, lineNo: number, out: RowBatch, skipped: SkipCounts) => void;

/**
 * Parses the line buf[start, end) (no line terminator) into `out` if it is a common, valid
 * line; returns false, having pushed nothing, to hand it to the LineParser.
 */
export type FastLineParser = (buf: Buffer, start: number, end: number, lineNo: number, out: RowBatch, skipped: SkipCounts) => boolean;

export interface LineReaderOptions {
  display: string;
  skipBadLines: boolean;
  skipped: SkipCounts;
  batchSize?: number;
  /** off: every line through the string parser (differential tests) */
  fast?: FastLineParser | null;
}

/**
 * Runs the parsers over every line of `chunks`, yielding batches that are never over capacity:
 * a batch is handed on once fewer than 2 free rows remain (lackey's `M` makes two rows).
 */
export async function* parseLines(
  chunks: AsyncIterable<Buffer>,
  parse: LineParser,
  opts: LineReaderOptions,
): AsyncGenerator<RowBatch> {
  const capacity = opts.batchSize ?? 8192;
  const fast = opts.fast ?? null;
  const skipped = opts.skipped;
  const batch = new RowBatch(capacity);
  let carry: Buffer | null = null;
  let lineNo = 0;
  const slow = (buf: Buffer, start: number, end: number): void => {
    let line = buf.toString('utf8', start, end);
    if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.trim() === '') return;
    try {
      parse(line, lineNo, batch, skipped);
    } catch (err) {
      if (opts.skipBadLines && err instanceof TraceError) skipped.bad++;
      else throw err;
    }
  };
  const line = (buf: Buffer, start: number, end: number): void => {
    lineNo++;
    if (end > start && buf[end - 1] === 13) end--;
    if (end === start) return;
    if (fast === null || lineNo === 1 || !fast(buf, start, end, lineNo, batch, skipped)) slow(buf, start, end);
  };
  for await (const chunk of chunks) {
    const buf: Buffer = carry === null ? chunk : Buffer.concat([carry, chunk]);
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      line(buf, start, nl);
      start = nl + 1;
      if (batch.length >= capacity - 2) {
        yield batch;
        // The consumer is done with it (batches are never kept): reuse it, no garbage per batch.
        batch.length = 0;
      }
    }
    carry = start < buf.length ? buf.subarray(start) : null;
  }
  if (carry !== null) line(carry, 0, carry.length);
  if (batch.length > 0) yield batch;
}

/** Throws the standard bad-line error. */
export function badLine(display: string, lineNo: number, reason: string, line: string): never {
  throw new TraceError(display, lineNo, reason, line);
}
