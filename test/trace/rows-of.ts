/**
 * Reads every row of a trace file back as plain objects (for round-trip tests).
 */
import { toBigInt } from '../../src/trace/address.js';
import { DEFAULT_READ_OPTIONS, createReader } from '../../src/trace/reader.js';
import { OP_NAMES } from '../../src/trace/rows.js';
import { openSource } from '../../src/trace/source.js';

export interface PlainRow {
  op: string;
  vm: string;
  addr: bigint;
  size: number;
  /** null when the trace has no time */
  time: number | null;
}

export async function rowsOf(path: string): Promise<PlainRow[]> {
  const reader = createReader(await openSource(path), DEFAULT_READ_OPTIONS);
  const rows: PlainRow[] = [];
  for await (const b of reader.batches()) {
    for (let i = 0; i < b.length; i++) {
      rows.push({
        op: OP_NAMES[b.op[i]!]!,
        vm: reader.vmNames[b.vm[i]!]!,
        addr: toBigInt(b.addrHi[i]!, b.addrLo[i]!),
        size: b.size[i]!,
        time: Number.isNaN(b.time[i]!) ? null : b.time[i]!,
      });
    }
  }
  return rows;
}
