/**
 * `vmt`, vmmem's compact binary trace format (little-endian throughout):
 *
 *   offset  size  field
 *   0       4     magic "VMT1"
 *   4       4     u32 version (1)
 *   8       4     u32 flags: bit 0 = records carry a time field; bit 1 = paged records;
 *                 bit 2 = records carry a content id; bit 3 = no two PAGE records define the
 *                 same page (checked at the end of every read); bits 8-15 = log2 of the page
 *                 size of paged records
 *   12      4     u32 number of VMs, V
 *   16      ...   V names: u16 byte length, then UTF-8 bytes
 *   ...     ...   with flag bit 2: u32 number of content tokens, C, then C tokens as the names
 *   ...     0-7   zero padding to a multiple of 8 bytes from the start of the file
 *   then fixed-size records, 16 bytes (24 with time; 8 more with content):
 *     0  u8   op (0 R, 1 W, 2 A, 3 F, 4 RESET; in paged files also 5 PAGE)
 *     1  u8   reserved (0)
 *     2  u16  VM index into the name table
 *     4  u32  size in bytes (an access or range over 4 GiB - 1 is split into several records)
 *     8  u32  address, low 32 bits          | paged: page index      | PAGE: page number, low
 *     12 u32  address, high 32 bits         | paged: offset in page  | PAGE: page number, high
 *     16 f64  time (only when flag bit 0 is set)
 *     16/24 u32 content id (only with flag bit 2): 0 none, k = the k-th token of the table;
 *               then u32 reserved (0)
 *
 * Paged files carry dense page indices: a PAGE record defines index k (the k-th PAGE record,
 * from 0) as the page of that number and VM, before the first record that uses it. A replay at
 * the same page size then maps each record to its page without a hash lookup per access: the
 * page table is built once, when the file is written. With flag bit 3 (vmmem's writers) no two
 * PAGE records name one page, so a replay numbers new pages as they come, without looking them
 * up at all, and checks that promise at the end of the file. RESET records carry their address,
 * as in address records.
 *
 * Record i is reported as "line" i + 1 in messages. Little-endian machines only (as Node's
 * typed arrays read it: x86 and ARM).
 */
import { TraceError } from '../errors.js';
import { MAX_ROW_BYTES, spanFits, toHex } from './address.js';
import type { VmNames } from './csv.js';
import { PageIds } from '../pages/page-ids.js';
import { firstRepeat } from './first-repeat.js';
import type { PageExpander } from '../pages/expand.js';
import type { ContentNames } from './content.js';
import { RowBatch, OP_RESET } from './rows.js';
import { VMT_MAGIC } from './source.js';

export const VMT_VERSION = 1;
const FLAG_TIME = 1;
const FLAG_PAGED = 2;
const FLAG_CONTENT = 4;
const FLAG_DISTINCT_PAGES = 8;
const OP_PAGE = 5;
const MAX_U32 = 0xffffffff;

/** The longest VM name or content token a vmt header holds (a u16 length). */
export const VMT_MAX_NAME_BYTES = 65535;

/** Size of one record. */
export function vmtRecordSize(hasTime: boolean, hasContent: boolean): number {
  return (hasTime ? 24 : 16) + (hasContent ? 8 : 0);
}

/**
 * The header; `pageShift` (log2 page size) makes a paged file; `contentTokens` (record content
 * id k names contentTokens[k - 1]) makes records carry content ids; `distinctPages` promises
 * that no page has two PAGE records (VmtPagedWriter's files), so that a replay can number the
 * pages without a hash lookup.
 */
