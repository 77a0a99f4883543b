/**
 * Rows (addresses, sizes) -> page accesses (op, dense page id). An access of `size` bytes that
 * crosses a page boundary touches every page it covers; allocations and frees cover ranges.
 * Page numbers are exact for any 64-bit address: the page of hi:lo is (hi:lo) >> pageShift,
 * computed on the 32-bit halves.
 */
import { TraceError } from '../errors.js';
import { OP_RESET, type RowBatch } from '../trace/rows.js';
import type { PageIds } from './page-ids.js';

const TWO32 = 4294967296;

export class PageBatch {
  length = 0;
  readonly op: Uint8Array;
  /** dense page id; for RESET, the VM index */
  readonly page: Int32Array;
  constructor(readonly capacity = 16384) {
    this.op = new Uint8Array(capacity);
    this.page = new Int32Array(capacity);
  }
}

export class PageExpander {
  readonly shift: number;
  private out: PageBatch;

  constructor(
    pageSize: number,
    readonly ids: PageIds,
    /** receives each full batch and the last one; must consume it before returning */
    private readonly sink: (batch: PageBatch) => void,
    /** maps the rows' VM index to the engine's (identity when undefined) */
    private vmMap?: Int32Array,
  ) {
    this.shift = Math.log2(pageSize);
    this.out = new PageBatch();
  }

  setVmMap(map: Int32Array): void {
    this.vmMap = map;
  }

  /** Expands a batch of rows; `display` names the file for errors. */
  rows(batch: RowBatch, display: string): void {
    const s = this.shift;
    const out = this.out;
    const vmMap = this.vmMap;
    for (let r = 0; r < batch.length; r++) {
      const op = batch.op[r]!;
      const vm = vmMap ? vmMap[batch.vm[r]!]! : batch.vm[r]!;
      if (op === OP_RESET) {
        if (out.length === out.capacity) this.flush();
        out.op[out.length] = op;
        out.page[out.length++] = vm;
        continue;
      }
      const hi = batch.addrHi[r]!;
      const lo = batch.addrLo[r]!;
      const size = batch.size[r]!;
      // first page
      let pHi: number;
      let pLo: number;
      if (s === 0) {
        pHi = hi;
        pLo = lo;
      } else if (s < 32) {
        pHi = hi >>> s;
        pLo = ((lo >>> s) | (hi << (32 - s))) >>> 0;
      } else {
        pHi = 0;
        pLo = hi >>> (s - 32);
      }
      // Fast path: the access stays inside its page.
      const offset = s === 0 ? 0 : s < 32 ? lo & ((1 << s) - 1) : (hi & ((2 ** (s - 32)) - 1)) * TWO32 + lo;
      if (offset + size <= 2 ** s) {
        if (out.length === out.capacity) this.flush();
        out.op[out.length] = op;
        out.page[out.length++] = this.ids.id(vm, pHi, pLo);
        continue;
      }
      // Pages covered: 1 + floor((offset + size - 1) / pageSize); the last byte must exist.
      const pages = 1 + Math.floor((offset + size - 1) / 2 ** s);
      const lastHi = pHi + Math.floor((pLo + pages - 1) / TWO32);
      const pageBits = 64 - s;
      if (pageBits < 53 ? lastHi * TWO32 >= 2 ** pageBits : lastHi >= 2 ** (pageBits - 32)) {
        throw new TraceError(display, batch.line[r]!, 'access runs past the end of the 64-bit address space');
      }
      for (let k = 0; k < pages; k++) {
        if (out.length === out.capacity) this.flush();
        out.op[out.length] = op;
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
