/**
 * Each trace format (SPEC 1.1) on a small file, plain, gzipped and through standard input, with
 * detection by name and by content and --trace-format overriding both. Every expected row is
 * written out by hand from the file's text.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run/simulate.js';
import { createReader, DEFAULT_READ_OPTIONS, type ReadOptions } from '../../src/trace/reader.js';
import { OP_NAMES } from '../../src/trace/rows.js';
import { openSource, type TraceFormat } from '../../src/trace/source.js';
import { cli, config, tempFile } from '../helpers.js';

interface Row {
  op: string;
  vm: string;
  addr: bigint;
  size: number;
  time?: number;
}

/** The rows a trace file yields (op name, VM name, exact address, size, time). */
async function rowsOf(path: string, read: Partial<ReadOptions> = {}, forced?: TraceFormat): Promise<{ rows: Row[]; format: TraceFormat; skipped: unknown }> {
  const source = await openSource(path, forced);
  const reader = createReader(source, { ...DEFAULT_READ_OPTIONS, ...read });
  const rows: Row[] = [];
  for await (const b of reader.batches()) {
    for (let i = 0; i < b.length; i++) {
      const row: Row = { op: OP_NAMES[b.op[i]!]!, vm: reader.vmNames[b.vm[i]!]!, addr: (BigInt(b.addrHi[i]!) << 32n) | BigInt(b.addrLo[i]!), size: b.size[i]! };
      if (!Number.isNaN(b.time[i]!)) row.time = b.time[i]!;
      rows.push(row);
    }
  }
  return { rows, format: source.format, skipped: reader.skipped };
}

async function totals(path: string, read: Partial<ReadOptions> = {}, forced?: TraceFormat) {
  const out = await simulate({ sources: [await openSource(path, forced)], read: { ...DEFAULT_READ_OPTIONS, ...read }, config: config({ frames: 64, pageSize: 4096 }) });
  return out.total.counters;
}

/** simulate - < bytes, JSON total row */
function stdinTotal(input: Buffer | string, args: string[] = []) {
  const r = cli(['simulate', '-', '--format', 'json', ...args], { input });
  expect(r.stderr.includes('    at ')).toBe(false);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout).rows.at(-1) as Record<string, number>;
}

const R = (addr: bigint, size = 1, vm = 'x'): Row => ({ op: 'R', vm, addr, size });
const W = (addr: bigint, size = 1, vm = 'x'): Row => ({ op: 'W', vm, addr, size });

describe('csv', () => {
  // BOM, comments, quoted fields (one with a comma in it), columns in any order and case,
  // `address` as an alias of `addr`, an unknown column, vm/time/size columns, an empty size.
  const text =
    '\uFEFF# exported by a tool\n' +
    'Time,"Address",VM,Op,note,SIZE\n' +
    '1,"0x1000",web,R,"a, b",1\n' +
    '2,0x2000,db,W,,8\n' +
    '# a comment between rows\n' +
    '3,4096,web,"w",plain,\n' +
    '4,18446744073709551615,db,READ,,1';
  const expected: Row[] = [
    { op: 'R', vm: 'web', addr: 0x1000n, size: 1, time: 1 },
    { op: 'W', vm: 'db', addr: 0x2000n, size: 8, time: 2 },
    { op: 'W', vm: 'web', addr: 4096n, size: 1, time: 3 },
    { op: 'R', vm: 'db', addr: 2n ** 64n - 1n, size: 1, time: 4 },
  ];

  it('reads quoted fields, BOM, # comments, any column order/case, aliases, vm/time/size', async () => {
    const r = await rowsOf(tempFile('t.csv', text));
    expect(r.format).toBe('csv');
    expect(r.rows).toEqual(expected);
  });

  it('defaults: op R, size 1, VM named after the file', async () => {
    const r = await rowsOf(tempFile('plainer.csv', 'addr\n0x10\n0x20\n'));
    expect(r.rows).toEqual([R(0x10n, 1, 'plainer'), R(0x20n, 1, 'plainer')]);
  });

  it('A, F and RESET ops', async () => {
    const r = await rowsOf(tempFile('ops.csv', 'op,addr,size\nA,0x1000,8192\nF,0x1000,4096\nRESET,0,\n'));
    expect(r.rows.map((x) => x.op)).toEqual(['A', 'F', 'RESET']);
    expect(r.rows[0]!.size).toBe(8192);
  });

  it('gzipped (by name and by magic bytes) and on standard input', async () => {
    expect((await rowsOf(tempFile('t.csv.gz', gzipSync(text)))).rows).toEqual(expected);
    expect((await rowsOf(tempFile('t.csv', gzipSync(text)))).rows).toEqual(expected);
    // VM web: R 0x1000 (page 1), W 4096 (page 1 again: a hit); db: W 0x2000, R 2^64-1
    for (const input of [text, gzipSync(text)]) {
      const total = stdinTotal(input);
      expect([total.accesses, total.reads, total.writes, total.faults, total.hits]).toEqual([4, 2, 2, 3, 1]);
    }
  });
});

