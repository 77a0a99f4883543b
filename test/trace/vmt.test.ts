/**
 * vmt (README "vmt, the binary format"): what vmtHeader/vmtRecords write, readVmt reads back,
 * field for field, whatever the chunking of the input.
 */
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VmNames } from '../../src/trace/csv.js';
import { RowBatch } from '../../src/trace/rows.js';
import { readVmt, vmtHeader, vmtRecords, VmtPagedWriter } from '../../src/trace/vmt.js';
import { cli, tempFile } from '../helpers.js';

interface Row {
  op: number;
  vm: number;
  hi: number;
  lo: number;
  size: number;
  time: number;
}

async function readBack(bytes: Buffer, cuts: number[]): Promise<{ rows: Row[]; names: string[]; hasTime: boolean }> {
  const chunks: Buffer[] = [];
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    if (c > at && c < bytes.length) {
      chunks.push(bytes.subarray(at, c));
      at = c;
    }
  }
  chunks.push(bytes.subarray(at));
  const vms = new VmNames('file');
  let hasTime = false;
  const rows: Row[] = [];
  for await (const b of readVmt(
    (async function* () {
      yield* chunks;
    })(),
    't.vmt',
    vms,
    (t) => {
      hasTime = t;
    },
    undefined,
    7,
  )) {
    for (let i = 0; i < b.length; i++) rows.push({ op: b.op[i]!, vm: b.vm[i]!, hi: b.addrHi[i]!, lo: b.addrLo[i]!, size: b.size[i]!, time: b.time[i]! });
  }
  return { rows, names: vms.names, hasTime };
}

const rowArb = (vms: number) =>
  fc.record({
    op: fc.integer({ min: 0, max: 4 }),
    vm: fc.integer({ min: 0, max: vms - 1 }),
    hi: fc.integer({ min: 0, max: 0xfffffffe }),
    lo: fc.integer({ min: 0, max: 0xffffffff }),
    size: fc.integer({ min: 1, max: 0xffffffff }),
    time: fc.double({ noNaN: true, noDefaultInfinity: true }),
  });