export function vmtHeader(
  vmNames: readonly string[],
  hasTime: boolean,
  pageShift?: number,
  contentTokens?: readonly string[],
  distinctPages = false,
): Buffer {
  const names = vmNames.map((n) => Buffer.from(n, 'utf8'));
  const tokens = (contentTokens ?? []).map((n) => Buffer.from(n, 'utf8'));
  for (const t of [...names, ...tokens]) if (t.length > VMT_MAX_NAME_BYTES) throw new RangeError('a vmt name or content token is over 65535 bytes');
  let length = 16 + names.reduce((sum, n) => sum + 2 + n.length, 0);
  if (contentTokens) length += 4 + tokens.reduce((sum, n) => sum + 2 + n.length, 0);
  length = Math.ceil(length / 8) * 8;
  const header = Buffer.alloc(length);
  header.write(VMT_MAGIC, 0, 'latin1');
  header.writeUInt32LE(VMT_VERSION, 4);
  const paged = pageShift === undefined ? 0 : FLAG_PAGED | (pageShift << 8);
  const distinct = pageShift !== undefined && distinctPages ? FLAG_DISTINCT_PAGES : 0;
  header.writeUInt32LE((hasTime ? FLAG_TIME : 0) | paged | (contentTokens ? FLAG_CONTENT : 0) | distinct, 8);
  header.writeUInt32LE(names.length, 12);
  let at = 16;
  const writeNames = (list: Buffer[]): void => {
    for (const n of list) {
      header.writeUInt16LE(n.length, at);
      n.copy(header, at + 2);
      at += 2 + n.length;
    }
  };
  writeNames(names);
  if (contentTokens) {
    header.writeUInt32LE(tokens.length, at);
    at += 4;
    writeNames(tokens);
  }
  return header;
}

const GIB = 2 ** 30;

/**
 * The bytes a row's records cover: all of them, but a RESET - which frees all its VM holds,
 * whatever its size - is one record, its size kept up to 4 GiB - 1.
 */
function recordedBytes(op: number, size: number): number {
  return op === OP_RESET ? Math.min(size, MAX_U32) : size;
}

/**
 * The bytes of the next record of a row: all of them up to 4 GiB - 1; a larger row is split at a
 * 1 GiB-aligned address (the last one within 4 GiB - 1 bytes), so that no page of any page size
 * (at most 1 GiB) lies in two records and is counted as two accesses.
 */
function recordPart(lo: number, remaining: number): number {
  if (remaining <= MAX_U32) return remaining;
  const offset = (lo >>> 0) % GIB;
  return Math.floor((MAX_U32 + offset) / GIB) * GIB - offset;
}

/**
 * Encodes rows as vmt records (split where a size is over 32 bits: see recordPart). With `hasContent`, each
 * record carries its row's content id as is (the caller's header table must match the ids).
 */
export function vmtRecords(batch: RowBatch, hasTime: boolean, vmMap?: ArrayLike<number>, hasContent = false): Buffer {
  const recordSize = vmtRecordSize(hasTime, hasContent);
  const contentAt = hasTime ? 24 : 16;
  let count = 0;
  // parts after the first are 3 GiB: room for one more than size / 3 GiB
  for (let i = 0; i < batch.length; i++) count += batch.size[i]! <= MAX_U32 ? 1 : Math.ceil(batch.size[i]! / (3 * GIB)) + 1;
  const out = Buffer.alloc(count * recordSize);
  let at = 0;
  for (let i = 0; i < batch.length; i++) {
    let remaining = recordedBytes(batch.op[i]!, batch.size[i]!);
    let hi = batch.addrHi[i]!;
    let lo = batch.addrLo[i]!;
    do {
      const part = recordPart(lo, remaining);
      out[at] = batch.op[i]!;
      out.writeUInt16LE(vmMap ? vmMap[batch.vm[i]!]! : batch.vm[i]!, at + 2);
      out.writeUInt32LE(part, at + 4);
      out.writeUInt32LE(lo, at + 8);
      out.writeUInt32LE(hi, at + 12);
      if (hasTime) out.writeDoubleLE(batch.time[i]!, at + 16);
      if (hasContent) out.writeUInt32LE(batch.content[i]!, at + contentAt);
      at += recordSize;
      remaining -= part;
      const sum = lo + part;
      lo = sum >>> 0;
      hi = (hi + Math.floor(sum / 4294967296)) >>> 0;
    } while (remaining > 0);
  }
  return out.subarray(0, at);
}

/**
 * Writes paged vmt records: assigns page indices in order of first use (a PAGE record before
 * the first record that uses each), so that replays need no hash lookup per access.
 */
export class VmtPagedWriter {
  private readonly pages = new PageIds();
  private readonly recordSize: number;
  constructor(
    readonly hasTime: boolean,
    readonly pageShift: number,
    readonly hasContent = false,
  ) {
    this.recordSize = vmtRecordSize(hasTime, hasContent);
  }

