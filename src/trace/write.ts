/**
 * Trace writers: rows -> csv, plain or vmt bytes, gzip-compressed when the output's name (or
 * `--to`) ends in `.gz`; `-` writes standard output. lackey and din are input-only formats:
 * they record real programs (valgrind's lackey, DineroIV's tools), so vmmem reads them but
 * never writes them.
 *
 * A file is written under a temporary name beside it and renamed into place only once it is
 * complete: a failed or refused run never leaves a half-written trace under the name asked for.
 */
import { createReadStream, createWriteStream, mkdtempSync, openSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { OutputError, UsageError } from '../errors.js';
import { toHex } from './address.js';
import type { ContentNames } from './content.js';
import { OP_NAMES, OP_RESET, type RowBatch } from './rows.js';
import { formatFromName, type TraceFormat } from './source.js';
import { VMT_MAX_NAME_BYTES, vmtHeader, vmtRecords, VmtPagedWriter } from './vmt.js';

export const WRITABLE_FORMATS = ['csv', 'plain', 'vmt'] as const;
export type WritableFormat = (typeof WRITABLE_FORMATS)[number];

/** What each output format keeps besides op, address and size (which all of them keep). */
export const FORMAT_KEEPS: Record<WritableFormat, { vm: boolean; time: boolean; content: boolean }> = {
  csv: { vm: true, time: true, content: true },
  plain: { vm: false, time: false, content: false },
  vmt: { vm: true, time: true, content: true },
};

export interface OutputTarget {
  /** as the user wrote it; `-` for standard output */
  path: string;
  /** for messages */
  display: string;
  format: WritableFormat;
  gzip: boolean;
}

function writable(format: TraceFormat | undefined, what: string): WritableFormat {
  if (format === 'lackey' || format === 'din') {
    throw new UsageError(
      `${what}: ${format} is an input-only format (vmmem reads ${format === 'lackey' ? "valgrind's lackey output" : 'DineroIV traces'} but does not write them); write csv, plain or vmt`,
    );
  }
  if (format === undefined) throw new UsageError(`${what}: cannot tell the output format: name the file .csv, .plain or .vmt (optionally .gz), or give --to`);
  return format;
}

/**
 * Where and how to write: the format from `to` (csv, plain, txt, vmt, optionally with `.gz`)
 * when given, else from the output's name; standard output (`-`) is csv unless `to` says.
 */
export function outputTarget(path: string, to?: string): OutputTarget {
  const display = path === '-' ? '<stdout>' : path;
  let format: WritableFormat;
  let gzip = path !== '-' && /\.gz$/i.test(path);
  if (to !== undefined) {
    const name = to.toLowerCase().replace(/^\./, '');
    const zipped = name.endsWith('.gz');
    const bare = zipped ? name.slice(0, -3) : name;
    const known: Record<string, TraceFormat> = { csv: 'csv', plain: 'plain', txt: 'plain', vmt: 'vmt', lackey: 'lackey', din: 'din' };
    if (!(bare in known)) throw new UsageError(`--to: unknown format '${to}' (csv, plain or vmt, optionally followed by .gz)`);
    format = writable(known[bare], '--to');
    gzip ||= zipped;
  } else if (path === '-') {
    format = 'csv';
  } else {
    format = writable(formatFromName(path), path);
  }
  return { path, display, format, gzip };
}

/**
 * Bytes to a file or standard output, through gzip when asked, with back-pressure (a write
 * waits while the stream's buffer is full) and errors turned into OutputError.
 */
class ByteSink {
  private failure: Error | undefined;
  private readonly head: Writable;
  private readonly gzip: ReturnType<typeof createGzip> | undefined;
  /** bytes handed to the sink, before compression */
  bytes = 0;

  constructor(
    private readonly tail: Writable,
    gzip: boolean,
    private readonly display: string,
    private readonly ownsTail: boolean,
  ) {
    const fail = (err: Error): void => {
      this.failure ??= err;
    };
    tail.on('error', fail);
    if (gzip) {
      // zlib's default level (6: level 9 is several times slower for a few per cent), and no name
      // or time in the header (zlib writes none): the same rows give the same bytes.
      this.gzip = createGzip();
      this.gzip.on('error', fail);
      this.gzip.pipe(tail, { end: ownsTail });
      this.head = this.gzip;
    } else this.head = tail;
  }

  private check(): void {
    if (this.failure) throw writeError(this.display, this.failure);
  }

  async write(chunk: Buffer | string): Promise<void> {
    this.check();
    if (chunk.length === 0) return;
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (!this.head.write(chunk)) await this.waitFor(this.head, 'drain');
    this.check();
  }

  /** Resolves on `event`, rejects on an error of either stream. */
  private waitFor(stream: Writable, event: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const streams = [...new Set([this.head, this.tail])];
      const done = (err?: Error): void => {
        stream.off(event, ok);
        for (const s of streams) s.off('error', done);
        if (err) reject(writeError(this.display, err));
        else resolve();
      };
      const ok = (): void => done();
      stream.once(event, ok);
      for (const s of streams) s.once('error', done);
    });
  }

  async end(): Promise<void> {
    this.check();
    if (this.ownsTail) {
      this.head.end();
      try {
        await finished(this.tail);
      } catch (err) {
        throw writeError(this.display, err as Error);
      }
    } else if (this.gzip) {
      const ended = this.waitFor(this.gzip, 'end');
      this.gzip.end();
      await ended;
    }
    this.check();
  }

  destroy(): void {
    this.gzip?.destroy();
    if (this.ownsTail) this.tail.destroy();
  }
}

