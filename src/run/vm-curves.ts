/**
 * Each VM's exact miss-ratio curve over its own accesses alone, in one pass over the traces
 * (`vmmem plan`): what the VM faults with x frames of its own, as under `partition`, where every
 * VM replaces only its own pages. LRU: a Mattson stack per VM over the VM's pages (local ids),
 * streaming. OPT: each VM's accesses are kept (5 bytes each) and run through the one-pass OPT
 * stack afterwards (it needs the future), without a work budget: the curve is needed at every
 * size.
 *
 * F and RESET leave holes as in `mrc`, so the curves equal `simulate --scheduler partition` with
 * unlimited swap at every size.
 */
import { feedPages } from './feed.js';
import { PageExpander, type PageBatch } from '../pages/expand.js';
import { feed, LruStackDistances, OptStackDistances, type StackDistances, type StackHistogram } from '../analysis/mrc.js';
import { PageIds } from '../pages/page-ids.js';
import { nextUseOf } from './page-trace.js';
import { grown } from '../policies/policy.js';
import { curveOf } from '../analysis/plan.js';
import { VmRegistry } from '../trace/interleave.js';
import { createReader, type ReadOptions } from '../trace/reader.js';
import { OP_FREE, OP_RESET, OP_WRITE, type SkipCounts } from '../trace/rows.js';
import { displayOf, type TraceSource } from '../trace/source.js';

export type CurvePolicy = 'lru' | 'opt';

export interface VmCurve {
  name: string;
  /** R and W page accesses */
  accesses: number;
  /** distinct pages read or written */
  footprint: number;
  /** faults[x] = faults with x frames, x = 0..largest stack distance (flat beyond) */
  faults: Float64Array;
}

export interface VmCurvesPass {
  vms: VmCurve[];
  skipped: { file: string; counts: SkipCounts }[];
}

/** A VM's page operations with local page ids (RESET: page 0), kept for OPT. */
class VmOps {
  op = new Uint8Array(1024);
  page = new Int32Array(1024);
  length = 0;
  frees = false;
  push(o: number, p: number): void {
    if (this.length === this.op.length) {
      this.op = grown(this.op, this.length + 1);
      this.page = grown(this.page, this.length + 1);
    }
    this.op[this.length] = o;
    this.page[this.length++] = p;
    if (o === OP_FREE || o === OP_RESET) this.frees = true;
  }
}

export async function vmCurves(sources: TraceSource[], read: ReadOptions, pageSize: number, policy: CurvePolicy): Promise<VmCurvesPass> {
  const ids = new PageIds();
  const registry = new VmRegistry();
  /** global page id -> local id within its VM */
  let localOf = new Int32Array(1024).fill(-1);
  const localCount: number[] = [];
  const accesses: number[] = [];
  const footprint: number[] = [];
  const lru: LruStackDistances[] = [];
  const ops: VmOps[] = [];
  /** local page -> touched (R/W) per VM, for the footprint */
  const touched: Uint8Array[] = [];
  let zeros = new Uint16Array(1024);
  const vm = (v: number): void => {
    while (localCount.length <= v) {
      localCount.push(0);
      accesses.push(0);
      footprint.push(0);
      touched.push(new Uint8Array(64));
      if (policy === 'lru') lru.push(new LruStackDistances());
      else ops.push(new VmOps());
    }
  };
  const expander = new PageExpander(
    pageSize,
    ids,
    (batch: PageBatch) => {
      if (ids.count > localOf.length) localOf = grown(localOf, ids.count, -1);
      for (let i = 0; i < batch.length; i++) {
        const o = batch.op[i]!;
        const p = batch.page[i]!;
        if (o === OP_RESET) {
          vm(p);
          if (policy === 'lru') {
            if (zeros.length < localCount[p]!) zeros = new Uint16Array(2 * localCount[p]!);
            lru[p]!.reset(0, zeros, localCount[p]!);
          } else ops[p]!.push(o, 0);
          continue;
        }
        const v = ids.vmOf[p]!;
        vm(v);
        let local = localOf[p]!;
        if (local < 0) {
          local = localCount[v]!++;
          localOf[p] = local;
        }
        if (o <= OP_WRITE) {
          accesses[v]!++;
          if (local >= touched[v]!.length) touched[v] = grown(touched[v]!, local + 1);
          if (touched[v]![local] === 0) {
            touched[v]![local] = 1;
            footprint[v]!++;
          }
        }
        if (policy === 'lru') {
          const stack = lru[v]!;
          if (o <= OP_WRITE) {
            stack.resize(localCount[v]!);
            stack.access(local, o === OP_WRITE);
          } else if (o === OP_FREE) stack.free(local);
        } else if (o <= OP_WRITE || o === OP_FREE) ops[v]!.push(o, local);
      }
    },
    displayOf(sources),
  );
  const readers = sources.map((s) => createReader(s, read));
  await feedPages(readers, registry, expander);
  vm(registry.names.length - 1);
  const vms: VmCurve[] = registry.names.map((name, v) => {
    let h: StackHistogram;
    if (policy === 'lru') h = lru[v]!.result;
    else {
      const o = ops[v]!;
      const trace = { op: o.op.subarray(0, o.length), page: o.page.subarray(0, o.length), length: o.length };
      const n = localCount[v]!;
      const stack: StackDistances = new OptStackDistances(nextUseOf(trace, n), o.frees);
      if (zeros.length < n) zeros = new Uint16Array(n);
      feed(stack, trace.op, trace.page, trace.length, { count: n, vmOf: zeros, hiOf: new Uint32Array(0), loOf: new Uint32Array(0) }, null);
      h = stack.result;
    }
    return { name, accesses: accesses[v]!, footprint: footprint[v]!, faults: curveOf(h) };
  });
  return { vms, skipped: readers.map((r) => ({ file: r.source.display, counts: r.skipped })) };
}
