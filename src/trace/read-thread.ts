/**
 * Reading on the second core: a text trace (csv, plain, lackey, din; gzip or not) is opened,
 * decompressed and parsed by a worker thread (read-worker.ts) running the very readers the
 * main thread would, while the main thread numbers pages and replays. The rows come back in
 * order, in batches of one buffer each that go back and forth (no copy per batch on either
 * side beyond the worker's one copy out of its parser's batch), at most IN_FLIGHT at a time so
 * that the worker never runs more than that far ahead: memory stays that of a few batches.
 * What the parser learns on the way - VM names, content tokens, the header's columns, skipped
 * lines, bytes read - travels with each batch and is applied before the batch is handed on, so
 * the reader looks exactly as the in-process one at every step. A failure in the worker is
 * raised again here as the same error (a bad line: the same TraceError, file and line).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError, TraceError } from '../errors.js';
import type { ContentNames } from './content.js';
import { RowBatch, type SkipCounts } from './rows.js';
import type { TraceFormat } from './source.js';

/** Batches the worker may have parsed that the main thread has not taken back yet. */
export const IN_FLIGHT = 16;

/** The compiled worker: dist/trace/read-worker.js, from src/trace (tests) or dist/trace alike. */
const WORKER_URL = new URL('../../dist/trace/read-worker.js', import.meta.url);

/** Traces at least this large (bytes on disk) are read on a worker thread by default. */
export const THREAD_BYTES = 8 << 20;

/** When text traces are parsed on a worker thread (`--read-thread`, ReadOptions.readThread). */
export const READ_THREAD_MODES = ['auto', 'always', 'never'] as const;
export type ReadThreadMode = (typeof READ_THREAD_MODES)[number];

/** What the worker needs to open and read the trace as the main thread would. */
export interface ReadJob {
  path: string;
  format: TraceFormat;
  vmName: string;
  ifetch: boolean;
  hex: boolean;
  skipBadLines: boolean;
  fastPath: boolean | undefined;
  /** rows per batch */
  capacity: number;
}

/** What the parser learnt since the last message (sent with every batch and at the end). */
export interface ReadNews {
  /** VM names first seen, in order of their local index */
  names: string[];
  /** content tokens first seen, in order of their worker-local id (1, 2, ...) */
  tokens: string[];
  hasTime: boolean;
  hasContent: boolean;
  hasVmColumn: boolean;
  skipped: SkipCounts;
  /** bytes read from the file so far */
  bytes: number;
}

export type FromReadWorker =
  | ({ type: 'batch'; buffer: ArrayBuffer; length: number } & ReadNews)
  | ({ type: 'done' } & ReadNews)
  | ({ type: 'error'; error: SerializedError } & ReadNews);

export type ToReadWorker = { type: 'more'; buffer: ArrayBuffer };

export type SerializedError =
  | { kind: 'trace'; file: string; line: number; reason: string; text: string | undefined }
  | { kind: 'input'; message: string }
  | { kind: 'other'; message: string; stack: string | undefined };

export function serializeError(err: unknown): SerializedError {
  if (err instanceof TraceError) return { kind: 'trace', file: err.file, line: err.line, reason: err.reason, text: err.text };
  if (err instanceof InputError) return { kind: 'input', message: err.message };
  const e = err instanceof Error ? err : new Error(String(err));
  return { kind: 'other', message: e.message, stack: e.stack };
}

function raised(e: SerializedError): Error {
  if (e.kind === 'trace') return new TraceError(e.file, e.line, e.reason, e.text);
  if (e.kind === 'input') return new InputError(e.message);
  const err = new Error(e.message);
  if (e.stack !== undefined) err.stack = e.stack;
  return err;
}

/** The compiled worker's file. */
export function readThreadFile(): string {
  return fileURLToPath(WORKER_URL);
}

/** Whether the compiled worker is there (it is after npm run build). */
export function readThreadAvailable(): boolean {
  return existsSync(readThreadFile());
}

/** Where the reader's state lives on the main thread: what each batch's news updates. */
export interface ReadSink {
  /** the VM's local index (the same order as the worker's) */
  vm(name: string): number;
  contents: ContentNames;
  flags(news: ReadNews): void;
  skipped: SkipCounts;
  /** the bytes the worker has read so far */
  bytes(total: number): void;
}

/** The trace's rows, parsed on a worker thread; the same batches as the in-process reader's. */
export async function* threadedBatches(job: ReadJob, sink: ReadSink): AsyncGenerator<RowBatch> {
  const worker = new Worker(WORKER_URL, { workerData: job });
  const queue: (FromReadWorker | { type: 'exit'; code: number } | { type: 'crash'; error: Error })[] = [];
  let wake: (() => void) | null = null;
  const push = (m: (typeof queue)[number]): void => {
    queue.push(m);
    const w = wake;
    wake = null;
    w?.();
  };
  worker.on('message', (m: FromReadWorker) => push(m));
  worker.on('error', (error: Error) => push({ type: 'crash', error }));
  worker.on('exit', (code: number) => push({ type: 'exit', code }));
  /** worker-local content id -> the run's */
  const tokenIds = [0];
  const apply = (news: ReadNews): void => {
    for (const name of news.names) sink.vm(name);
    for (const t of news.tokens) tokenIds.push(sink.contents.id(t));
    sink.flags(news);
    sink.skipped.ifetch = news.skipped.ifetch;
    sink.skipped.other = news.skipped.other;
    sink.skipped.bad = news.skipped.bad;
    sink.bytes(news.bytes);
  };
  try {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      const m = queue.shift()!;
      if (m.type === 'batch') {
        apply(m);
        const batch = new RowBatch(job.capacity, m.buffer);
        batch.length = m.length;
        if (tokenIds.length > 1) {
          const content = batch.content;
          for (let i = 0; i < m.length; i++) if (content[i] !== 0) content[i] = tokenIds[content[i]!]!;
        }
        yield batch;
        // the consumer is done with the batch (batches are never kept): its buffer goes back
        worker.postMessage({ type: 'more', buffer: m.buffer } satisfies ToReadWorker, [m.buffer]);
      } else if (m.type === 'done') {
        apply(m);
        return;
      } else if (m.type === 'error') {
        apply(m);
        throw raised(m.error);
      } else if (m.type === 'crash') {
        throw m.error;
      } else {
        throw new Error(`the reader thread of ${job.path} stopped (exit code ${m.code}) before the end of the trace`);
      }
    }
  } finally {
    // the end, or an early stop (a failure downstream): the thread is not needed any more
    void worker.terminate();
  }
}
