/**
 * CSV traces, read with csv-parse (quotes, BOM, `#` comments). A header row names the columns,
 * case-insensitive and in any order; unknown columns are ignored:
 *   addr (alias address, required)  op (default R)  vm  time  size (default 1)
 *   content (optional: a token of the page content a W or A row leaves; see content.ts)
 */
import { parse, CsvError } from 'csv-parse';
import { quoted, TraceError } from '../errors.js';
import { MAX_ROW_BYTES, parseAddress, parsed, parseFailure, parseSize, spanFits } from './address.js';
import { scanAddress, scanDecimal } from './bytes.js';
import { MAX_RECORD_BYTES, SkippingCsvParser } from './csv-skip.js';
import type { ContentNames } from './content.js';
import { OP_ALLOC, OP_RESET, OP_WRITE, RowBatch, opFromText, type SkipCounts } from './rows.js';

export interface CsvColumns {
  /** number of columns in the header */
  width: number;
  addr: number;
  op: number;
  vm: number;
  time: number;
  size: number;
  content: number;
}

/** Maps a header row to column indices; -1 where absent. Throws without an `addr` column. */
export function csvColumns(header: string[], display: string, lineNo: number, text: string): CsvColumns {
  const names = header.map((h) => h.trim().toLowerCase());
  const find = (...aliases: string[]): number => names.findIndex((n) => aliases.includes(n));
  const cols = { width: header.length, addr: find('addr', 'address'), op: find('op'), vm: find('vm'), time: find('time'), size: find('size'), content: find('content') };
  if (cols.addr < 0) {
    throw new TraceError(display, lineNo, "header has no 'addr' column (columns: addr, op, vm, time, size, content)", text);
  }
  return cols;
}

/** The most VMs one trace may name (VM indices are 16-bit; 0xffff is kept free). */
export const MAX_TRACE_VMS = 65535;

/** Interns VM names to small local indices, in order of first appearance. */
export class VmNames {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  constructor(private readonly fallback: string) {}
  /** The VM's index; -1 for a new name when the trace already names MAX_TRACE_VMS VMs. */
  get(name: string | undefined): number {
    const key = name === undefined || name === '' ? this.fallback : name;
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.names.length;
      if (i >= MAX_TRACE_VMS) return -1;
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
  contents: ContentNames,
  clock?: { last: number },
): void {
  const opText = cols.op >= 0 ? fields[cols.op]!.trim() : 'R';
  const op = opText === '' ? 0 : opFromText(opText);
  if (op < 0 || /^[LS]$/i.test(opText)) throw new TraceError(display, lineNo, `unknown op ${quoted(opText)} (R, W, A, F or RESET)`, text);
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
      const parsedSize = parseSize(s);
      if (typeof parsedSize === 'string') throw new TraceError(display, lineNo, parsedSize, text);
      size = parsedSize;
    }
  }
  let time = NaN;
  if (cols.time >= 0) {
    const t = fields[cols.time]!.trim();
    time = Number(t);
    if (t === '' || !Number.isFinite(time)) throw new TraceError(display, lineNo, 'time is not a number', text);
    // Checked here, where the line's text is at hand, so that --skip-bad-lines can skip it too.
    if (clock !== undefined && time < clock.last) throw new TraceError(display, lineNo, `time goes backwards: ${time} after ${clock.last}`, text);
  }
  if (!spanFits(parsed.hi, parsed.lo, size)) throw new TraceError(display, lineNo, 'access runs past the end of the 64-bit address space', text);
  let content = 0;
  if (cols.content >= 0) {
    const token = fields[cols.content]!.trim();
    if (token !== '') {
      // A token says what a page holds after the row: only writes and allocations change it.
      if (op !== OP_WRITE && op !== OP_ALLOC) throw new TraceError(display, lineNo, `content on a${op === 0 ? ' read' : 'n F or RESET'} row (only W and A rows set a page's content)`, text);
      content = contents.id(token);
    }
  }
  const hi = parsed.hi;
  const lo = parsed.lo;
  const vm = vms.get(cols.vm >= 0 ? fields[cols.vm]!.trim() : undefined);
  if (vm < 0) throw new TraceError(display, lineNo, `more than ${MAX_TRACE_VMS} VMs in one trace`, text);
  if (clock !== undefined && cols.time >= 0) clock.last = time;
  out.push(op, vm, hi, lo, size, time, lineNo, content);
}

