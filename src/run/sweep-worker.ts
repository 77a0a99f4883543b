/**
 * A worker thread of the sweep pool (sweep.ts): holds the current trace (shared memory) and
 * runs the jobs it is sent, one at a time: cells to replay, and compare's stack passes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { stackCells } from './curves.js';
import { jobFailure, runCell, traceIds, type FromWorker, type StackJob, type StackResult, type SweepTrace, type ToWorker } from './sweep.js';

let trace = (workerData as { trace: SweepTrace }).trace;

/** A stack pass over the current trace. Never throws. */
function runStack(job: StackJob): StackResult {
  try {
    const counters = stackCells({ op: trace.op, page: trace.page, length: trace.length, ids: traceIds(trace) }, job.policy, trace.nextUse, job.sizes, job.budget);
    return { ok: true, counters };
  } catch (err) {
    return jobFailure(err);
  }
}

parentPort!.on('message', (m: ToWorker) => {
  if (m.type === 'trace') trace = m.trace;
  else if (m.type === 'cell') parentPort!.postMessage({ type: 'result', id: m.id, result: runCell(trace, m.config) } satisfies FromWorker);
  else parentPort!.postMessage({ type: 'result', id: m.id, result: runStack(m.job) } satisfies FromWorker);
});
