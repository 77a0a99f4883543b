/**
 * csv with --skip-bad-lines, from the first line the byte-level fast path hands over (quotes,
 * comments, a BOM, CR line ends). csv-parse's own `skip_records_with_error` cannot resynchronise
 * after a quoting error: it goes on reading the rest of the file as one quoted field, so good
 * lines after a bad quote were lost. Here the records are cut first - at a line end outside
 * quotes, a `#` outside quotes starting a comment up to the line end, as csv-parse reads them -
 * and handed to csv-parse in groups; a group it refuses is read again record by record, and only
 * the records it refuses are skipped. A quote that is never closed (by the end of the input, or
 * within MAX_RECORD_BYTES) makes the line it opened on the bad one, and reading resumes on the
 * next line.
 */
import { parse as parseSync } from 'csv-parse/sync';

/** The longest record csv-parse is given (also its `max_record_size` in strict mode). */
export const MAX_RECORD_BYTES = 16 * 2 ** 20;

/** Records per csv-parse call: one call per record would be slow, one per file unrecoverable. */
const GROUP = 512;

const QUOTE = 34;
const HASH = 35;
const NL = 10;

export interface SkippingCsvOptions {
  /** the input begins at the start of the file (a BOM may come first; the line end is not known yet) */
  fromStart: boolean;
  /** '\n' or '\r\n' when the fast path has seen it */
  recordDelimiter?: string;
  /** line number of the first line handed over */
  firstLine: number;
  /** a record csv-parse read: its fields and the line it ends on; false when it was a bad row (skipped and counted) */
  onRecord(fields: string[], line: number): boolean;
  /** a record csv-parse refused, skipped */
  onBad(): void;
}

interface Cut {
  start: number;
  end: number;
  /** line the record starts on */
  line: number;
  /** line it ends on */
  lastLine: number;
}

export class SkippingCsvParser {
  private pending: Buffer = Buffer.alloc(0);
  /** scan position in `pending` */
  private at = 0;
  private inQuote = false;
  private inComment = false;
  /** start of the record being scanned, and its first line */
  private recordStart = 0;
  private recordLine: number;
  /** line number at `at` */
  private line: number;
  private cuts: Cut[] = [];
  private first = true;
  /** the input has ended: a quote at the very end closes its field */
  private ended = false;

  private recordDelimiter: string | undefined;

  constructor(private readonly opts: SkippingCsvOptions) {
    this.recordDelimiter = opts.recordDelimiter;
    this.line = opts.firstLine;
    this.recordLine = opts.firstLine;
  }

