/**
 * Where trace bytes come from: a file or standard input (`-`), gzip-compressed or not (by magic
 * bytes, whatever the name says), and which format they are in (by name, else by content,
 * `--trace-format` overriding both). This is the only place that opens trace files.
 */
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { createGunzip, gunzipSync, constants as zlibConstants } from 'node:zlib';
import type { Readable } from 'node:stream';
import { InputError, TraceError, UsageError } from '../errors.js';

export const FORMATS = ['csv', 'lackey', 'din', 'plain', 'vmt'] as const;
export type TraceFormat = (typeof FORMATS)[number];

const EXTENSIONS: Record<string, TraceFormat> = {
  csv: 'csv',
  lackey: 'lackey',
  din: 'din',
  plain: 'plain',
  txt: 'plain',
  vmt: 'vmt',
};

export const VMT_MAGIC = 'VMT1';

const PEEK_BYTES = 64 * 1024;
const READ_CHUNK = 1 << 20;

export interface TraceSource {
  /** as the user wrote it; `-` for standard input */
  readonly path: string;
  /** for messages: the path, or `<stdin>` */
  readonly display: string;
  /** the VM name a file gives when its rows carry no `vm` column: its base name without extensions */
  readonly vmName: string;
  readonly format: TraceFormat;
  readonly gzip: boolean;
  /** total bytes on disk, when known (progress) */
  readonly bytes: number | undefined;
  /** bytes read from the file so far, all passes together (compressed bytes for gzip), for progress */
  bytesRead?(): number;
  /** counts bytes of this file that another thread read (read-thread.ts), for bytesRead() */
  noteRead?(bytes: number): void;
  /** The decompressed bytes, from the start. Standard input can be read once unless `retain()`ed. */
  chunks(): AsyncIterable<Buffer>;
  /** Keep standard input in memory so that it can be read again (for `opt`'s look-ahead). */
  retain(): void;
  /** replay only the rows of this VM (a VM declared with `trace=`; see select.ts) */
  readonly onlyVm?: string;
}

/** The source as the trace of one declared VM: rows of VM `name` only, `name` when rows name none. */
export function declaredVmSource(source: TraceSource, name: string): TraceSource {
  return { ...source, vmName: name, onlyVm: name };
}

export function parseFormat(name: string): TraceFormat {
  const f = name.toLowerCase();
  if (f === 'txt') return 'plain';
  if ((FORMATS as readonly string[]).includes(f)) return f as TraceFormat;
  throw new UsageError(`--trace-format: unknown format '${name}' (one of ${FORMATS.join(', ')})`);
}

/** The format a file name asks for (`x.csv`, `x.lackey.gz`), or undefined. */
export function formatFromName(path: string): TraceFormat | undefined {
  const parts = basename(path).toLowerCase().split('.');
  if (parts.length > 1 && parts[parts.length - 1] === 'gz') parts.pop();
  return parts.length > 1 ? EXTENSIONS[parts[parts.length - 1]!] : undefined;
}

