/**
 * Rows (addresses, sizes) -> page accesses (op, dense page id). An access of `size` bytes that
 * crosses a page boundary touches every page it covers; allocations and frees cover ranges.
 * Page numbers are exact for any 64-bit address: the page of hi:lo is (hi:lo) >> pageShift,
 * computed on the 32-bit halves.
 */
import { TraceError } from '../errors.js';
import { OP_RESET, OP_WRITE, type RowBatch } from '../trace/rows.js';
import type { PageIds } from './page-ids.js';

/** The most pages one row may touch (64 GiB of 4 KiB pages). */
export const MAX_ROW_PAGES = 2 ** 24;

/** Rows whose pages are looked up together (PageIds.touch). */
const TOUCH = 256;

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

/**
 * Decides which pages reach the sink (spatial sampling, analysis/sampling.ts): keepKey() before
 * a page has an id, so that an unsampled page is never numbered; admit() once it has one.
 */
export interface PageFilter {
  keepKey(vm: number, hi: number, lo: number): boolean;
  admit(p: number, vm: number, hi: number, lo: number): boolean;
  /** admit() for a page numbered elsewhere (a vmt page table): reads its key only if undecided */
  admitId(p: number, ids: PageIds): boolean;
}

export class PageExpander {
  readonly shift: number;
  private out: PageBatch;
  /** pages outside it are dropped before the sink (RESET always passes) */
  filter: PageFilter | null = null;
  /** R and W page accesses the filter dropped */
  filteredAccesses = 0;

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
    for (let from = 0; from < batch.length; from += TOUCH) {
      const to = Math.min(batch.length, from + TOUCH);
      if (this.filter === null) this.touch(batch, from, to);
      for (let r = from; r < to; r++) {
        this.row(batch.op[r]!, batch.vm[r]!, batch.addrHi[r]!, batch.addrLo[r]!, batch.size[r]!, batch.content[r]!, batch.line[r]!);
      }
    }
  }

  // Rows from..to-1's first pages, for PageIds.touch (see there): TOUCH rows at a time, so that
  // what it reads is still in the caches when the rows are numbered.
  private readonly touchVm = new Uint16Array(TOUCH);
  private readonly touchHi = new Uint32Array(TOUCH);
  private readonly touchLo = new Uint32Array(TOUCH);
  /** what PageIds.touch returns, kept so that its reads are not optimised away */
  private touched = 0;

  private touch(batch: RowBatch, from: number, to: number): void {
    const s = this.shift;
    const vm = this.touchVm;
    const pHi = this.touchHi;
    const pLo = this.touchLo;
    for (let r = from; r < to; r++) {
      const hi = batch.addrHi[r]!;
      const lo = batch.addrLo[r]!;
      vm[r - from] = batch.vm[r]!;
      pHi[r - from] = hi >>> s;
      pLo[r - from] = s === 0 ? lo : ((lo >>> s) | (hi << (32 - s))) >>> 0;
    }
    this.touched = (this.touched + this.ids.touch(vm, pHi, pLo, to - from)) | 0;
  }

  /** One access of a page whose dense id is known (readers of paged vmt files: see vmt.ts). */
  page(op: number, id: number, content: number): void {
    const f = this.filter;
    if (f !== null && op !== OP_RESET && !f.admitId(id, this.ids)) {
      if (op <= OP_WRITE) this.filteredAccesses++;
      return;
    }
    this.push(op, id, content);
  }

  private push(op: number, id: number, content: number): void {
    const out = this.out;
    if (out.length === out.capacity) this.flush();
    const i = out.length++;
    out.op[i] = op;
    out.content[i] = content;
    out.page[i] = id;
  }

  /** One row: the pages it covers, in order (RESET: the VM). `line` names it in messages. */
  row(op: number, vm: number, hi: number, lo: number, size: number, content: number, line: number): void {
    if (op === OP_RESET) {
      this.push(op, vm, 0);
      return;
    }
    const s = this.shift;
    const pageSize = this.pageSize;
    // First page: (hi:lo) >> s on the halves (s <= 30: page sizes up to 1 GiB).
    let pHi = hi >>> s;
    let pLo = s === 0 ? lo : ((lo >>> s) | (hi << (32 - s))) >>> 0;
    const offset = lo & (pageSize - 1);
    // Pages covered: 1 + floor((offset + size - 1) / pageSize). Readers have checked that the
    // last byte lies below 2^64 (spanFits).
    const pages = offset + size <= pageSize ? 1 : 1 + Math.floor((offset + size - 1) / pageSize);
    if (pages > MAX_ROW_PAGES) {
      throw new TraceError(this.display, line, `a row covers ${pages} pages, more than ${MAX_ROW_PAGES} (2^24): use a larger --page-size`);
    }
    const f = this.filter;
    for (let k = 0; k < pages; k++) {
      if (f === null) this.push(op, this.ids.id(vm, pHi, pLo), content);
      else if (f.keepKey(vm, pHi, pLo)) {
        const id = this.ids.id(vm, pHi, pLo);
        if (f.admit(id, vm, pHi, pLo)) this.push(op, id, content);
        else if (op <= OP_WRITE) this.filteredAccesses++;
      } else if (op <= OP_WRITE) this.filteredAccesses++;
      pLo = (pLo + 1) >>> 0;
      if (pLo === 0) pHi = (pHi + 1) >>> 0;
    }
  }

  flush(): void {
    if (this.out.length === 0) return;
    this.sink(this.out);
    this.out.length = 0;
  }
}