  encode(batch: RowBatch, vmMap?: ArrayLike<number>): Buffer {
    const s = this.pageShift;
    const mask = 2 ** s - 1;
    const parts: Buffer[] = [];
    let out = Buffer.alloc(this.recordSize * (2 * batch.length + 2));
    let at = 0;
    const room = (): void => {
      if (at + 2 * this.recordSize > out.length) {
        parts.push(out.subarray(0, at));
        out = Buffer.alloc(this.recordSize * (2 * batch.length + 2));
        at = 0;
      }
    };
    for (let i = 0; i < batch.length; i++) {
      const vm = vmMap ? vmMap[batch.vm[i]!]! : batch.vm[i]!;
      const op = batch.op[i]!;
      const time = batch.time[i]!;
      let remaining = recordedBytes(op, batch.size[i]!);
      let hi = batch.addrHi[i]!;
      let lo = batch.addrLo[i]!;
      do {
        room();
        const part = recordPart(lo, remaining);
        // RESET records keep their address (no page): words 2-3 as in address records.
        let ref = lo;
        let offset = hi;
        if (op !== OP_RESET) {
          const pHi = hi >>> s;
          const pLo = s === 0 ? lo : ((lo >>> s) | (hi << (32 - s))) >>> 0;
          offset = lo & mask;
          const before = this.pages.count;
          ref = this.pages.id(vm, pHi, pLo);
          if (ref === before) {
            out[at] = OP_PAGE;
            out.writeUInt16LE(vm, at + 2);
            out.writeUInt32LE(pLo, at + 8);
            out.writeUInt32LE(pHi, at + 12);
            at += this.recordSize;
          }
        }
        out[at] = op;
        out.writeUInt16LE(vm, at + 2);
        out.writeUInt32LE(part, at + 4);
        out.writeUInt32LE(ref, at + 8);
        out.writeUInt32LE(offset, at + 12);
        if (this.hasTime) out.writeDoubleLE(time, at + 16);
        if (this.hasContent) out.writeUInt32LE(batch.content[i]!, at + (this.hasTime ? 24 : 16));
        at += this.recordSize;
        remaining -= part;
        const sum = lo + part;
        lo = sum >>> 0;
        hi = (hi + Math.floor(sum / 4294967296)) >>> 0;
      } while (remaining > 0);
    }
    parts.push(out.subarray(0, at));
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}

/**
 * Where a paged file's records can go instead of rows: straight to the page expander of a run,
 * each record of one page with the page id its page table caches (no hash lookup, no rows).
 */
export interface VmtPageTarget {
  expander: PageExpander;
  /** the run's index of the reader's VM `local` */
  vm(local: number): number;
  /** records read so far (PAGE records not counted), after each chunk */
  progress?(records: number): void;
}

/**
 * Decodes vmt records, once for both readers below: into rows (readVmt), or into page accesses
 * (replayVmt). Chunks are taken as they come; only a record cut by a chunk's end is copied.
 */
class VmtDecoder {
  private recordSize = 0;
  private hasTime = false;
  private paged = false;
  /** the header promises that no page has two PAGE records (checked in finish()) */
  private distinct = false;
  /**
   * the promise also holds for the run's pages, so new pages are numbered without a lookup: not
   * when two of the header's VMs are one VM of the run (a name given twice), whose pages of the
   * same number are one page
   */
  private appendNew = false;
  private shift = 0;
  /** file VM -> the reader's VM */
  private vmIndex: number[] = [];
  /** file VM -> the run's VM (replayVmt only) */
  private runVm: number[] = [];
  /** record content id -> the run's content id (index 0: none) */
  private contentIds: number[] | null = null;
  private contentWord = 0;
  /**
   * Paged files: one cache line per page index: [page low, page high, VM, page id or -1]; the
   * page id is the run's, looked up at the index's first use (replayVmt only).
   */
  private refTable = new Int32Array(4 * 1024);
  private refs = 0;
  /** page indices [0, identicalRefs) have the run's ids idBase + index (see pageId) */
  private identicalRefs = 0;
  private idBase = 0;
  private identityBroken = false;
  /** records decoded (PAGE records too): record i is "line" i + 1 */
  record = 0;
  /** records that are rows (not PAGE records) */
  rows = 0;
  /** the last record's time: a trace's time may not go backwards */
  private lastTime = -Infinity;
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    private readonly display: string,
    private readonly vms: VmNames,
    private readonly onHeader: (hasTime: boolean, hasContent: boolean) => void,
    private readonly contents: ContentNames | undefined,
    private readonly target: VmtPageTarget | null,
  ) {}