/** `traces/web.csv.gz` -> `web`. */
export function vmNameFromPath(path: string): string {
  const base = basename(path);
  const dot = base.indexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Guesses the format from the first bytes of a (decompressed) trace. */
export function sniffFormat(head: Buffer): TraceFormat | undefined {
  if (head.length >= 4 && head.toString('latin1', 0, 4) === VMT_MAGIC) return 'vmt';
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  if (lines.length > 1) lines.pop(); // the last line of a peek may be cut short
  const first = lines[0];
  if (first === undefined) return undefined;
  if (lines.some((l) => /^==\d+==/.test(l) || /^(I  | [LSM] )[0-9A-Fa-f]+,\d+/.test(l))) return 'lackey';
  if (/[,;]/.test(first) && /addr/i.test(first)) return 'csv';
  if (lines.every((l) => /^\s*\d+\s+(0x)?[0-9A-Fa-f]+(\s+\d+)?\s*$/.test(l))) return 'din';
  // plain: `[OP] ADDR [SIZE]`, or a bare RESET (which needs no address)
  if (lines.every((l) => /^\s*((([RWAF]|RESET)\s+)?(0x)?[0-9A-Fa-f]+(\s+\S+)?|RESET)\s*$/i.test(l))) return 'plain';
  return undefined;
}

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

function openError(path: string, err: NodeJS.ErrnoException): InputError {
  switch (err.code) {
    case 'ENOENT':
      return new InputError(`${path}: no such file`);
    case 'EISDIR':
      return new InputError(`${path}: is a directory, not a trace file`);
    case 'EACCES':
    case 'EPERM':
      return new InputError(`${path}: permission denied`);
    default:
      return new InputError(`${path}: cannot read (${err.code ?? err.message})`);
  }
}

function gunzipHead(raw: Buffer): Buffer {
  try {
    return gunzipSync(raw, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch {
    return Buffer.alloc(0); // corrupt: reported with a line number when the stream is read
  }
}

/**
 * The whole input, decompressed, when `head` holds all of it (undefined when it may not);
 * null for a gzip file that is all in `head` and cut short or corrupt.
 */
function wholeInput(head: Buffer, gzip: boolean, bytes: number | undefined): Buffer | null | undefined {
  if (head.length >= PEEK_BYTES || (bytes !== undefined && head.length < bytes)) return undefined;
  if (!gzip) return head;
  try {
    return gunzipSync(head);
  } catch {
    return null;
  }
}

/** Streams a readable, turning zlib's failures into a TraceError that names the file. */
async function* guarded(stream: Readable, display: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code?.startsWith('Z_') || /unexpected end of file|incorrect header/i.test(e.message)) {
      throw new TraceError(display, 0, 'truncated or corrupt gzip data');
    }
    if (e.code) throw openError(display, e);
    throw err;
  }
}

function finishSource(
  path: string,
  display: string,
  head: Buffer,
  forced: TraceFormat | undefined,
  bytes: number | undefined,
  rawChunks: () => AsyncIterable<Buffer>,
  retain: () => void,
  bytesRead?: () => number,
  noteRead?: (bytes: number) => void,
): TraceSource {
  const gzip = isGzip(head);
  const content = gzip ? gunzipHead(head) : head;
  const format = forced ?? formatFromName(path) ?? sniffFormat(content);
  if (!format) {
    // Nothing to tell a format by: an empty input or a broken gzip file says so more simply.
    const whole = wholeInput(head, gzip, bytes);
    if (whole === null) throw new TraceError(display, 0, 'truncated or corrupt gzip data');
    if (whole !== undefined && whole.toString('latin1').trim() === '') throw new TraceError(display, 0, 'empty trace: no accesses');
  }
  if (!format) {
    throw new TraceError(display, 1, 'cannot tell the trace format from its name or content; name it with --trace-format');
  }
  return {
    path,
    display,
    vmName: path === '-' ? 'stdin' : vmNameFromPath(path),
    format,
    gzip,
    bytes,
    bytesRead,
    noteRead,
    chunks(): AsyncIterable<Buffer> {
      const raw = rawChunks();
      if (!gzip) return raw;
      return (async function* () {
        const gunzip = createGunzip({ chunkSize: READ_CHUNK });
        const feeding = (async () => {
          try {
            for await (const c of raw) if (!gunzip.write(c)) await new Promise((r) => gunzip.once('drain', r));
            gunzip.end();
          } catch (err) {
            gunzip.destroy(err as Error);
          }
        })();
        yield* guarded(gunzip, display);
        await feeding;
      })();
    },
    retain,
  };
}

/** Opens a trace file (or `-`) and works out its format. */
export async function openSource(path: string, forced?: TraceFormat): Promise<TraceSource> {
  if (path === '-') return openStdin(forced);
  let head: Buffer;
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error('dir'), { code: 'EISDIR' });
    // a pipe (`<(zcat t.csv.gz)`, a FIFO) reads once, from its start, as standard input does
    if (!st.isFile()) return openStream(path, path, createReadStream(path, { highWaterMark: READ_CHUNK }), forced);
    size = st.size;
    const fd = openSync(path, 'r');
    try {
      head = Buffer.alloc(Math.min(PEEK_BYTES, st.size || PEEK_BYTES));
      const n = readSync(fd, head, 0, head.length, 0);
      head = head.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw openError(path, err as NodeJS.ErrnoException);
  }
  let read = 0;
  return finishSource(
    path,
    path,
    head,
    forced,
    size,
    async function* () {
      for await (const chunk of guarded(createReadStream(path, { highWaterMark: READ_CHUNK }), path)) {
        read += chunk.length;
        yield chunk;
      }
    },
    () => {},
    () => read,
    (bytes) => {
      read += bytes;
    },
  );
}

function openStdin(forced?: TraceFormat): Promise<TraceSource> {
  return openStream('-', '<stdin>', process.stdin, forced);
}

/** A source that can be read once from its start (standard input, a pipe) unless retained. */
async function openStream(path: string, display: string, stream: Readable, forced?: TraceFormat): Promise<TraceSource> {
  // standard input as it always was; a named pipe's read errors name it as a file's do
  const iterator = (path === '-' ? (stream as AsyncIterable<Buffer>) : guarded(stream, display))[Symbol.asyncIterator]();
  const pending: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  while (headBytes < PEEK_BYTES) {
    const r = await iterator.next();
    if (r.done) {
      ended = true;
      break;
    }
    pending.push(r.value);
    headBytes += r.value.length;
  }
  let retained: Buffer[] | undefined;
  let consumed = false;
  const fresh = async function* (): AsyncGenerator<Buffer> {
    if (consumed) throw new InputError(path === '-' ? '<stdin>: standard input can be read only once' : `${display}: a pipe can be read only once`);
    consumed = true;
    for (const c of pending) {
      retained?.push(c);
      yield c;
    }
    if (!ended) {
      for (;;) {
        const r = await iterator.next();
        if (r.done) break;
        retained?.push(r.value);
        yield r.value;
      }
    }
  };
  let replay: Buffer[] | undefined;
  return finishSource(
    path,
    display,
    Buffer.concat(pending),
    forced,
    undefined,
    () => {
      if (replay) {
        const copy = replay;
        return (async function* () {
          yield* copy;
        })();
      }
      if (retained) {
        // The first read fills `retained`; later reads replay it.
        const gen = fresh();
        replay = retained;
        return gen;
      }
      return fresh();
    },
    () => {
      retained ??= [];
    },
  );
}

/** How messages name a set of traces: the file for one, else "traces". */
export function displayOf(sources: readonly TraceSource[]): string {
  return sources.length === 1 ? sources[0]!.display : 'traces';
}