describe('vmt round trip', () => {
  it('every field comes back, with and without time, in any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 }).map((n) => [...new Set(n)]),
        fc.boolean(),
        fc.array(fc.nat(2000), { maxLength: 6 }),
        fc.integer({ min: 0, max: 40 }),
        async (names, hasTime, cuts, n) => {
          // times in order: a trace's time may not go backwards (the reader refuses it)
          const drawn = fc.sample(rowArb(names.length), { numRuns: n, seed: n });
          const times = drawn.map((r) => r.time).sort((a, b) => a - b);
          const rows = drawn.map((r, i) => ({ ...r, time: times[i]! }));
          const batch = new RowBatch(Math.max(1, n));
          for (const r of rows) batch.push(r.op, r.vm, r.hi, r.lo, r.size, hasTime ? r.time : NaN, 0);
          const bytes = Buffer.concat([vmtHeader(names, hasTime), vmtRecords(batch, hasTime)]);
          const back = await readBack(bytes, cuts);
          expect(back.names).toEqual(names);
          expect(back.hasTime).toBe(hasTime);
          expect(back.rows).toEqual(rows.map((r) => ({ ...r, time: hasTime ? r.time : NaN })));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('splits a size over 4 GiB - 1 into consecutive records at 1 GiB-aligned addresses', async () => {
    const batch = new RowBatch(1);
    batch.push(2, 0, 0, 0xfffffff0, 2 ** 33, NaN, 1); // A of 8 GiB from 0xfffffff0
    const back = await readBack(Buffer.concat([vmtHeader(['v'], false), vmtRecords(batch, false)]), []);
    // 0xfffffff0 is 0x3ffffff0 into its GiB; the last GiB boundary within 4 GiB - 1 bytes is
    // 0x1_00000000 + 0xc0000000: 0xc0000010 bytes. Then 3 GiB (the most whole GiBs under
    // 4 GiB) to 0x2_80000000, and the rest: 2^33 - 0xc0000010 - 0xc0000000 = 0x7ffffff0.
    expect(back.rows.map((r) => [r.hi, r.lo, r.size])).toEqual([
      [0, 0xfffffff0, 0xc0000010],
      [1, 0xc0000000, 0xc0000000],
      [2, 0x80000000, 0x7ffffff0],
    ]);
  });

  it('keeps a RESET of any size one record, in address and paged files (its size means nothing)', async () => {
    const batch = new RowBatch(2);
    batch.push(4, 0, 0, 0x1000, 5 * 2 ** 30, NaN, 1); // RESET, 5 GiB
    batch.push(0, 0, 0, 0x2000, 8, NaN, 2);
    const plain = await readBack(Buffer.concat([vmtHeader(['v'], false), vmtRecords(batch, false)]), []);
    expect(plain.rows.map((r) => [r.op, r.lo, r.size])).toEqual([
      [4, 0x1000, 0xffffffff],
      [0, 0x2000, 8],
    ]);
    const writer = new VmtPagedWriter(false, 12);
    const paged = await readBack(Buffer.concat([vmtHeader(['v'], false, 12), writer.encode(batch)]), []);
    expect(paged.rows.map((r) => [r.op, r.lo, r.size])).toEqual([
      [4, 0x1000, 0xffffffff],
      [0, 0x2000, 8],
    ]);
  });

  it('a 4 GiB access is as many accesses through vmt as through csv, at any page size (found by the fuzzer)', () => {
    // The old split (0xffffffff bytes, then 1) put the page holding the boundary in both
    // records: one access too many. From 0x40321a8, 4 GiB cover pages 0x4032 to 0x104032 of
    // 4 KiB (0x100001 accesses) and 0 to 4 of 1 GiB (5).
    const csv = tempFile('big.csv', 'op,addr,size\nR,0x40321a8,4294967296\n');
    const vmt = join(dirname(csv), 'big.vmt');
    expect(cli(['convert', csv, vmt, '-q']).status).toBe(0);
    for (const [pageSize, accesses] of [['4096', 0x100001], ['1GiB', 5]] as const) {
      for (const file of [csv, vmt]) {
        const r = cli(['simulate', file, '--page-size', pageSize, '--frames', '4', '--format', 'json']);
        expect(r.status, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout).rows.at(-1).accesses, `${file} at ${pageSize}`).toBe(accesses);
      }
    }
  });
});

/** A PAGE record (op 5) of 16 bytes: the next page index is page hi:lo of file VM `vm`. */
function pageRecord(vm: number, hi: number, lo: number): Buffer {
  const r = Buffer.alloc(16);
  r[0] = 5;
  r.writeUInt16LE(vm, 2);
  r.writeUInt32LE(lo, 8);
  r.writeUInt32LE(hi, 12);
  return r;
}

describe('vmt header bit 3 (no page has two PAGE records)', () => {
  // Pages of 1 byte (any 64-bit page number): 9000 pages of three VMs (VM 2's numbers over
  // 2^63), interleaved; index 7000 repeats index 4001 (VM 2's page 0x80000001_00001000 + 1333),
  // 8000 repeats 100: the first pair is reported.
  const pages = Array.from({ length: 9000 }, (_, i) => [i % 3, i % 3 === 2 ? 0x80000001 : 0, 0x1000 + Math.floor(i / 3)] as const);
  pages[7000] = pages[4001]!;
  pages[8000] = pages[100]!;
  const records = Buffer.concat(pages.map(([vm, hi, lo]) => pageRecord(vm, hi, lo)));

  it('a file that breaks it is refused at its end, naming the first repeat, in any chunking', async () => {
    const bytes = Buffer.concat([vmtHeader(['a', 'b', 'c'], false, 0, undefined, true), records]);
    for (const cuts of [[], [40, 1000, 50001]]) {
      await expect(readBack(bytes, cuts)).rejects.toThrow(
        't.vmt: PAGE records 4001 and 7000 (from 0) both define page 0x8000000100001535 of VM 2, but the header says no page has two',
      );
    }
  });

  it('without it the same records read, as does the file without its repeats', async () => {
    expect((await readBack(Buffer.concat([vmtHeader(['a', 'b', 'c'], false, 0), records]), [])).rows).toEqual([]);
    const distinct = Buffer.concat(pages.slice(0, 7000).map(([vm, hi, lo]) => pageRecord(vm, hi, lo)));
    expect((await readBack(Buffer.concat([vmtHeader(['a', 'b', 'c'], false, 0, undefined, true), distinct]), [])).names).toEqual(['a', 'b', 'c']);
  });
});

describe('vmt through the CLI', () => {
  it('is detected by its magic bytes, names VMs from its header, and replays', () => {
    // VM a: W 0x1000, R 0x1000 (hit); VM b: R 0x1ffc size 8 (pages 1 and 2 of b)
    const batch = new RowBatch(3);
    batch.push(1, 0, 0, 0x1000, 1, NaN, 1);
    batch.push(0, 1, 0, 0x1ffc, 8, NaN, 2);
    batch.push(0, 0, 0, 0x1000, 4, NaN, 3);
    const file = tempFile('trace.bin', Buffer.concat([vmtHeader(['a', 'b'], false), vmtRecords(batch, false)]));
    const r = cli(['simulate', file, '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout).rows;
    expect(rows.map((x: Record<string, unknown>) => [x.vm, x.accesses, x.faults, x.hits, x.writes])).toEqual([
      ['a', 2, 1, 1, 1],
      ['b', 2, 2, 0, 0],
      ['TOTAL', 4, 3, 1, 1],
    ]);
  });
});

describe('a vmt header that names one VM twice', () => {
  it('is one VM: its two page tables name one page, also with the distinct-pages bit (no lookup-free numbering then)', () => {
    // PAGE (VM 0, page 5), PAGE (VM 1, page 5): both VMs are 'a', so one page of VM a; then a
    // read through each index. One frame: the first read faults, the second hits.
    const header = vmtHeader(['a', 'a'], false, 12, undefined, true);
    const record = (op: number, vm: number, size: number, lo: number, hi: number): Buffer => {
      const b = Buffer.alloc(16);
      b.writeUInt8(op, 0);
      b.writeUInt16LE(vm, 2);
      b.writeUInt32LE(size, 4);
      b.writeUInt32LE(lo, 8);
      b.writeUInt32LE(hi, 12);
      return b;
    };
    const body = Buffer.concat([record(5, 0, 0, 5, 0), record(5, 1, 0, 5, 0), record(0, 0, 1, 0, 0), record(0, 1, 1, 1, 0)]);
    const file = tempFile('twice.vmt', Buffer.concat([header, body]));
    const r = cli(['simulate', file, '--frames', '1', '--format', 'csv', '--columns', 'vm,accesses,faults,hits']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual(['vm,accesses,faults,hits', 'a,2,1,1', 'TOTAL,2,1,1']);
  });
});