  /**
   * The whole records `chunk` completes, as aligned views: the record the last chunk cut short
   * (completed, a copy), then the chunk's own whole records (the chunk itself when aligned). A
   * record this chunk cuts short waits for the next one.
   */
  *views(chunk: Buffer): Generator<Uint8Array> {
    if (this.recordSize === 0) {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      if (!this.header(this.pending)) return;
      chunk = this.pending;
      this.pending = Buffer.alloc(0);
    }
    const size = this.recordSize;
    if (this.pending.length > 0) {
      // Complete the record cut by the last chunk's end: copy that one record only.
      const need = size - this.pending.length;
      if (chunk.length < need) {
        this.pending = Buffer.concat([this.pending, chunk]);
        return;
      }
      yield new Uint8Array(Buffer.concat([this.pending, chunk.subarray(0, need)]));
      chunk = chunk.subarray(need);
      this.pending = Buffer.alloc(0);
    }
    const whole = Math.floor(chunk.length / size);
    if (whole > 0) {
      const bytes = chunk.subarray(0, whole * size);
      // Read through aligned 32-bit views (copying when the chunk is not aligned).
      yield bytes.byteOffset % 8 === 0 ? bytes : new Uint8Array(bytes);
    }
    if (chunk.length > whole * size) this.pending = Buffer.from(chunk.subarray(whole * size));
  }

  private header(buf: Buffer): boolean {
    const parsed = parseHeader(buf, this.display);
    if (!parsed) return false;
    this.hasTime = parsed.hasTime;
    this.paged = parsed.paged;
    this.distinct = parsed.distinct;
    this.shift = parsed.pageShift;
    this.recordSize = vmtRecordSize(this.hasTime, parsed.contentTokens !== null);
    this.contentWord = this.hasTime ? 6 : 4;
    const contents = this.contents;
    if (parsed.contentTokens !== null) this.contentIds = [0, ...parsed.contentTokens.map((t) => (contents ? contents.id(t) : 0))];
    this.vmIndex = parsed.names.map((n) => this.vms.get(n));
    this.appendNew = this.distinct && new Set(this.vmIndex).size === this.vmIndex.length;
    if (this.target !== null) this.runVm = this.vmIndex.map((l) => this.target!.vm(l));
    this.onHeader(this.hasTime, this.contentIds !== null);
    this.pending = buf.subarray(parsed.length);
    return true;
  }

