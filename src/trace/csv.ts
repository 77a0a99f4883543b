/**
 * CSV traces, read with csv-parse (quotes, BOM, `#` comments). A header row names the columns,
 * case-insensitive and in any order; unknown columns are ignored:
 *   addr (alias address, required)  op (default R)  vm  time  size (default 1)
 */
import { parse, CsvError } from 'csv-parse';
import { TraceError } from '../errors.js';
import { parseAddress, parsed, parseFailure, spanFits } from './address.js';
import { OP_RESET, RowBatch, opFromText, type SkipCounts } from './rows.js';

export interface CsvColumns {
  addr: number;
  op: number;
  vm: number;
  time: number;
  size: number;
}

/** Maps a header row to column indices; -1 where absent. Throws without an `addr` column. */
export function csvColumns(header: string[], display: string, lineNo: number, text: string): CsvColumns {
  const names = header.map((h) => h.trim().toLowerCase());
  const find = (...aliases: string[]): number => names.findIndex((n) => aliases.includes(n));
  const cols = { addr: find('addr', 'address'), op: find('op'), vm: find('vm'), time: find('time'), size: find('size') };
  if (cols.addr < 0) {
    throw new TraceError(display, lineNo, "header has no 'addr' column (columns: addr, op, vm, time, size)", text);
  }
  return cols;
}

/** Interns VM names to small local indices, in order of first appearance. */
export class VmNames {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  constructor(private readonly fallback: string) {}
  get(name: string | undefined): number {
    const key = name === undefined || name === '' ? this.fallback : name;
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.names.length;
      if (i >= 65535) throw new RangeError('more than 65535 VMs in one trace');
      this.names.push(key);
      this.index.set(key, i);
    }
    return i;
  }
}

/**
 * Turns the fields of one data row into a row of `out`. Shared by the csv-parse path and the
 * fast scanner so that both accept and reject exactly the same rows.
 */
export function csvRow(
  fields: readonly string[],
  cols: CsvColumns,
  vms: VmNames,
  bareHex: boolean,
  out: RowBatch,
  display: string,
  lineNo: number,
  text: string,
): void {
  const opText = cols.op >= 0 ? fields[cols.op]!.trim() : 'R';
  const op = opText === '' ? 0 : opFromText(opText);
  if (op < 0 || /^[LS]$/i.test(opText)) throw new TraceError(display, lineNo, `unknown op '${opText}' (R, W, A, F or RESET)`, text);
  const addrText = fields[cols.addr]!.trim();
  if (op === OP_RESET && addrText === '') {
    // RESET frees everything the VM holds: it needs no address (as in plain traces).
    parsed.hi = 0;
    parsed.lo = 0;
  } else if (!parseAddress(addrText, bareHex)) throw new TraceError(display, lineNo, parseFailure, text);
  let size = 1;
  if (cols.size >= 0) {
    const s = fields[cols.size]!.trim();
    if (s !== '') {
      size = Number(s);
      if (!/^(\d+|0x[0-9a-f]+)$/i.test(s) || size < 1 || !Number.isSafeInteger(size)) {
        throw new TraceError(display, lineNo, 'size is not a positive whole number', text);
      }
    }
  }
  let time = NaN;
  if (cols.time >= 0) {
    const t = fields[cols.time]!.trim();
    time = Number(t);
    if (t === '' || !Number.isFinite(time)) throw new TraceError(display, lineNo, 'time is not a number', text);
  }
  if (!spanFits(parsed.hi, parsed.lo, size)) throw new TraceError(display, lineNo, 'access runs past the end of the 64-bit address space', text);
  const vm = vms.get(cols.vm >= 0 ? fields[cols.vm]!.trim() : undefined);
  out.push(op, vm, parsed.hi, parsed.lo, size, time, lineNo);
}

export interface CsvReadOptions {
  display: string;
  bareHex: boolean;
  skipBadLines: boolean;
  skipped: SkipCounts;
  vms: VmNames;
  /** set once the header is read */
  onHeader?: (cols: CsvColumns) => void;
  batchSize?: number;
}

function csvParseError(err: unknown, display: string): TraceError {
  if (err instanceof TraceError) return err;
  if (err instanceof CsvError) {
    const line = (err as unknown as { lines?: number }).lines ?? 0;
    const reason = err.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' ? 'wrong number of columns' : err.message.replace(/^Invalid [^:]*:\s*/, '');
    const record = (err as unknown as { record?: string[] }).record;
    return new TraceError(display, line, reason, record ? record.join(',') : undefined);
  }
  throw err;
}

/** The general CSV path: every dialect csv-parse knows. */
export async function* readCsv(chunks: AsyncIterable<Buffer>, opts: CsvReadOptions): AsyncGenerator<RowBatch> {
  const capacity = opts.batchSize ?? 8192;
  let failure: unknown;
  const parser = parse({
    bom: true,
    comment: '#',
    skip_empty_lines: true,
    info: true,
    skip_records_with_error: opts.skipBadLines,
    on_skip: () => {
      opts.skipped.bad++;
      return undefined;
    },
  });
  parser.on('error', (err) => {
    failure ??= err;
  });
  let cols: CsvColumns | undefined;
  let batch = new RowBatch(capacity);
  const drain = (): void => {
    for (;;) {
      const item = parser.read() as { record: string[]; info: { lines: number } } | null;
      if (item === null) return;
      const { record, info } = item;
      const text = record.join(',');
      if (!cols) {
        cols = csvColumns(record, opts.display, info.lines, text);
        opts.onHeader?.(cols);
        continue;
      }
      try {
        csvRow(record, cols, opts.vms, opts.bareHex, batch, opts.display, info.lines, text);
      } catch (err) {
        if (opts.skipBadLines && err instanceof TraceError) opts.skipped.bad++;
        else throw err;
      }
      if (batch.full) return;
    }
  };
  const flushAll = function* (): Generator<RowBatch> {
    for (;;) {
      drain();
      if (failure) throw csvParseError(failure, opts.display);
      if (!batch.full) return;
      yield batch;
      batch = new RowBatch(capacity);
    }
  };
  for await (const chunk of chunks) {
    parser.write(chunk);
    yield* flushAll();
  }
  await new Promise<void>((resolve) => {
    parser.once('finish', resolve);
    parser.once('error', () => resolve());
    parser.end();
  });
  yield* flushAll();
  if (!cols) throw new TraceError(opts.display, 0, 'empty CSV trace: no header row');
  if (batch.length > 0) yield batch;
}
