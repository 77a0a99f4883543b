/**
 * Sweeps: one trace held in memory, replayed by a fresh engine for every (policy, frames) cell.
 * Cells run in-process or on a pool of worker threads that share the trace's typed arrays
 * through SharedArrayBuffers (one copy, whatever the number of workers). A cell that fails
 * (out of memory under --on-oom=error, or a bug) yields a failed result; the others still run.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { OutOfMemoryError } from '../errors.js';
import { OP_WRITE } from '../trace/rows.js';
import type { EngineConfig } from '../engine/config.js';
import { Engine } from '../engine/engine.js';
import type { PageBatch } from '../pages/expand.js';
import { PageIds } from '../pages/page-ids.js';
import type { PageTrace } from './page-trace.js';
import { eat } from './simulate.js';
import { VmCounters } from '../engine/stats.js';
import type { SizeCounters } from '../analysis/mrc.js';

/** A whole trace as page accesses, in plain typed arrays (shareable with workers). */
export interface SweepTrace {
  op: Uint8Array;
  page: Int32Array;
  length: number;
  /** distinct pages (dense ids 0..pageCount-1) and their VM and page number */
  pageCount: number;
  vmOf: Uint16Array;
  hiOf: Uint32Array;
  loOf: Uint32Array;
  vmNames: string[];
  /** opt's look-ahead (nextUseOf), when some cell runs opt */
  nextUse: Int32Array | null;
}

export interface CellCounts {
  ok: true;
  accesses: number;
  faults: number;
  majorFaults: number;
  swapIns: number;
  swapOuts: number;
  /** pages evicted (for any VM's fault) */
  evictions: number;
  oomKills: number;
  eatNs: number;
}

export interface CellFailure {
  ok: false;
  /** oom: the host ran out of memory under --on-oom=error; internal: a bug */
  kind: 'oom' | 'internal';
  message: string;
}

export type CellResult = CellCounts | CellFailure;

export function sweepTrace(trace: PageTrace, nextUse: Int32Array | null): SweepTrace {
  const n = trace.ids.count;
  return {
    op: trace.op,
    page: trace.page,
    length: trace.length,
    pageCount: n,
    vmOf: trace.ids.vmOf.subarray(0, n),
    hiOf: trace.ids.hiOf.subarray(0, n),
    loOf: trace.ids.loOf.subarray(0, n),
    vmNames: [...trace.registry.names],
    nextUse,
  };
}

/** One cell: a fresh engine replays the whole trace. Never throws. */
export function runCell(trace: SweepTrace, config: EngineConfig): CellResult {
  try {
    const engine = new Engine(config, traceIds(trace), trace.nextUse ?? undefined);
    // Nothing here looks at which frame holds which page.
    engine.trackFrames = false;
    engine.vmNames = trace.vmNames;
    if (trace.vmNames.length > 0) engine.ensureVm(trace.vmNames.length - 1);
    const batch = { op: trace.op, page: trace.page, length: trace.length, capacity: trace.length } as PageBatch;
    engine.replay(batch);
    const total = new VmCounters();
    for (const key of Object.keys(total) as (keyof VmCounters)[]) {
      let sum = 0;
      for (const v of engine.vms) sum += v[key];
      total[key] = sum;
    }
    return {
      ok: true,
      accesses: total.accesses,
      faults: total.faults,
      majorFaults: total.majorFaults,
      swapIns: total.swapIns,
      swapOuts: total.swapOuts,
      evictions: total.evictions,
      oomKills: total.oomKills,
      eatNs: eat(total, config),
    };
  } catch (err) {
    return jobFailure(err);
  }
}

/** What a job that threw gives: out of memory under --on-oom=error, else an internal error (a bug). */
export function jobFailure(err: unknown): CellFailure {
  if (err instanceof OutOfMemoryError) return { ok: false, kind: 'oom', message: err.message };
  const e = err as Error;
  return { ok: false, kind: 'internal', message: `internal error: ${e?.message ?? String(err)}` };
}

