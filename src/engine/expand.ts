/**
 * Rows (addresses, sizes) -> page accesses (op, dense page id). An access of `size` bytes that
 * crosses a page boundary touches every page it covers; allocations and frees cover ranges.
 * Page numbers are exact for any 64-bit address: the page of hi:lo is (hi:lo) >> pageShift,
 * computed on the 32-bit halves.
 */
import { TraceError } from '../errors.js';
import { OP_RESET, type RowBatch } from '../trace/rows.js';
import type { PageIds } from './page-ids.js';

/** The most pages one row may touch (64 GiB of 4 KiB pages). */
export const MAX_ROW_PAGES = 2 ** 24;

export class PageBatch {
  length = 0;
  readonly op: Uint8Array;
  /** dense page id; for RESET, the VM index */
  readonly page: Int32Array;
  /** the row's content token id (0 none); every page a W or A row covers gets it */
  readonly content: Int32Array;
  constructor(readonly capacity = 16384) {
    this.op = new Uint8Array(capacity);
    this.page = new Int32Array(capacity);
    this.content = new Int32Array(capacity);
  }
}

export class PageExpander {
  readonly shift: number;
  private out: PageBatch;

  constructor(
    readonly pageSize: number,
    readonly ids: PageIds,
    /** receives each full batch and the last one; must consume it before returning */
    private readonly sink: (batch: PageBatch) => void,
    /** names the input in messages */
    private readonly display = 'trace',
  ) {
    this.shift = Math.log2(pageSize);
    this.out = new PageBatch();
  }

  /** Expands a batch of rows (VM indices already global to the run). */
  rows(batch: RowBatch): void {
    const s = this.shift;
    const pageSize = this.pageSize;
    const mask = pageSize - 1;
    const out = this.out;
    // Paged vmt at this page size: page ids by array lookup, a hash lookup once per page.
    const refs = batch.refShift === s ? batch.pageRef : null;
    const refIds = batch.refIds;
    for (let r = 0; r < batch.length; r++) {
      const op = batch.op[r]!;
      const vm = batch.vm[r]!;
      if (op === OP_RESET) {
        if (out.length === out.capacity) this.flush();
        out.op[out.length] = op;
        out.content[out.length] = 0;
        out.page[out.length++] = vm;
        continue;
      }
      const hi = batch.addrHi[r]!;
      const lo = batch.addrLo[r]!;
      const size = batch.size[r]!;
      const content = batch.content[r]!;
      // First page: (hi:lo) >> s on the halves (s <= 30: page sizes up to 1 GiB).
      const pHiFirst = hi >>> s;
      let pLo = s === 0 ? lo : ((lo >>> s) | (hi << (32 - s))) >>> 0;
      const offset = lo & mask;
      // Fast path: the access stays inside its page.
      if (offset + size <= pageSize) {
        if (out.length === out.capacity) this.flush();
        out.op[out.length] = op;
        out.content[out.length] = content;
        let id: number;
        if (refs !== null) {
          const ref = refs[r]!;
          id = refIds![4 * ref + 3]!;
          if (id < 0) refIds![4 * ref + 3] = id = this.ids.id(vm, pHiFirst, pLo);
        } else id = this.ids.id(vm, pHiFirst, pLo);
        out.page[out.length++] = id;
        continue;
      }
      let pHi = pHiFirst;
      // Pages covered: 1 + floor((offset + size - 1) / pageSize). Readers have checked that the
      // last byte lies below 2^64 (spanFits).
      const pages = 1 + Math.floor((offset + size - 1) / pageSize);
      if (pages > MAX_ROW_PAGES) {
        throw new TraceError(this.display, batch.line[r]!, `a row covers ${pages} pages, more than ${MAX_ROW_PAGES} (2^24): use a larger --page-size`);
      }
      for (let k = 0; k < pages; k++) {
        if (out.length === out.capacity) this.flush();
        out.op[out.length] = op;
        out.content[out.length] = content;
        out.page[out.length++] = this.ids.id(vm, pHi, pLo);
        pLo = (pLo + 1) >>> 0;
        if (pLo === 0) pHi = (pHi + 1) >>> 0;
      }
    }
  }

  flush(): void {
    if (this.out.length === 0) return;
    this.sink(this.out);
    this.out.length = 0;
  }
}