export interface CsvReadOptions {
  display: string;
  bareHex: boolean;
  skipBadLines: boolean;
  skipped: SkipCounts;
  vms: VmNames;
  /** the run's content tokens */
  contents: ContentNames;
  /** set once the header is read */
  onHeader?: (cols: CsvColumns) => void;
  batchSize?: number;
  /** false: everything through csv-parse (differential tests); default on */
  fastPath?: boolean;
}

const CSV_REASONS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'quote not closed',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote not followed by a comma or the line end',
  CSV_INVALID_OPENING_QUOTE: 'a quote inside an unquoted field',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'wrong number of columns',
  CSV_MAX_RECORD_SIZE: `a record over ${MAX_RECORD_BYTES / 2 ** 20} MiB (a quote not closed?)`,
};

/** csv-parse's errors in vmmem's words; `offset` = lines before csv-parse's input began. */
function csvParseError(err: unknown, display: string, offset: number): TraceError {
  if (err instanceof TraceError) return err;
  if (err instanceof CsvError) {
    const line = ((err as unknown as { lines?: number }).lines ?? 0) + offset;
    const reason = CSV_REASONS[err.code] ?? err.message.split(':')[0]!.toLowerCase();
    const record = (err as unknown as { record?: string[] }).record;
    return new TraceError(display, line, reason, record ? record.join(',') : undefined);
  }
  throw err;
}

interface GeneralParser {
  write(chunk: Buffer): void;
  finish(): Promise<void>;
}

/** Checks a record's width against the header's, in both paths. */
function checkWidth(fields: number, cols: CsvColumns, display: string, lineNo: number, text: string): void {
  if (fields !== cols.width) throw new TraceError(display, lineNo, 'wrong number of columns', text);
}

/**
 * CSV traces. Common lines (unquoted fields, no comment, no stray CR) are split and parsed on
 * bytes; from the first line that is not common, the rest of the file goes through csv-parse,
 * which knows every dialect (quotes, comments, BOM, CR line ends). Both paths share csvRow and
 * checkWidth, so they accept and reject exactly the same rows.
 */