  /**
   * Decodes records [start, start + n) of `bytes`: into `rows` (reader VM indices), or, when
   * null, to the page target.
   */
  decode(bytes: Uint8Array, start: number, n: number, rows: RowBatch | null): void {
    const display = this.display;
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
    const times = this.hasTime ? new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 3) : undefined;
    const stride = this.recordSize >>> 2;
    const shift = this.shift;
    const pageBytes = 2 ** shift;
    const paged = this.paged;
    const vmCount = this.vmIndex.length;
    const contentIds = this.contentIds;
    const contentWord = this.contentWord;
    const target = this.target;
    const expander = target?.expander;
    // Page ids straight from the page table: the run's pages are the file's.
    const direct = paged && expander !== undefined && expander.shift === shift;
    if (direct && times === undefined && contentIds === null && rows === null && n > 1) {
      this.decodeDirect(bytes, words, start, n);
      return;
    }
    let refTable = this.refTable;
    for (let k = start; k < start + n; k++) {
      const w = k * stride;
      const record = ++this.record;
      const head = words[w]!;
      const op = head & 0xff;
      const vm = head >>> 16;
      const size = words[w + 1]!;
      let lo = words[w + 2]!;
      let hi = words[w + 3]!;
      if (vm >= vmCount) throw new TraceError(display, record, `record names VM ${vm}, but the header has ${vmCount}`);
      if (paged && op === OP_PAGE) {
        if (4 * this.refs >= refTable.length) {
          const t2 = new Int32Array(refTable.length * 2);
          t2.set(refTable);
          this.refTable = refTable = t2;
        }
        if (shift > 0 && hi >>> (32 - shift) !== 0) throw new TraceError(display, record, 'PAGE record: page number over 64 bits');
        const a = 4 * this.refs++;
        refTable[a] = lo;
        refTable[a + 1] = hi;
        refTable[a + 2] = vm;
        refTable[a + 3] = -1;
        continue;
      }
      if (op > OP_RESET) throw new TraceError(display, record, `record has unknown op ${op}`);
      if (size === 0 || size > MAX_ROW_BYTES) throw new TraceError(display, record, size === 0 ? 'record has size 0' : 'size is over 64 GiB, the most one row may cover');
      let content = 0;
      if (contentIds !== null) {
        const c = words[w + contentWord]!;
        if (c >= contentIds.length) throw new TraceError(display, record, `record has content id ${c}, but the header has ${contentIds.length - 1} tokens`);
        content = contentIds[c]!;
      }
      let time = NaN;
      if (times !== undefined) {
        time = times[(w >>> 1) + 2]!;
        if (!Number.isFinite(time) || time < this.lastTime) {
          throw new TraceError(display, record, Number.isFinite(time) ? `time goes backwards: ${time} after ${this.lastTime}` : `time is ${time}, not a finite number`);
        }
        this.lastTime = time;
      }
      this.rows++;
      // Paged records but RESET (which carries its address as address records do): page index and offset.
      if (paged && op !== OP_RESET) {
        const ref = lo;
        const offset = hi;
        if (ref >= this.refs) throw new TraceError(display, record, `record uses page ${ref}, which no PAGE record has defined`);
        if (offset >= pageBytes) throw new TraceError(display, record, 'offset outside its page');
        const at = 4 * ref;
        // A file of one VM needs no check that the page's VM is the record's: both are VM 0.
        if (vmCount > 1 && refTable[at + 2] !== vm) throw new TraceError(display, record, `record's VM differs from its page's`);
        if (direct && offset + size <= pageBytes) {
          // Within its page: the page id without a lookup while the file's page indices are
          // the run's ids in order (identicalRefs), else from the page table.
          expander.page(op, ref < this.identicalRefs ? this.idBase + ref : this.pageId(ref, vm), content);
          continue;
        }
        const pLo = refTable[at]! >>> 0;
        const pHi = refTable[at + 1]! >>> 0;
        lo = (((pLo << shift) >>> 0) | offset) >>> 0;
        hi = shift === 0 ? pHi : ((pHi << shift) | (pLo >>> (32 - shift))) >>> 0;
      }
      if (hi >= 0xffe00000 && !spanFits(hi, lo, size)) throw new TraceError(display, record, 'access runs past the end of the 64-bit address space');
      if (rows !== null) rows.push(op, this.vmIndex[vm]!, hi, lo, size, time, record, content);
      else expander!.row(op, this.runVm[vm]!, hi, lo, size, content, record);
    }
  }

  /**
   * decode() for the common case of replayVmt (paged records at the run's page size, without
   * times or contents): each R, W, A or F record within its page goes to the expander with the
   * decoder's state in locals; any other record (PAGE, RESET, one that crosses its page, or a
   * bad one, for its message) takes decode()'s general path, one record at a time.
   */
  private decodeDirect(bytes: Uint8Array, words: Uint32Array, start: number, n: number): void {
    const expander = this.target!.expander;
    const stride = this.recordSize >>> 2;
    const pageBytes = 2 ** this.shift;
    const vmCount = this.vmIndex.length;
    let refTable = this.refTable;
    let refs = this.refs;
    let identical = this.identicalRefs;
    let idBase = this.idBase;
    let record = this.record;
    let rows = this.rows;
    const end = start + n;
    for (let k = start; k < end; k++) {
      const w = k * stride;
      const head = words[w]!;
      const op = head & 0xff;
      const vm = head >>> 16;
      const size = words[w + 1]!;
      const ref = words[w + 2]!;
      const offset = words[w + 3]!;
      // R, W, A, F of a defined page, within it (so size <= pageBytes <= MAX_ROW_BYTES), of the record's VM.
      if (op < OP_RESET && size !== 0 && ref < refs && offset + size <= pageBytes && vm < vmCount && (vmCount === 1 || refTable[4 * ref + 2] === vm)) {
        record++;
        rows++;
        if (ref < identical) expander.page(op, idBase + ref, 0);
        else {
          expander.page(op, this.pageId(ref, vm), 0);
          identical = this.identicalRefs;
          idBase = this.idBase;
        }
        continue;
      }
      if (op === OP_PAGE && vm < vmCount && (this.shift === 0 || offset >>> (32 - this.shift) === 0)) {
        // A PAGE record (its page number in ref, offset): the next page index.
        record++;
        if (4 * refs >= refTable.length) {
          const t2 = new Int32Array(refTable.length * 2);
          t2.set(refTable);
          this.refTable = refTable = t2;
        }
        const a = 4 * refs++;
        this.refs = refs;
        refTable[a] = ref;
        refTable[a + 1] = offset;
        refTable[a + 2] = vm;
        refTable[a + 3] = -1;
        continue;
      }
      this.record = record;
      this.rows = rows;
      this.decode(bytes, k, 1, null);
      record = this.record;
      rows = this.rows;
      refTable = this.refTable;
      refs = this.refs;
      identical = this.identicalRefs;
      idBase = this.idBase;
    }
    this.record = record;
    this.rows = rows;
  }

  /**
   * The run's page id of page index `ref` (replayVmt), looked up at its first use. Page indices
   * are numbered in order of first use, as the run numbers its pages: while each new index gets
   * the next id, indices below identicalRefs are idBase + ref, with no table to read.
   */
  private pageId(ref: number, vm: number): number {
    const at = 4 * ref;
    let id = this.refTable[at + 3]!;
    if (id >= 0) return id;
    const ids = this.target!.expander.ids;
    const runVm = this.runVm[vm]!;
    const hi = this.refTable[at + 1]! >>> 0;
    const lo = this.refTable[at]! >>> 0;
    const inOrder = !this.identityBroken && ref === this.identicalRefs;
    if (inOrder && ref < ids.count && ids.loOf[ref] === lo && ids.hiOf[ref] === hi && ids.vmOf[ref] === runVm) {
      // The run has numbered this page so already (the second pass over the file, for opt).
      id = ref;
    } else if (inOrder && this.appendNew && ids.count === ref) {
      // Every id so far is one of this file's pages, numbered as its page indices, and the
      // header promises distinct pages: this one is new, no lookup needed (finish() checks).
      id = ids.append(runVm, hi, lo);
    } else id = ids.id(runVm, hi, lo);
    this.refTable[at + 3] = id;
    if (!this.identityBroken) {
      if (ref === this.identicalRefs && (ref === 0 || id === this.idBase + ref)) {
        if (ref === 0) this.idBase = id;
        this.identicalRefs++;
      } else this.identityBroken = true;
    }
    return id;
  }

  finish(): void {
    if (this.recordSize === 0) throw new TraceError(this.display, 0, 'not a vmt trace: the header is missing or cut short');
    if (this.pending.length !== 0) {
      throw new TraceError(this.display, this.record + 1, `truncated vmt record (${this.pending.length} of ${this.recordSize} bytes)`);
    }
    if (this.distinct) {
      const repeat = firstRepeat(this.refTable, this.refs);
      if (repeat !== null) {
        const [a, b] = repeat;
        const page = toHex(this.refTable[4 * a + 1]! >>> 0, this.refTable[4 * a]! >>> 0);
        throw new TraceError(
          this.display,
          0,
          `PAGE records ${a} and ${b} (from 0) both define page 0x${page} of VM ${this.refTable[4 * a + 2]}, but the header says no page has two`,
        );
      }
    }
  }

  get size(): number {
    return this.recordSize;
  }
}