function writeError(display: string, err: Error): OutputError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return new OutputError(`${display}: no space left on the device`);
  if (code === 'EPIPE') return new OutputError(`${display}: the reader closed the pipe`);
  return new OutputError(`${display}: cannot write (${code ?? err.message})`);
}

function openError(display: string, err: NodeJS.ErrnoException): OutputError {
  switch (err.code) {
    case 'ENOENT':
      return new OutputError(`${display}: cannot create the file: its directory does not exist`);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new OutputError(`${display}: cannot create the file: permission denied`);
    default:
      return new OutputError(`${display}: cannot create the file (${err.code ?? err.message})`);
  }
}

/** A file under a temporary name in `path`'s directory, renamed to `path` by `commit`. */
class PendingFile {
  readonly temp: string;
  readonly stream: Writable;
  constructor(readonly path: string) {
    try {
      if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
        throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      }
    } catch (err) {
      throw openError(path, err as NodeJS.ErrnoException);
    }
    this.temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    let fd: number;
    try {
      fd = openSync(this.temp, 'w');
    } catch (err) {
      throw openError(path, err as NodeJS.ErrnoException);
    }
    this.stream = createWriteStream('', { fd });
  }
  commit(): void {
    try {
      renameSync(this.temp, this.path);
    } catch (err) {
      throw openError(this.path, err as NodeJS.ErrnoException);
    }
  }
  discard(): void {
    try {
      unlinkSync(this.temp);
    } catch {
      // already gone
    }
  }
}

// ---- encoders ------------------------------------------------------------------------------

/** Which of the optional csv columns to write. */
export interface CsvLayout {
  size: boolean;
  vm: boolean;
  time: boolean;
  /** the `content` column, with the run's tokens (row content id k is names[k]) */
  content?: ContentNames;
}

export function csvHeader(layout: CsvLayout): string {
  return `op,addr${layout.size ? ',size' : ''}${layout.vm ? ',vm' : ''}${layout.time ? ',time' : ''}${layout.content ? ',content' : ''}\n`;
}