export async function* readCsv(chunks: AsyncIterable<Buffer>, opts: CsvReadOptions): AsyncGenerator<RowBatch> {
  const capacity = opts.batchSize ?? 8192;
  const { display, vms, bareHex, skipped, contents } = opts;
  let batch = new RowBatch(capacity);
  let cols: CsvColumns | undefined;
  let lineNo = 0;
  /** 1: lines end in \n; 2: lines end in \r\n; 0: not known yet */
  let ending = 0;
  /** csv-parse, once the fast path has handed over (null before) */
  let general = null as GeneralParser | null;
  let generalOffset = 0;
  let failure: unknown;
  const pending: RowBatch[] = [];
  /** the time of the last row taken: a trace's time may not go backwards */
  const clock = { last: -Infinity };

  // Batches handed on are reused once the consumer is done with them (batches are never kept).
  const spare: RowBatch[] = [];
  const emit = (): void => {
    if (batch.full) {
      pending.push(batch);
      batch = spare.pop() ?? new RowBatch(capacity);
      batch.length = 0;
    }
  };

  /** One record; false when it was bad and skipped (--skip-bad-lines). */
  const record = (fields: string[], line: number, text: string): boolean => {
    if (!cols) {
      cols = csvColumns(fields, display, line, text);
      opts.onHeader?.(cols);
      return true;
    }
    let good = true;
    try {
      checkWidth(fields.length, cols, display, line, text);
      csvRow(fields, cols, vms, bareHex, batch, display, line, text, contents, clock);
    } catch (err) {
      if (opts.skipBadLines && err instanceof TraceError) {
        skipped.bad++;
        good = false;
      } else throw err;
    }
    emit();
    return good;
  };

  const startGeneral = (): void => {
    const fromStart = lineNo <= 1 && !cols;
    generalOffset = Math.max(0, lineNo - 1);
    if (opts.skipBadLines) {
      // csv-parse cannot skip a bad quote and go on: see csv-skip.ts
      const skipping = new SkippingCsvParser({
        fromStart,
        recordDelimiter: fromStart ? undefined : ending === 2 ? '\r\n' : '\n',
        firstLine: generalOffset + 1,
        onRecord: (fields, line) => record(fields, line, fields.join(',')),
        onBad: () => {
          skipped.bad++;
        },
      });
      general = {
        write: (chunk) => skipping.write(chunk),
        finish: async () => skipping.finish(),
      };
      return;
    }
    const parser = parse({
      bom: fromStart,
      comment: '#',
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      // A quote never closed would read the rest of the file into one field: stop it.
      max_record_size: MAX_RECORD_BYTES,
      ...(fromStart ? {} : { record_delimiter: ending === 2 ? '\r\n' : '\n' }),
    });
    parser.on('error', (err) => {
      failure ??= err;
    });
    const drain = (): void => {
      for (;;) {
        if (failure) throw csvParseError(failure, display, generalOffset);
        const item = parser.read() as { record: string[]; info: { lines: number } } | null;
        if (item === null) return;
        record(item.record, item.info.lines + generalOffset, item.record.join(','));
      }
    };
    general = {
      write: (chunk) => {
        parser.write(chunk);
        drain();
      },
      finish: async () => {
        drain();
        // After an error csv-parse emits no 'finish': never wait for one then.
        await new Promise<void>((resolve) => {
          if (failure) return resolve();
          parser.once('finish', resolve);
          parser.once('error', () => resolve());
          parser.end();
        });
        drain();
      },
    };
  };

  // Field boundaries of the current line (reused; no allocation per line).
  let starts = new Int32Array(16);
  let ends = new Int32Array(16);
  let lastVmBytes: Buffer | null = null;
  let lastVm = 0;

  /** Splits buf[start, end) on commas; -1 when the line is not common. */
  const split = (buf: Buffer, start: number, end: number): number => {
    let n = 0;
    let fieldStart = start;
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c === 44) {
        if (n + 1 >= starts.length) {
          const s2 = new Int32Array(starts.length * 2);
          s2.set(starts);
          starts = s2;
          const e2 = new Int32Array(ends.length * 2);
          e2.set(ends);
          ends = e2;
        }
        starts[n] = fieldStart;
        ends[n++] = i;
        fieldStart = i + 1;
      } else if (c === 34 || c === 35 || c === 13) return -1;
    }
    starts[n] = fieldStart;
    ends[n++] = end;
    return n;
  };

  const fieldText = (buf: Buffer, n: number): string[] => {
    const fields: string[] = [];
    for (let k = 0; k < n; k++) fields.push(buf.toString('utf8', starts[k]!, ends[k]!));
    return fields;
  };

  /** A data line on bytes: true when done, false to hand it to csvRow as strings. */
  const fastRow = (buf: Buffer, n: number, c: CsvColumns): boolean => {
    // Rows with a content token go through csvRow (interning a string is no byte-level job).
    if (c.content >= 0 && ends[c.content]! > starts[c.content]!) return false;
    let op = 0;
    if (c.op >= 0) {
      const s = starts[c.op]!;
      const len = ends[c.op]! - s;
      if (len === 1) {
        const ch = buf[s]! | 32;
        if (ch === 114) op = 0;
        else if (ch === 119) op = 1;
        else if (ch === 97) op = 2;
        else if (ch === 102) op = 3;
        else return false;
      } else if (len !== 0) return false;
    }
    let size = 1;
    if (c.size >= 0 && ends[c.size]! > starts[c.size]!) {
      size = scanDecimal(buf, starts[c.size]!, ends[c.size]!);
      if (size < 1 || size > MAX_ROW_BYTES) return false;
    }
    let time = NaN;
    if (c.time >= 0) {
      time = scanDecimal(buf, starts[c.time]!, ends[c.time]!);
      if (time < 0 || time < clock.last) return false;
    }
    if (!scanAddress(buf, starts[c.addr]!, ends[c.addr]!, bareHex)) return false;
    if (!spanFits(parsed.hi, parsed.lo, size)) return false;
    let vm = 0;
    if (c.vm >= 0) {
      const s = starts[c.vm]!;
      const e = ends[c.vm]!;
      if (lastVmBytes !== null && lastVmBytes.length === e - s && buf.compare(lastVmBytes, 0, lastVmBytes.length, s, e) === 0) vm = lastVm;
      else {
        const name = buf.toString('utf8', s, e);
        if (name !== name.trim()) return false;
        vm = vms.get(name);
        if (vm < 0) return false; // csvRow says why
        lastVmBytes = Buffer.from(buf.subarray(s, e));
        lastVm = vm;
      }
    } else vm = vms.get(undefined);
    if (c.time >= 0) clock.last = time;
    batch.push(op, vm, parsed.hi, parsed.lo, size, time, lineNo);
    return true;
  };

  /** One line in fast mode; false: switch to csv-parse from this line on. */
  const fastLine = (buf: Buffer, start: number, end: number): boolean => {
    if (lineNo === 1) {
      if (end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) return false;
    }
    if (end > start && buf[end - 1] === 13) {
      if (ending === 0) ending = 2;
      if (ending !== 2) return false;
      end--;
    } else {
      if (ending === 0 && end > start) ending = 1;
      if (ending === 2) return false;
    }
    if (end === start) return true; // an empty line
    const n = split(buf, start, end);
    if (n < 0) return false;
    if (!cols) {
      record(fieldText(buf, n), lineNo, buf.toString('utf8', start, end));
      return true;
    }
    try {
      if (n !== cols.width || !fastRow(buf, n, cols)) {
        const text = buf.toString('utf8', start, end);
        checkWidth(n, cols, display, lineNo, text);
        csvRow(fieldText(buf, n), cols, vms, bareHex, batch, display, lineNo, text, contents, clock);
      }
    } catch (err) {
      if (opts.skipBadLines && err instanceof TraceError) skipped.bad++;
      else throw err;
    }
    emit();
    return true;
  };

  if (opts.fastPath === false) startGeneral();
  let carry: Buffer | null = null;
  for await (const chunk of chunks) {
    if (general !== null) general.write(chunk);
    else {
      const buf: Buffer = carry === null ? chunk : Buffer.concat([carry, chunk]);
      carry = null;
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(10, start);
        if (nl < 0) break;
        lineNo++;
        if (!fastLine(buf, start, nl)) {
          startGeneral();
          general!.write(buf.subarray(start));
          start = buf.length;
          break;
        }
        start = nl + 1;
      }
      if (general === null && start < buf.length) carry = buf.subarray(start);
    }
    while (pending.length > 0) {
      const done = pending.shift()!;
      yield done;
      spare.push(done);
    }
  }
  if (general === null && carry !== null) {
    lineNo++;
    // The last line, without a line end.
    if (!fastLine(carry, 0, carry.length)) {
      startGeneral();
      general!.write(carry);
    }
  }
  if (general !== null) await general.finish();
  while (pending.length > 0) yield pending.shift()!;
  if (!cols) throw new TraceError(display, 0, 'empty CSV trace: no header row');
  if (batch.length > 0) yield batch;
}