describe('lackey', () => {
  const text =
    '==4242== Lackey, an example Valgrind tool\n' +
    '==4242== Command: ./a.out\n' +
    'I  04000000,3\n' +
    ' L 04222cac,4\n' +
    ' S 04222cb0,8\n' +
    ' M 0421faf8,4\n' +
    'I  04000003,2\n' +
    ' L 1ffefff8,8\n' +
    '==4242== \n';

  it('L reads, S writes, M reads then writes, I and ==pid== lines skipped and counted', async () => {
    const r = await rowsOf(tempFile('prog.lackey', text));
    expect(r.rows).toEqual([
      R(0x4222cacn, 4, 'prog'),
      W(0x4222cb0n, 8, 'prog'),
      R(0x421faf8n, 4, 'prog'),
      W(0x421faf8n, 4, 'prog'),
      R(0x1ffefff8n, 8, 'prog'),
    ]);
    expect(r.skipped).toEqual({ ifetch: 2, other: 3, bad: 0 });
  });

  it('--ifetch replays I lines as reads', async () => {
    const r = await rowsOf(tempFile('prog.lackey', text), { ifetch: true });
    expect(r.rows.map((x) => `${x.op} ${x.addr.toString(16)}`)).toEqual(['R 4000000', 'R 4222cac', 'W 4222cb0', 'R 421faf8', 'W 421faf8', 'R 4000003', 'R 1ffefff8']);
    expect(r.skipped).toEqual({ ifetch: 0, other: 3, bad: 0 });
  });

  it('counts the first and the last record (no trailing newline)', async () => {
    const c = await totals(tempFile('edge.lackey', ' S 00001000,4\n L 00002000,4\n M 00003000,4'));
    // S p1, L p2, M p3 = read + write: 4 accesses, 2 reads, 2 writes, 3 faults, 1 hit
    expect([c.accesses, c.reads, c.writes, c.faults, c.hits]).toEqual([4, 2, 2, 3, 1]);
  });

  it('gzipped, detected by content, and on standard input', async () => {
    expect((await rowsOf(tempFile('prog.lackey.gz', gzipSync(text)))).rows).toHaveLength(5);
    const sniffed = await rowsOf(tempFile('prog.out', text));
    expect(sniffed.format).toBe('lackey');
    expect(sniffed.rows).toHaveLength(5);
    // pages: 0x4222 (R, W), 0x421f (R, W), 0x1ffef (R): 5 accesses, 3 faults
    for (const input of [text, gzipSync(text)]) {
      const total = stdinTotal(input);
      expect([total.accesses, total.reads, total.writes, total.faults]).toEqual([5, 3, 2, 3]);
    }
    expect(stdinTotal(text, ['--ifetch']).accesses).toBe(7);
  });
});

describe('din', () => {
  const text = '0 1000\n1 2000 4\n2 3000\n3 4000\n0 0x1ffc 8\n4 0\n7 5000\n1 ffffffffffffffff';

  it('label 0 read, 1 write, 2 instruction fetch (skipped), others skipped', async () => {
    const r = await rowsOf(tempFile('cc.din', text));
    expect(r.rows).toEqual([R(0x1000n, 1, 'cc'), W(0x2000n, 4, 'cc'), R(0x1ffcn, 8, 'cc'), W(2n ** 64n - 1n, 1, 'cc')]);
    expect(r.skipped).toEqual({ ifetch: 1, other: 3, bad: 0 });
    const withI = await rowsOf(tempFile('cc.din', text), { ifetch: true });
    expect(withI.rows[2]).toEqual(R(0x3000n, 1, 'cc'));
  });

  it('gzipped and on standard input; first and last rows counted, the crossing row twice', async () => {
    expect((await rowsOf(tempFile('cc.din.gz', gzipSync(text)))).rows).toHaveLength(4);
    // R p1, W p2, R 0x1ffc+8 -> p1 and p2 (two accesses), W p 0xfffffffffffff: 5 accesses, 3 faults
    for (const input of [text, gzipSync(text)]) {
      const total = stdinTotal(input);
      expect([total.accesses, total.reads, total.writes, total.faults]).toEqual([5, 3, 2, 3]);
    }
  });
});

