/**
 * The worker thread of read-thread.ts: opens the trace, reads it with the in-process reader
 * (createReader, never threaded here) and sends its batches, each with what the parser learnt
 * since the last one, at most IN_FLIGHT ahead of the main thread, reusing the buffers it gets
 * back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ContentNames } from './content.js';
import { IN_FLIGHT, serializeError, type FromReadWorker, type ReadJob, type ReadNews, type ToReadWorker } from './read-thread.js';
import { createReader, type TraceReader } from './reader.js';
import { RowBatch, rowBatchBytes } from './rows.js';
import { openSource, type TraceSource } from './source.js';

const job = workerData as ReadJob;
const port = parentPort!;
/** buffers given back, to copy the next batches into */
const free: ArrayBuffer[] = [];
let credit = IN_FLIGHT;
let wake: (() => void) | null = null;

port.on('message', (m: ToReadWorker) => {
  free.push(m.buffer);
  credit++;
  const w = wake;
  wake = null;
  w?.();
});

const contents = new ContentNames();
let opened: TraceSource | null = null;
let reader: TraceReader | null = null;
let names = 0;
let tokens = 1;

/** What the parser learnt since the last message. */
function news(): ReadNews {
  const r = reader;
  const n: ReadNews = {
    names: r === null ? [] : r.vmNames.slice(names),
    tokens: contents.names.slice(tokens),
    hasTime: r?.hasTime ?? false,
    hasContent: r?.hasContent ?? false,
    hasVmColumn: r?.hasVmColumn ?? false,
    skipped: r === null ? { ifetch: 0, other: 0, bad: 0 } : { ...r.skipped },
    bytes: opened?.bytesRead?.() ?? 0,
  };
  names += n.names.length;
  tokens = contents.names.length;
  return n;
}

async function main(): Promise<void> {
  opened = await openSource(job.path, job.format);
  const source: TraceSource = { ...opened, vmName: job.vmName };
  reader = createReader(source, { ifetch: job.ifetch, hex: job.hex, skipBadLines: job.skipBadLines, fastPath: job.fastPath, contents, readThread: 'never' });
  for await (const b of reader.batches()) {
    if (b.length === 0) continue;
    while (credit === 0) await new Promise<void>((r) => (wake = r));
    credit--;
    const buffer = free.pop() ?? new ArrayBuffer(rowBatchBytes(job.capacity));
    // a parser's batch is never larger than its capacity, which is the job's
    const out = new RowBatch(job.capacity, buffer);
    out.copyFrom(b);
    port.postMessage({ type: 'batch', buffer, length: b.length, ...news() } satisfies FromReadWorker, [buffer]);
  }
  port.postMessage({ type: 'done', ...news() } satisfies FromReadWorker);
}

// the main thread ends this thread once it has the last message
main().catch((err: unknown) => port.postMessage({ type: 'error', error: serializeError(err), ...news() } satisfies FromReadWorker));