function csvField(text: string): string {
  // csv-parse takes `#` anywhere outside quotes as the start of a comment.
  return /[",\n\r#]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Rows as csv lines: `op,addr[,size][,vm][,time][,content]`. Addresses in `0x` hex (exact to 64 bits),
 * times as JavaScript prints a double (which reads back to the same double).
 */
export function csvLines(batch: RowBatch, vmNames: readonly string[], layout: CsvLayout): string {
  const quoted = layout.vm ? vmNames.map(csvField) : [];
  let out = '';
  for (let i = 0; i < batch.length; i++) {
    out += `${OP_NAMES[batch.op[i]!]},0x${toHex(batch.addrHi[i]!, batch.addrLo[i]!)}`;
    if (layout.size) out += `,${batch.size[i]!}`;
    if (layout.vm) out += `,${quoted[batch.vm[i]!]}`;
    if (layout.time) out += `,${batch.time[i]!}`;
    if (layout.content) {
      const c = batch.content[i]!;
      out += c === 0 ? ',' : `,${csvField(layout.content.names[c]!)}`;
    }
    out += '\n';
  }
  return out;
}

/** Rows as plain lines: `OP 0xADDR [SIZE]` (SIZE when not 1; a bare `RESET` when it has no address). */
export function plainLines(batch: RowBatch): string {
  let out = '';
  for (let i = 0; i < batch.length; i++) {
    const op = batch.op[i]!;
    const hi = batch.addrHi[i]!;
    const lo = batch.addrLo[i]!;
    const size = batch.size[i]!;
    if (op === OP_RESET && hi === 0 && lo === 0 && size === 1) {
      out += 'RESET\n';
      continue;
    }
    out += `${OP_NAMES[op]} 0x${toHex(hi, lo)}${size === 1 ? '' : ` ${size}`}\n`;
  }
  return out;
}

// ---- writers -------------------------------------------------------------------------------

export interface TraceWriterOptions {
  /** the VM names when known before the first row; vmt writes them first, so without them it spools its records */
  vmNames?: readonly string[];
  /** rows carry a time (csv `time` column, vmt time field) */
  hasTime: boolean;
  /** csv: write the size column (default true) */
  sizeColumn?: boolean;
  /** csv: write the vm column (default true) */
  vmColumn?: boolean;
  /**
   * rows carry content tokens (ids of this interner): csv writes a `content` column, vmt a
   * content table (known only at the end, so vmt spools its records)
   */
  contents?: ContentNames;
  /** standard output, for `-` (default process.stdout) */
  stdout?: Writable;
  /** vmt: write paged records for this page size (a power of two; see docs/traces.md, "vmt"); absent: address records */
  vmtPageSize?: number;
}

export interface TraceWriter {
  readonly target: OutputTarget;
  /** rows written so far */
  rows: number;
  /** once closed: the file's size on disk (standard output: bytes written before compression) */
  bytes: number;
  /** `vmNames` maps the batch's VM indices to names */
  write(batch: RowBatch, vmNames: readonly string[]): Promise<void>;
  /** writes what is left, closes, and moves the file into place */
  close(vmNames: readonly string[]): Promise<void>;
  /** stops and removes the partial file (standard output: stops writing) */
  abort(): void;
}

export function openTraceWriter(target: OutputTarget, opts: TraceWriterOptions): TraceWriter {
  const pending = target.path === '-' ? undefined : new PendingFile(target.path);
  const sink = new ByteSink(pending ? pending.stream : (opts.stdout ?? process.stdout), target.gzip, target.display, pending !== undefined);
  const layout: CsvLayout = { size: opts.sizeColumn ?? true, vm: opts.vmColumn ?? true, time: opts.hasTime, content: opts.contents };
  const contentTable = (): string[] | undefined => opts.contents?.names.slice(1);
  let spool: { dir: string; sink: ByteSink; path: string } | undefined;
  let started = false;
  let vmtNames: readonly string[] | undefined;
  const pageShift = opts.vmtPageSize === undefined ? undefined : Math.log2(opts.vmtPageSize);
  const hasContent = opts.contents !== undefined;
  const paged = pageShift === undefined ? undefined : new VmtPagedWriter(opts.hasTime, pageShift, hasContent);
  const vmtRows = (batch: RowBatch): Buffer => (paged ? paged.encode(batch) : vmtRecords(batch, opts.hasTime, undefined, hasContent));

  /** vmt keeps a VM name in at most 65535 bytes: refuse a longer one before writing the header. */
  const checkVmtNames = (names: readonly string[]): void => {
    const long = names.find((n) => Buffer.byteLength(n, 'utf8') > VMT_MAX_NAME_BYTES);
    if (long !== undefined) {
      throw new UsageError(
        `${target.display}: VM name '${long.slice(0, 40)}...' is ${Buffer.byteLength(long, 'utf8')} bytes long; a vmt trace holds names of up to ${VMT_MAX_NAME_BYTES} bytes: write csv`,
      );
    }
  };

  const start = async (): Promise<void> => {
    started = true;
    if (target.format === 'csv') await sink.write(csvHeader(layout));
    else if (target.format === 'vmt') {
      if (opts.vmNames && !opts.contents) {
        vmtNames = [...opts.vmNames];
        checkVmtNames(vmtNames);
        await sink.write(vmtHeader(vmtNames, opts.hasTime, pageShift, undefined, true));
      } else {
        const dir = mkdtempSync(join(tmpdir(), 'vmmem-vmt-'));
        const path = join(dir, 'records');
        let fd: number;
        try {
          fd = openSync(path, 'w');
        } catch (err) {
          throw openError(path, err as NodeJS.ErrnoException);
        }
        spool = { dir, path, sink: new ByteSink(createWriteStream('', { fd }), false, `${target.display} (spool ${path})`, true) };
      }
    }
  };

  const writer: TraceWriter = {
    target,
    rows: 0,
    bytes: 0,
    async write(batch, vmNames) {
      if (!started) await start();
      if (batch.length === 0) return;
      writer.rows += batch.length;
      switch (target.format) {
        case 'csv':
          await sink.write(csvLines(batch, vmNames, layout));
          break;
        case 'plain':
          await sink.write(plainLines(batch));
          break;
        case 'vmt':
          if (vmtNames && vmtNames.length < vmNames.length) {
            throw new Error(`vmt writer: VM '${vmNames[vmtNames.length]}' is not in the header given up front`);
          }
          await (spool ? spool.sink : sink).write(vmtRows(batch));
          break;
      }
    },
    async close(vmNames) {
      if (!started) await start();
      if (spool) {
        await spool.sink.end();
        checkVmtNames(vmNames);
        await sink.write(vmtHeader(vmNames, opts.hasTime, pageShift, contentTable(), true));
        for await (const chunk of createReadStream(spool.path, { highWaterMark: 1 << 20 })) await sink.write(chunk as Buffer);
        rmSync(spool.dir, { recursive: true, force: true });
        spool = undefined;
      }
      await sink.end();
      pending?.commit();
      writer.bytes = pending ? statSync(pending.path).size : sink.bytes;
    },
    abort() {
      sink.destroy();
      pending?.discard();
      if (spool) {
        spool.sink.destroy();
        rmSync(spool.dir, { recursive: true, force: true });
      }
    },
  };
  return writer;
}
