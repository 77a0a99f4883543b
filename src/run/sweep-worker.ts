/**
 * A worker thread of the sweep pool (sweep.ts): holds the current trace (shared memory) and
 * replays the cells it is sent, one at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runCell, type FromWorker, type SweepTrace, type ToWorker } from './sweep.js';

let trace = (workerData as { trace: SweepTrace }).trace;

parentPort!.on('message', (m: ToWorker) => {
  if (m.type === 'trace') trace = m.trace;
  else parentPort!.postMessage({ type: 'result', id: m.id, result: runCell(trace, m.config) } satisfies FromWorker);
});