  write(chunk: Buffer): void {
    if (this.first && this.opts.fromStart && chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    this.first = false;
    // Keep the bytes from the current record on (everything before it has been parsed).
    this.pending = this.pending.length === this.recordStart ? chunk : Buffer.concat([this.pending.subarray(this.recordStart), chunk]);
    this.at -= this.recordStart;
    this.recordStart = 0;
    do this.scan();
    while (this.flush());
  }

  finish(): void {
    this.ended = true;
    for (;;) {
      this.scan();
      if (this.flush()) continue;
      if (this.inQuote) {
        // The input ended inside a quote: the record's first line is bad; read on from the next.
        this.skipFirstLine();
        continue;
      }
      if (this.recordStart < this.pending.length) {
        // the last record, without a line end
        this.cuts.push({ start: this.recordStart, end: this.pending.length, line: this.recordLine, lastLine: this.line });
        this.recordStart = this.pending.length;
        if (this.flush()) continue;
      }
      break;
    }
  }

  /** Finds record ends from `at` on, parsing every GROUP records. */
  private scan(): void {
    for (;;) {
      const b = this.pending;
      let i = this.at;
      let rewound = false;
      for (; i < b.length; i++) {
        const c = b[i]!;
        if (this.inQuote) {
          if (c === QUOTE) {
            if (i + 1 < b.length && b[i + 1] === QUOTE) i++; // "" inside quotes
            else if (i + 1 >= b.length && !this.ended) break; // "" or a closing quote: wait for the next byte
            else this.inQuote = false;
          } else if (c === NL) this.line++;
          continue;
        }
        if (c === NL) {
          // From the start of the file, the first line says how lines end (as the fast path has
          // it): csv-parse guessing again for every group could guess differently.
          this.recordDelimiter ??= i > 0 && b[i - 1] === 13 ? '\r\n' : '\n';
          this.inComment = false;
          this.cuts.push({ start: this.recordStart, end: i + 1, line: this.recordLine, lastLine: this.line });
          this.line++;
          this.recordStart = i + 1;
          this.recordLine = this.line;
          if (this.cuts.length >= GROUP) {
            this.at = i + 1;
            if (this.flush()) {
              rewound = true;
              break;
            }
          }
        } else if (this.inComment) continue;
        else if (c === QUOTE) this.inQuote = true;
        else if (c === HASH) this.inComment = true;
      }
      if (rewound) continue;
      this.at = i;
      if (this.inQuote && this.at - this.recordStart > MAX_RECORD_BYTES) {
        if (!this.flush()) this.skipFirstLine();
        continue;
      }
      return;
    }
  }

  /** Skips the first line of the record at `recordStart` as bad, and scans again from the next line. */
  private skipFirstLine(): void {
    const nl = this.pending.indexOf(NL, this.recordStart);
    this.opts.onBad();
    this.restartAt(nl < 0 ? this.pending.length : nl + 1, this.recordLine + 1);
  }

  private restartAt(offset: number, line: number): void {
    this.inQuote = false;
    this.inComment = false;
    this.cuts = [];
    this.recordStart = offset;
    this.at = offset;
    this.recordLine = line;
    this.line = line;
  }

  /**
   * Parses the records cut so far: all at once, or one by one when csv-parse refuses the group.
   * A bad record (refused by csv-parse, or a bad row) of one line is skipped; of several lines
   * (most likely a quote opened by mistake and closed by another line's quote) only its first
   * line is, and reading goes back to the next line: true then (the cuts after it are dropped,
   * to be cut again).
   */
  private flush(): boolean {
    if (this.cuts.length === 0) return false;
    const cuts = this.cuts;
    this.cuts = [];
    const first = cuts[0]!;
    const parsed = this.parse(this.pending.subarray(first.start, cuts[cuts.length - 1]!.end));
    if (parsed !== null) {
      // Each record is the cut it ends with (by bytes: csv-parse counts a CRLF inside quotes
      // as two lines); its line is the cut's last line.
      let c = 0;
      for (const r of parsed) {
        while (c < cuts.length - 1 && cuts[c]!.end - first.start < r.info.bytes) c++;
        const cut = cuts[c]!;
        if (!this.opts.onRecord(r.record, cut.lastLine) && this.rewind(cut)) return true;
      }
      return false;
    }
    for (const cut of cuts) {
      const one = this.parse(this.pending.subarray(cut.start, cut.end));
      if (one === null) {
        this.opts.onBad();
        if (this.rewind(cut)) return true;
        continue;
      }
      for (const r of one) if (!this.opts.onRecord(r.record, cut.lastLine) && this.rewind(cut)) return true;
    }
    return false;
  }

  /** A bad record of several lines: go back to its second line (its first was counted bad). */
  private rewind(cut: Cut): boolean {
    if (cut.lastLine === cut.line) return false;
    const nl = this.pending.indexOf(NL, cut.start);
    this.restartAt(nl + 1, cut.line + 1);
    return true;
  }

  private parse(text: Buffer): { record: string[]; info: { bytes: number } }[] | null {
    try {
      return parseSync(text, {
        bom: false,
        comment: '#',
        skip_empty_lines: true,
        relax_column_count: true,
        info: true,
        max_record_size: MAX_RECORD_BYTES,
        ...(this.recordDelimiter ? { record_delimiter: this.recordDelimiter } : {}),
      }) as unknown as { record: string[]; info: { bytes: number } }[];
    } catch {
      return null;
    }
  }
}
