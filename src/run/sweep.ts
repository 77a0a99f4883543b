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
    const ids = new PageIds();
    ids.count = trace.pageCount;
    // Shared memory in workers: the engine only reads these.
    ids.vmOf = trace.vmOf as Uint16Array<ArrayBuffer>;
    ids.hiOf = trace.hiOf as Uint32Array<ArrayBuffer>;
    ids.loOf = trace.loOf as Uint32Array<ArrayBuffer>;
    const engine = new Engine(config, ids, trace.nextUse ?? undefined);
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
    if (err instanceof OutOfMemoryError) return { ok: false, kind: 'oom', message: err.message };
    const e = err as Error;
    return { ok: false, kind: 'internal', message: `internal error: ${e?.message ?? String(err)}` };
  }
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

/** Messages between the pool and its workers. */
export type ToWorker = { type: 'trace'; trace: SweepTrace } | { type: 'cell'; id: number; config: EngineConfig };
export type FromWorker = { type: 'result'; id: number; result: CellResult };

interface Slot {
  worker: Worker;
  /** the cell it is running, or -1 */
  busy: number;
}

/** One call of run(): its cells, results and progress. */
interface Run {
  configs: readonly EngineConfig[];
  order: number[];
  next: number;
  done: number;
  results: CellResult[];
  onDone?: (done: number) => void;
  resolve: (results: CellResult[]) => void;
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
    if (!existsSync(WORKER_URL)) {
      throw new Error(`the compiled worker ${fileURLToPath(WORKER_URL)} is missing: run npm run build`);
    }
    this.trace = sharedTrace(trace);
    for (const s of this.slots) s.worker.postMessage({ type: 'trace', trace: this.trace } satisfies ToWorker);
    // Slowest first (opt), so that the last cells to finish are short ones.
    const order = configs.map((_, i) => i);
    order.sort((a, b) => Number(configs[b]!.policy === 'opt') - Number(configs[a]!.policy === 'opt'));
    return new Promise<CellResult[]>((resolve) => {
      this.current = { configs, order, next: 0, done: 0, results: new Array<CellResult>(configs.length), onDone, resolve };
      while (this.slots.length < Math.min(this.jobs, configs.length)) this.start();
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
    slot.worker.postMessage({ type: 'cell', id, config: run.configs[id]! } satisfies ToWorker);
  }

  private finish(slot: Slot, id: number, result: CellResult): void {
    const run = this.current;
    if (run === null || slot.busy !== id) return;
    slot.busy = -1;
    run.results[id] = result;
    run.done++;
    run.onDone?.(run.done);
    if (run.done === run.configs.length) {
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
