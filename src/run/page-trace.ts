/**
 * A whole trace held in memory as page accesses (1 byte of op + 4 bytes of page id each), for
 * the commands that replay one trace many times (compare, mrc, bench): read and parse once,
 * then every replay is a loop over typed arrays.
 */
import { grown } from '../policies/policy.js';
import { VmRegistry } from '../trace/interleave.js';
import { feedPages } from './feed.js';
import { createReader, type ReadOptions } from '../trace/reader.js';
import { OP_WRITE, type SkipCounts } from '../trace/rows.js';
import { displayOf, type TraceSource } from '../trace/source.js';
import { PageBatch, PageExpander } from '../pages/expand.js';
import { PageIds } from '../pages/page-ids.js';

export interface PageTrace {
  /** page accesses: op per access (R, W, A, F, RESET) */
  op: Uint8Array;
  /** dense page id per access (the VM index for RESET) */
  page: Int32Array;
  length: number;
  ids: PageIds;
  registry: VmRegistry;
  skipped: { file: string; counts: SkipCounts }[];
  /** R and W accesses (positions), what opt's nextUse indexes */
  positions: number;
}

export async function loadPageTrace(sources: TraceSource[], read: ReadOptions, pageSize: number): Promise<PageTrace> {
  const ids = new PageIds();
  const registry = new VmRegistry();
  let op = new Uint8Array(1 << 16);
  let page = new Int32Array(1 << 16);
  let length = 0;
  let positions = 0;
  const expander = new PageExpander(pageSize, ids, (batch: PageBatch) => {
    if (length + batch.length > op.length) {
      op = grown(op, length + batch.length);
      page = grown(page, length + batch.length);
    }
    op.set(batch.op.subarray(0, batch.length), length);
    page.set(batch.page.subarray(0, batch.length), length);
    for (let i = 0; i < batch.length; i++) if (batch.op[i]! <= OP_WRITE) positions++;
    length += batch.length;
  }, displayOf(sources));
  const readers = sources.map((s) => createReader(s, read));
  await feedPages(readers, registry, expander);
  return {
    op: op.subarray(0, length),
    page: page.subarray(0, length),
    length,
    ids,
    registry,
    skipped: readers.map((r) => ({ file: r.source.display, counts: r.skipped })),
    positions,
  };
}

/**
 * Builds opt's look-ahead, streaming: nextUse[i] = position of the next R/W access to the page
 * of the R/W access at position i, or -1. One forward pass: each access fills in the entry of
 * the previous access to its page, so only 4 bytes per access are kept.
 */
export class NextUseBuilder {
  private nextUse = new Int32Array(1 << 16);
  private lastSeen = new Int32Array(1 << 12).fill(-1);
  position = 0;

  add(op: Uint8Array, page: Int32Array, length: number, pageCount: number): void {
    if (pageCount > this.lastSeen.length) this.lastSeen = grown(this.lastSeen, pageCount, -1);
    if (this.position + length > this.nextUse.length) this.nextUse = grown(this.nextUse, this.position + length);
    const nextUse = this.nextUse;
    const lastSeen = this.lastSeen;
    let position = this.position;
    for (let i = 0; i < length; i++) {
      if (op[i]! > OP_WRITE) continue;
      const p = page[i]!;
      const last = lastSeen[p]!;
      if (last >= 0) nextUse[last] = position;
      nextUse[position] = -1;
      lastSeen[p] = position++;
    }
    this.position = position;
  }

  result(): Int32Array {
    return this.nextUse.subarray(0, this.position);
  }
}

/** opt's look-ahead for a trace in memory. */
export function nextUseOf(trace: Pick<PageTrace, 'op' | 'page' | 'length'>, pageCount: number): Int32Array {
  const builder = new NextUseBuilder();
  builder.add(trace.op, trace.page, trace.length, pageCount);
  return builder.result();
}