describe('plain', () => {
  const text = '# a comment\nR 0x1000\nW 4096\nA 0x5000 8192\nF 0x5000 4096\nRESET\n1000\n';

  it('ops R/W/A/F/RESET (default R), hex with 0x, decimal without', async () => {
    const r = await rowsOf(tempFile('p.plain', text));
    expect(r.rows.map((x) => [x.op, x.addr, x.size])).toEqual([
      ['R', 0x1000n, 1],
      ['W', 4096n, 1],
      ['A', 0x5000n, 8192],
      ['F', 0x5000n, 4096],
      ['RESET', 0n, 1],
      ['R', 1000n, 1],
    ]);
  });

  it('CRLF line ends, a BOM and blank lines', async () => {
    const r = await rowsOf(tempFile('crlf.plain', '\uFEFFR 0x1000\r\n\r\n   \r\nW 0x2000 8\r\n'));
    expect(r.rows).toEqual([R(0x1000n, 1, 'crlf'), W(0x2000n, 8, 'crlf')]);
    const l = await rowsOf(tempFile('crlf.lackey', ' L 00001000,4\r\n S 00002000,8\r\n'));
    expect(l.rows).toEqual([R(0x1000n, 4, 'crlf'), W(0x2000n, 8, 'crlf')]);
  });

  it('--hex reads bare hex digits', async () => {
    const r = await rowsOf(tempFile('p.txt', text), { hex: true });
    expect(r.format).toBe('plain');
    expect(r.rows.at(-1)!.addr).toBe(0x1000n);
    expect(r.rows[1]!.addr).toBe(0x4096n);
  });

  it('gzipped and on standard input; first and last rows counted', async () => {
    expect((await rowsOf(tempFile('p.plain.gz', gzipSync(text)))).rows).toHaveLength(6);
    // R p1, W p1 (hit), R 1000 -> page 0: 3 accesses, 2 faults (A/F/RESET are not accesses)
    for (const input of [text, gzipSync(text)]) {
      const total = stdinTotal(input);
      expect([total.accesses, total.reads, total.writes, total.faults]).toEqual([3, 2, 1, 2]);
    }
    // --hex: R 0x1000 (p1), W 0x4096 (p4), RESET frees both, then 0x1000 (p1) faults again
    const hex = stdinTotal(text, ['--hex']);
    expect([hex.accesses, hex.faults]).toEqual([3, 3]);
  });
});

describe('format detection', () => {
  // "0 1000" is a din read of 0x1000 (page 1) and a plain read of 0 with size 1000 (page 0).
  const text = '0 1000\n0 1000\n';

  it('by name, then by content; --trace-format overrides both', async () => {
    expect((await rowsOf(tempFile('a.plain', text))).rows[0]).toEqual(R(0n, 1000, 'a'));
    expect((await rowsOf(tempFile('a.txt.gz', gzipSync(text)))).format).toBe('plain');
    expect((await rowsOf(tempFile('a.dat', text))).rows[0]).toEqual(R(0x1000n, 1, 'a'));
    expect((await rowsOf(tempFile('a.dat', text))).format).toBe('din');
    expect((await rowsOf(tempFile('a.plain', text), {}, 'din')).rows[0]).toEqual(R(0x1000n, 1, 'a'));
    expect((await rowsOf(tempFile('a.dat', 'R 0x10\nW 0x20\n'))).format).toBe('plain');
    expect((await rowsOf(tempFile('a.dat', 'addr,op\n0x10,R\n'))).format).toBe('csv');
    expect((await rowsOf(tempFile('a.dat', gzipSync('addr,op\n0x10,R\n')))).format).toBe('csv');
  });

  it('--trace-format on the command line, also for standard input', () => {
    expect(stdinTotal(text).faults).toBe(1);
    const asPlain = stdinTotal(text, ['--trace-format', 'plain']);
    expect(asPlain.accesses).toBe(2);
    const file = tempFile('a.plain', text);
    const r = cli(['simulate', file, '--trace-format', 'din', '--format', 'json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).rows[0].accesses).toBe(2);
  });
});