/** Copies a typed array into shared memory (workers then read it without a copy each). */
function shared<T extends Uint8Array | Int32Array | Uint16Array | Uint32Array>(arr: T): T {
  const buffer = new SharedArrayBuffer(arr.byteLength);
  const copy = new (arr.constructor as new (b: SharedArrayBuffer) => T)(buffer);
  copy.set(arr);
  return copy;
}

function sharedTrace(t: SweepTrace): SweepTrace {
  return {
    ...t,
    op: shared(t.op.subarray(0, t.length)),
    page: shared(t.page.subarray(0, t.length)),
    vmOf: shared(t.vmOf),
    hiOf: shared(t.hiOf),
    loOf: shared(t.loOf),
    nextUse: t.nextUse === null ? null : shared(t.nextUse),
  };
}

/** The compiled worker: dist/run/sweep-worker.js, from src/run (tests) or dist/run alike. */
export const WORKER_URL = new URL('../../dist/run/sweep-worker.js', import.meta.url);

/** Distinct pages read or written (A/F rows name pages without touching them). */
export function footprintOf(trace: Pick<SweepTrace, 'op' | 'page' | 'length' | 'pageCount'>): number {
  const seen = new Uint8Array(trace.pageCount);
  let distinct = 0;
  const { op, page } = trace;
  for (let i = 0; i < trace.length; i++) {
    if (op[i]! > OP_WRITE) continue;
    const p = page[i]!;
    if (seen[p] === 0) {
      seen[p] = 1;
      distinct++;
    }
  }
  return distinct;
}

export function defaultJobs(): number {
  return availableParallelism();
}

/**
 * `compare`'s lru or opt cells at several sizes from one stack pass (curves.ts stackCells,
 * which runs it, in the worker): its counters per size, or null when opt's stack ran past
 * `budget` record moves (the caller replays those cells).
 */
export interface StackJob {
  policy: 'lru' | 'opt';
  sizes: number[];
  budget: number;
}

export type StackResult = { ok: true; counters: SizeCounters[] | null } | CellFailure;

/** What the pool runs: a cell replayed, or a stack pass. */
export type SweepJob = { config: EngineConfig } | { stack: StackJob };

export type JobResult = CellResult | StackResult;

/** Messages between the pool and its workers. */
export type ToWorker = { type: 'trace'; trace: SweepTrace } | { type: 'cell'; id: number; config: EngineConfig } | { type: 'stack'; id: number; job: StackJob };
export type FromWorker = { type: 'result'; id: number; result: JobResult };

/** The dense page table of a sweep trace, for an engine or a stack (the arrays shared, not copied). */
export function traceIds(trace: SweepTrace): PageIds {
  const ids = new PageIds();
  ids.count = trace.pageCount;
  // Shared memory in workers: the engine and the stacks only read these.
  ids.vmOf = trace.vmOf as Uint16Array<ArrayBuffer>;
  ids.hiOf = trace.hiOf as Uint32Array<ArrayBuffer>;
  ids.loOf = trace.loOf as Uint32Array<ArrayBuffer>;
  return ids;
}

interface Slot {
  worker: Worker;
  /** the cell it is running, or -1 */
  busy: number;
}

/** One call of runJobs(): its jobs, results and progress. */
interface Run {
  jobs: readonly SweepJob[];
  order: number[];
  next: number;
  done: number;
  results: JobResult[];
  onDone?: (done: number) => void;
  resolve: (results: JobResult[]) => void;
}

/** Slowest first, so that the last jobs to finish are short ones: stack passes, then opt cells, then the rest. */
function slowness(job: SweepJob): number {
  return 'stack' in job ? 2 : job.config.policy === 'opt' ? 1 : 0;
}

/**
 * Runs cells over one trace at a time: in-process with jobs = 1, else on `jobs` worker threads
 * (started on first use, kept for the next trace, stopped by close()).
 */
export class SweepPool {
  private slots: Slot[] = [];
  private trace: SweepTrace | null = null;
  private current: Run | null = null;

