/**
 * `vmt`, vmmem's compact binary trace format (little-endian throughout):
 *
 *   offset  size  field
 *   0       4     magic "VMT1"
 *   4       4     u32 version (1)
 *   8       4     u32 flags: bit 0 = records carry a time field
 *   12      4     u32 number of VMs, V
 *   16      ...   V names: u16 byte length, then UTF-8 bytes
 *   ...     0-7   zero padding to a multiple of 8 bytes from the start of the file
 *   then fixed-size records, 16 bytes (24 with time):
 *     0  u8   op (0 R, 1 W, 2 A, 3 F, 4 RESET)
 *     1  u8   reserved (0)
 *     2  u16  VM index into the name table
 *     4  u32  size in bytes (an access or range over 4 GiB - 1 is split into several records)
 *     8  u32  address, low 32 bits
 *     12 u32  address, high 32 bits
 *     16 f64  time (only when flag bit 0 is set)
 *
 * Record i is reported as "line" i + 1 in messages. Little-endian machines only (as Node's
 * typed arrays read it: x86 and ARM).
 */
import { TraceError } from '../errors.js';
import { MAX_ROW_BYTES, spanFits } from './address.js';
import type { VmNames } from './csv.js';
import { RowBatch, OP_RESET } from './rows.js';
import { VMT_MAGIC } from './source.js';

export const VMT_VERSION = 1;
const FLAG_TIME = 1;
const MAX_U32 = 0xffffffff;

export function vmtHeader(vmNames: readonly string[], hasTime: boolean): Buffer {
  const names = vmNames.map((n) => Buffer.from(n, 'utf8'));
  let length = 16 + names.reduce((sum, n) => sum + 2 + n.length, 0);
  length = Math.ceil(length / 8) * 8;
  const header = Buffer.alloc(length);
  header.write(VMT_MAGIC, 0, 'latin1');
  header.writeUInt32LE(VMT_VERSION, 4);
  header.writeUInt32LE(hasTime ? FLAG_TIME : 0, 8);
  header.writeUInt32LE(names.length, 12);
  let at = 16;
  for (const n of names) {
    header.writeUInt16LE(n.length, at);
    n.copy(header, at + 2);
    at += 2 + n.length;
  }
  return header;
}

/** Encodes rows as vmt records (split where a size is over 32 bits). */
export function vmtRecords(batch: RowBatch, hasTime: boolean, vmMap?: ArrayLike<number>): Buffer {
  const recordSize = hasTime ? 24 : 16;
  let count = 0;
  for (let i = 0; i < batch.length; i++) count += Math.max(1, Math.ceil(batch.size[i]! / MAX_U32));
  const out = Buffer.alloc(count * recordSize);
  let at = 0;
  for (let i = 0; i < batch.length; i++) {
    let remaining = batch.size[i]!;
    let hi = batch.addrHi[i]!;
    let lo = batch.addrLo[i]!;
    do {
      const part = Math.min(remaining, MAX_U32);
      out[at] = batch.op[i]!;
      out.writeUInt16LE(vmMap ? vmMap[batch.vm[i]!]! : batch.vm[i]!, at + 2);
      out.writeUInt32LE(part, at + 4);
      out.writeUInt32LE(lo, at + 8);
      out.writeUInt32LE(hi, at + 12);
      if (hasTime) out.writeDoubleLE(batch.time[i]!, at + 16);
      at += recordSize;
      remaining -= part;
      const sum = lo + part;
      lo = sum >>> 0;
      hi = (hi + Math.floor(sum / 4294967296)) >>> 0;
    } while (remaining > 0);
  }
  return out;
}

export async function* readVmt(
  chunks: AsyncIterable<Buffer>,
  display: string,
  vms: VmNames,
  onHeader: (hasTime: boolean) => void,
  batchSize = 65536,
): AsyncGenerator<RowBatch> {
  let pending: Buffer = Buffer.alloc(0);
  let recordSize = 0;
  let hasTime = false;
  let vmIndex: number[] = [];
  let record = 0;
  for await (const chunk of chunks) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    if (recordSize === 0) {
      const parsedHeader = parseHeader(pending, display);
      if (!parsedHeader) continue;
      hasTime = parsedHeader.hasTime;
      recordSize = hasTime ? 24 : 16;
      vmIndex = parsedHeader.names.map((n) => vms.get(n));
      onHeader(hasTime);
      pending = pending.subarray(parsedHeader.length);
    }
    const whole = Math.floor(pending.length / recordSize);
    if (whole === 0) continue;
    // Read the records through aligned 32-bit views (copying when the chunk is not aligned).
    let bytes: Uint8Array = pending.subarray(0, whole * recordSize);
    if (bytes.byteOffset % 8 !== 0) bytes = new Uint8Array(bytes);
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
    const times = hasTime ? new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 3) : undefined;
    const stride = recordSize >>> 2;
    for (let start = 0; start < whole; start += batchSize) {
      const n = Math.min(batchSize, whole - start);
      const batch = new RowBatch(n);
      for (let k = 0; k < n; k++) {
        const w = (start + k) * stride;
        record++;
        const head = words[w]!;
        const op = head & 0xff;
        const vm = head >>> 16;
        const size = words[w + 1]!;
        const lo = words[w + 2]!;
        const hi = words[w + 3]!;
        if (op > OP_RESET) throw new TraceError(display, record, `record has unknown op ${op}`);
        if (vm >= vmIndex.length) throw new TraceError(display, record, `record names VM ${vm}, but the header has ${vmIndex.length}`);
        if (size === 0 || size > MAX_ROW_BYTES) throw new TraceError(display, record, size === 0 ? 'record has size 0' : 'size is over 64 GiB, the most one row may cover');
        if (hi >= 0xffe00000 && !spanFits(hi, lo, size)) throw new TraceError(display, record, 'access runs past the end of the 64-bit address space');
        batch.push(op, vmIndex[vm]!, hi, lo, size, times ? times[(w >>> 1) + 2]! : NaN, record);
      }
      yield batch;
    }
    pending = pending.subarray(whole * recordSize);
  }
  if (recordSize === 0) throw new TraceError(display, 0, 'not a vmt trace: the header is missing or cut short');
  if (pending.length !== 0) throw new TraceError(display, record + 1, `truncated vmt record (${pending.length} of ${recordSize} bytes)`);
}

function parseHeader(buf: Buffer, display: string): { names: string[]; hasTime: boolean; length: number } | undefined {
  if (buf.length < 16) return undefined;
  if (buf.toString('latin1', 0, 4) !== VMT_MAGIC) throw new TraceError(display, 0, 'not a vmt trace (bad magic bytes)');
  const version = buf.readUInt32LE(4);
  if (version !== VMT_VERSION) throw new TraceError(display, 0, `vmt version ${version} is not supported (this vmmem reads version ${VMT_VERSION})`);
  const flags = buf.readUInt32LE(8);
  const count = buf.readUInt32LE(12);
  if (count > 65535) throw new TraceError(display, 0, `vmt header names ${count} VMs (at most 65535)`);
  const names: string[] = [];
  let at = 16;
  for (let i = 0; i < count; i++) {
    if (at + 2 > buf.length) return undefined;
    const len = buf.readUInt16LE(at);
    if (at + 2 + len > buf.length) return undefined;
    names.push(buf.toString('utf8', at + 2, at + 2 + len));
    at += 2 + len;
  }
  const length = Math.ceil(at / 8) * 8;
  if (length > buf.length) return undefined;
  return { names, hasTime: (flags & FLAG_TIME) !== 0, length };
}