/** Reads a vmt trace as rows (VM indices the reader's, from `vms`). */
export async function* readVmt(
  chunks: AsyncIterable<Buffer>,
  display: string,
  vms: VmNames,
  onHeader: (hasTime: boolean, hasContent: boolean) => void,
  contents?: ContentNames,
  batchSize = 65536,
): AsyncGenerator<RowBatch> {
  const decoder = new VmtDecoder(display, vms, onHeader, contents, null);
  // One batch, reused: the consumer is done with it when the generator resumes.
  const batch = new RowBatch(batchSize);
  for await (const chunk of chunks) {
    for (const bytes of decoder.views(chunk)) {
      const whole = bytes.length / decoder.size;
      for (let start = 0; start < whole; start += batchSize) {
        batch.length = 0;
        decoder.decode(bytes, start, Math.min(batchSize, whole - start), batch);
        if (batch.length > 0) yield batch;
      }
    }
  }
  decoder.finish();
}

/**
 * Replays a vmt trace straight into a run's page expander (one source, nothing to interleave):
 * no rows in between, and in paged files at the run's page size no hash lookup per access.
 * The same accesses in the same order as readVmt's rows through the expander; returns the
 * number of rows.
 */
export async function replayVmt(
  chunks: AsyncIterable<Buffer>,
  display: string,
  vms: VmNames,
  onHeader: (hasTime: boolean, hasContent: boolean) => void,
  contents: ContentNames | undefined,
  target: VmtPageTarget,
): Promise<number> {
  const decoder = new VmtDecoder(display, vms, onHeader, contents, target);
  for await (const chunk of chunks) {
    for (const bytes of decoder.views(chunk)) decoder.decode(bytes, 0, bytes.length / decoder.size, null);
    target.progress?.(decoder.rows);
  }
  decoder.finish();
  return decoder.rows;
}