  constructor(readonly jobs: number) {}

  get usesWorkers(): boolean {
    return this.jobs > 1;
  }

  /**
   * Runs one cell per config over `trace`; results in the order of `configs`. `inProcess` runs
   * them here even when the pool has workers (small sweeps: starting threads costs more).
   */
  async run(
    trace: SweepTrace,
    configs: readonly EngineConfig[],
    opts: { inProcess?: boolean; onDone?: (done: number) => void } = {},
  ): Promise<CellResult[]> {
    const onDone = opts.onDone;
    if (configs.length === 0) return [];
    if (!this.usesWorkers || opts.inProcess === true) {
      const results: CellResult[] = [];
      configs.forEach((c, i) => {
        results.push(runCell(trace, c));
        onDone?.(i + 1);
      });
      return results;
    }
    return (await this.runJobs(
      trace,
      configs.map((config) => ({ config })),
      onDone,
    )) as CellResult[];
  }

  /**
   * Runs the jobs on the workers (the pool must use workers): the results in the order of
   * `jobs`, a cell's as run() gives it, a stack pass's as StackResult. A stack pass and the
   * cells beside it share the cores: compare's passes no longer wait for its replays, or these
   * for the passes.
   */
  async runJobs(trace: SweepTrace, jobs: readonly SweepJob[], onDone?: (done: number) => void): Promise<JobResult[]> {
    if (!this.usesWorkers) throw new Error('runJobs needs a pool with workers');
    if (jobs.length === 0) return [];
    if (!existsSync(WORKER_URL)) {
      throw new Error(`the compiled worker ${fileURLToPath(WORKER_URL)} is missing: run npm run build`);
    }
    this.trace = sharedTrace(trace);
    for (const s of this.slots) s.worker.postMessage({ type: 'trace', trace: this.trace } satisfies ToWorker);
    const order = jobs.map((_, i) => i);
    order.sort((a, b) => slowness(jobs[b]!) - slowness(jobs[a]!));
    return new Promise<JobResult[]>((resolve) => {
      this.current = { jobs, order, next: 0, done: 0, results: new Array<JobResult>(jobs.length), onDone, resolve };
      while (this.slots.length < Math.min(this.jobs, jobs.length)) this.start();
      for (const s of [...this.slots]) this.dispatch(s);
    });
  }

  private start(): Slot {
    const worker = new Worker(WORKER_URL, { workerData: { trace: this.trace } });
    const slot: Slot = { worker, busy: -1 };
    worker.on('message', (m: FromWorker) => this.finish(slot, m.id, m.result));
    worker.on('error', (err) => this.died(slot, `failed: ${err.message}`));
    worker.on('exit', (code) => this.died(slot, `exited with code ${code}`));
    this.slots.push(slot);
    return slot;
  }

  private dispatch(slot: Slot): void {
    const run = this.current;
    if (run === null || slot.busy >= 0 || run.next >= run.order.length) return;
    const id = run.order[run.next++]!;
    slot.busy = id;
    const job = run.jobs[id]!;
    slot.worker.postMessage(('stack' in job ? { type: 'stack', id, job: job.stack } : { type: 'cell', id, config: job.config }) satisfies ToWorker);
  }

  private finish(slot: Slot, id: number, result: JobResult): void {
    const run = this.current;
    if (run === null || slot.busy !== id) return;
    slot.busy = -1;
    run.results[id] = result;
    run.done++;
    run.onDone?.(run.done);
    if (run.done === run.jobs.length) {
      this.current = null;
      run.resolve(run.results);
    } else this.dispatch(slot);
  }

  /** A worker that dies fails its cell; a fresh one takes over the rest. */
  private died(slot: Slot, why: string): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    const id = slot.busy;
    if (id >= 0) {
      this.finish(slot, id, { ok: false, kind: 'internal', message: `internal error: worker thread ${why}` });
    }
    const run = this.current;
    if (run !== null && run.next < run.order.length) this.dispatch(this.start());
  }

  async close(): Promise<void> {
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