function parseHeader(
  buf: Buffer,
  display: string,
): { names: string[]; contentTokens: string[] | null; hasTime: boolean; paged: boolean; distinct: boolean; pageShift: number; length: number } | undefined {
  if (buf.length < 16) return undefined;
  if (buf.toString('latin1', 0, 4) !== VMT_MAGIC) throw new TraceError(display, 0, 'not a vmt trace (bad magic bytes)');
  const version = buf.readUInt32LE(4);
  if (version !== VMT_VERSION) throw new TraceError(display, 0, `vmt version ${version} is not supported (this vmmem reads version ${VMT_VERSION})`);
  const flags = buf.readUInt32LE(8);
  const count = buf.readUInt32LE(12);
  if (count > 65535) throw new TraceError(display, 0, `vmt header names ${count} VMs (at most 65535)`);
  let at = 16;
  const readNames = (n: number): string[] | undefined => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      if (at + 2 > buf.length) return undefined;
      const len = buf.readUInt16LE(at);
      if (at + 2 + len > buf.length) return undefined;
      out.push(buf.toString('utf8', at + 2, at + 2 + len));
      at += 2 + len;
    }
    return out;
  };
  const names = readNames(count);
  if (names === undefined) return undefined;
  let contentTokens: string[] | null = null;
  if ((flags & FLAG_CONTENT) !== 0) {
    if (at + 4 > buf.length) return undefined;
    const tokens = buf.readUInt32LE(at);
    at += 4;
    // Every token takes at least 2 bytes: a count beyond what the file could hold is corrupt,
    // not a reason to wait for more input.
    if (tokens > 0x3fffffff) throw new TraceError(display, 0, `vmt header names ${tokens} content tokens (at most 2^30)`);
    const read = readNames(tokens);
    if (read === undefined) return undefined;
    contentTokens = read;
  }
  const length = Math.ceil(at / 8) * 8;
  if (length > buf.length) return undefined;
  const pageShift = (flags >>> 8) & 0xff;
  if (pageShift > 30) throw new TraceError(display, 0, `vmt page size 2^${pageShift} is over 1 GiB`);
  const paged = (flags & FLAG_PAGED) !== 0;
  return { names, contentTokens, hasTime: (flags & FLAG_TIME) !== 0, paged, distinct: paged && (flags & FLAG_DISTINCT_PAGES) !== 0, pageShift, length };
}
