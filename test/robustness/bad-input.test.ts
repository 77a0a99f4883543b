/**
 * Bad input, one row per case, through the spawned CLI (SPEC 3.3): each row gives the files,
 * the command line, the exit code and the exact standard error - `vmmem: FILE:LINE: reason
 * (text)` where there is a line. A failing run writes nothing on standard output and shows no
 * stack trace. Inputs that look odd but are fine (CRLF, a BOM, quoted fields, a long line in a
 * column nobody reads) must give exactly the result of the plain version of the same trace.
 * Then --skip-bad-lines: every good line replayed, the skipped count exact.
 *
 * In `args` and `stderr`, `{name}` stands for the path of the case's file `name`.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/rng.js';
import { createReader } from '../../src/trace/reader.js';
import { RowBatch } from '../../src/trace/rows.js';
import { vmtHeader, vmtRecords } from '../../src/trace/vmt.js';
import { cli, textSource, type CliRun } from '../helpers.js';

type Files = Record<string, string | Buffer>;

interface Row {
  /** what the case is */
  name: string;
  files?: Files;
  args: string[];
  stdin?: string | Buffer;
  code: number;
  /** the whole of standard error, exactly (a RegExp only where the text depends on random bytes) */
  stderr?: string | RegExp;
  /** exit 0: the same standard output as this run (its files in another directory, same names) */
  sameAs?: { files?: Files; stdin?: string };
  /** files that must not exist after the run (no half-written output) */
  absent?: string[];
  /** exit 0: a check of the JSON or CSV result */
  check?: (run: CliRun) => void;
  /** run before the CLI, with the case's paths */
  setup?: (path: (name: string) => string) => void;
  /** why the row cannot run here */
  skip?: string;
}

/** A file in its own new directory for each case (so that names repeat across cases). */
function materialise(files: Files = {}): (name: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'vmmem-bad-'));
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    if (name.endsWith('/')) mkdirSync(path);
    else writeFileSync(path, content);
  }
  return (name) => join(dir, name);
}

const fill = (text: string, path: (name: string) => string): string => text.replace(/\{([^}]+)\}/g, (_, name: string) => path(name));

/** Deterministic bytes that are no trace: no magic number, no line structure. */
function randomBytes(n: number, seed: number): Buffer {
  const random = mulberry32(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(random() * 256);
  b[0] = 0xfe; // neither gzip (1f 8b) nor vmt (VMT1) nor text
  return b;
}

/** A vmt file of (op, vm, address, time) records. */
function vmt(names: string[], records: [number, number, number, number?][], hasTime = false): Buffer {
  const batch = new RowBatch(records.length);
  for (const [op, vm, addr, time] of records) batch.push(op, vm, 0, addr, 1, time ?? NaN, 0);
  return Buffer.concat([vmtHeader(names, hasTime), vmtRecords(batch, hasTime)]);
}

/** vmt bytes with the u32 at `offset` replaced */
function patched(bytes: Buffer, offset: number, value: number): Buffer {
  const b = Buffer.from(bytes);
  b.writeUInt32LE(value, offset);
  return b;
}

const goodVmt = vmt(['v'], [[0, 0, 0x1000], [1, 0, 0x2000]]);
/** header of one VM named 'v': 16 bytes + 2 + 1, padded to 24; records of 16 bytes */
const FIRST_RECORD = 24;

const json = (r: CliRun) => JSON.parse(r.stdout) as { rows: Record<string, number | string>[]; skipped: Record<string, number | string>[] };
const total = (r: CliRun) => json(r).rows.at(-1)!;

const SIM = ['simulate', '--format', 'csv'];
const LONG = 1 << 20;
const root = process.getuid?.() === 0;

const rows: Row[] = [
  // ---- headers and columns ----
  {
    name: 'csv: a header without an addr column',
    files: { 't.csv': 'op,where\nR,0x1\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: "vmmem: {t.csv}:1: header has no 'addr' column (columns: addr, op, vm, time, size, content) (op,where)\n",
  },
  {
    name: 'csv: no header row at all (the first row is data)',
    files: { 't.csv': 'R,0x1\nW,0x2\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: "vmmem: {t.csv}:1: header has no 'addr' column (columns: addr, op, vm, time, size, content) (R,0x1)\n",
  },
  {
    name: 'csv: line numbers count comment lines and the header',
    files: { 't.csv': '# one\nop,addr\n# two\nR,0x1\nQ,0x2\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: "vmmem: {t.csv}:5: unknown op 'Q' (R, W, A, F or RESET) (Q,0x2)\n",
  },
  {
    name: 'csv: a row with more columns than the header',
    files: { 't.csv': 'op,addr\nR,0x1\nR,0x2,5\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: 'vmmem: {t.csv}:3: wrong number of columns (R,0x2,5)\n',
  },
  {
    name: 'csv: a row with fewer columns than the header',
    files: { 't.csv': 'op,addr\nR\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: 'vmmem: {t.csv}:2: wrong number of columns (R)\n',
  },
  {
    name: 'plain: too many fields',
    files: { 't.plain': 'R 0x1000\nR 0x1000 4 extra\n' },
    args: [...SIM, '{t.plain}'],
    code: 65,
    stderr: 'vmmem: {t.plain}:2: expected "[OP] ADDRESS [SIZE]" (R 0x1000 4 extra)\n',
  },
  {
    name: 'din: too many fields',
    files: { 't.din': '0 1000\n0 1000 4 9\n' },
    args: [...SIM, '{t.din}'],
    code: 65,
    stderr: 'vmmem: {t.din}:2: expected "LABEL ADDRESS [SIZE]" (0 1000 4 9)\n',
  },
  {
    name: 'lackey: a record without its size',
    files: { 't.lackey': ' L 00001000,4\n L 00002000\n' },
    args: [...SIM, '{t.lackey}'],
    code: 65,
    stderr: 'vmmem: {t.lackey}:2: lackey record without ",SIZE" ( L 00002000)\n',
  },

  // ---- addresses ----
  {
    name: 'csv: a non-hex address',
    files: { 't.csv': 'op,addr\nR,0xzz\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: 'vmmem: {t.csv}:2: address is not a hexadecimal number (R,0xzz)\n',
  },
  {
    name: 'plain: a non-hex address',
    files: { 't.plain': 'R 0x1000\nW 0x2000\nR 0xzz\nR 0x1\n' },
    args: [...SIM, '{t.plain}'],
    code: 65,
    stderr: 'vmmem: {t.plain}:3: address is not a hexadecimal number (R 0xzz)\n',
  },
  {
    name: 'lackey: a non-hex address',
    files: { 't.lackey': ' L 0000zz00,4\n' },
    args: [...SIM, '{t.lackey}'],
    code: 65,
    stderr: 'vmmem: {t.lackey}:1: address is not a hexadecimal number ( L 0000zz00,4)\n',
  },
  {
    name: 'din: a non-hex address',
    files: { 't.din': '0 1000\n0 zz\n' },
    args: [...SIM, '{t.din}'],
    code: 65,
    stderr: 'vmmem: {t.din}:2: address is not a hexadecimal number (0 zz)\n',
  },
  {
    name: 'csv: a decimal address with letters in it',
    files: { 't.csv': 'op,addr\nR,12ab\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: 'vmmem: {t.csv}:2: address is not a number (R,12ab)\n',
  },
  {
    name: 'csv: an empty address (only RESET may leave it empty)',
    files: { 't.csv': 'op,addr\nR,\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: 'vmmem: {t.csv}:2: address is not a number (R,)\n',
  },
  {
    name: 'csv: a negative address',
    files: { 't.csv': 'op,addr\nR,-5\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: 'vmmem: {t.csv}:2: address is negative (R,-5)\n',
  },
  {
    name: 'plain: a negative address',
    files: { 't.plain': 'R -5\n' },
    args: [...SIM, '{t.plain}'],
    code: 65,
    stderr: 'vmmem: {t.plain}:1: address is negative (R -5)\n',
  },
  {
    name: 'csv: a hex address over 64 bits',
    files: { 't.csv': 'op,addr\nR,0x1\nR,0x10000000000000000\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: 'vmmem: {t.csv}:3: address is over 64 bits (R,0x10000000000000000)\n',
  },
  {
    name: 'csv: a decimal address over 64 bits (2^64)',
    files: { 't.csv': 'op,addr\nR,18446744073709551616\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: 'vmmem: {t.csv}:2: address is over 64 bits (R,18446744073709551616)\n',
  },
  {
    name: 'plain: an address over 64 bits',
    files: { 't.plain': 'R 0x1\nR 0x10000000000000000\n' },
    args: [...SIM, '{t.plain}'],
    code: 65,
    stderr: 'vmmem: {t.plain}:2: address is over 64 bits (R 0x10000000000000000)\n',
  },
  {
    name: 'lackey: an address over 64 bits',
    files: { 't.lackey': ' L 10000000000000000,4\n' },
    args: [...SIM, '{t.lackey}'],
    code: 65,
    stderr: 'vmmem: {t.lackey}:1: address is over 64 bits ( L 10000000000000000,4)\n',
  },
  {
    name: 'din: an address over 64 bits',
    files: { 't.din': '0 10000000000000000\n' },
    args: [...SIM, '{t.din}'],
    code: 65,
    stderr: 'vmmem: {t.din}:1: address is over 64 bits (0 10000000000000000)\n',
  },
  {
    name: 'csv: an access running past the end of the address space',
    files: { 't.csv': 'op,addr,size\nR,0xffffffffffffffff,2\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: 'vmmem: {t.csv}:2: access runs past the end of the 64-bit address space (R,0xffffffffffffffff,2)\n',
  },
  {
    name: 'csv: the last byte of the address space is fine (2^64 - 1, decimal and hex)',
    files: { 't.csv': 'op,addr\nR,0xffffffffffffffff\nW,18446744073709551615\n' },
    args: ['simulate', '{t.csv}', '--format', 'json'],
    code: 0,
    // one page (0xfffffffffffff), read then written: 2 accesses, 1 fault
    check: (r) => expect([total(r).accesses, total(r).faults, total(r).writes]).toEqual([2, 1, 1]),
  },

  // ---- ops, sizes, times ----
  {
    name: 'csv: an unknown op',
    files: { 't.csv': 'op,addr\nR,0x1\nX,0x2\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: "vmmem: {t.csv}:3: unknown op 'X' (R, W, A, F or RESET) (X,0x2)\n",
  },
  {
    name: "csv: lackey's L is no csv op",
    files: { 't.csv': 'op,addr\nL,0x1\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: "vmmem: {t.csv}:2: unknown op 'L' (R, W, A, F or RESET) (L,0x1)\n",
  },
  {
    name: 'plain: an unknown op',
    files: { 't.plain': 'R 0x1000\nQ 0x2000\n' },
    args: [...SIM, '{t.plain}'],
    code: 65,
    stderr: "vmmem: {t.plain}:2: unknown op 'Q' (R, W, A, F or RESET) (Q 0x2000)\n",
  },
  {
    name: 'din: a label that is not a number',
    files: { 't.din': '0 1000\n0 1000\nx 1000\n' },
    args: [...SIM, '{t.din}'],
    code: 65,
    stderr: "vmmem: {t.din}:3: label 'x' is not a number (x 1000)\n",
  },
  {
    name: 'standard input: a bad line names <stdin>',
    args: [...SIM, '-'],
    stdin: 'R 0x1000\nQ 0x2000\n',
    code: 65,
    stderr: "vmmem: <stdin>:2: unknown op 'Q' (R, W, A, F or RESET) (Q 0x2000)\n",
  },
  {
    name: 'csv: size 0',
    files: { 't.csv': 'op,addr,size\nR,0x1000,0\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: 'vmmem: {t.csv}:2: size is not a positive whole number (R,0x1000,0)\n',
  },
  {
    name: 'csv: a size over 64 GiB',
    files: { 't.csv': 'op,addr,size\nA,0x1000,68719476737\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: 'vmmem: {t.csv}:2: size is over 64 GiB, the most one row may cover (A,0x1000,68719476737)\n',
  },
  {
    name: 'csv: a time that is not a number',
    files: { 't.csv': 'op,addr,time\nR,0x1,x\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: 'vmmem: {t.csv}:2: time is not a number (R,0x1,x)\n',
  },
  {
    name: 'csv: time going backwards',
    files: { 't.csv': 'op,addr,time\nR,0x1000,5\nR,0x2000,3\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: 'vmmem: {t.csv}:3: time goes backwards: 3 after 5 (R,0x2000,3)\n',
  },
  {
    name: 'csv: time going backwards in the second of two traces',
    files: { 'a.csv': 'op,addr,time\nR,0x1000,1\n', 'b.csv': 'time,addr\n5,0x1\n4,0x2\n' },
    args: [...SIM, '{a.csv}', '{b.csv}'],
    code: 65,
    stderr: 'vmmem: {b.csv}:3: time goes backwards: 4 after 5 (4,0x2)\n',
  },
  {
    name: 'vmt: time going backwards (record 2)',
    files: { 't.vmt': vmt(['v'], [[0, 0, 0x1000, 5], [0, 0, 0x2000, 3]], true) },
    args: [...SIM, '{t.vmt}'],
    code: 65,
    stderr: 'vmmem: {t.vmt}:2: time goes backwards: 3 after 5\n',
  },
  {
    // once read as a time (nothing is below it), and converted to a csv that vmmem refuses
    name: 'vmt: a first time of -Infinity',
    files: { 't.vmt': vmt(['v'], [[0, 0, 0x1000, -Infinity], [0, 0, 0x2000, 3]], true) },
    args: [...SIM, '{t.vmt}'],
    code: 65,
    stderr: 'vmmem: {t.vmt}:1: time is -Infinity, not a finite number\n',
  },
  {
    name: 'a time column in some traces but not in others',
    files: { 'a.csv': 'time,addr\n1,0x1\n', 'b.plain': 'R 0x1\n' },
    args: [...SIM, '{a.csv}', '{b.plain}'],
    code: 64,
    stderr: 'vmmem: {a.csv} have a time column but {b.plain} do not: give every trace a time column, or none\n',
  },
  {
    name: 'two files that would be the same VM',
    files: { 'a.plain': 'R 0x1\n', 'd/': '', 'd/a.plain': 'W 0x1\n' },
    args: [...SIM, '{a.plain}', '{d/a.plain}'],
    code: 64,
    stderr: "vmmem: {a.plain} and {d/a.plain} would both be VM 'a': rename one of the files\n",
  },
  {
    name: 'csv: more than 65535 VMs in one trace',
    files: { 't.csv': 'vm,addr\n' + Array.from({ length: 65536 }, (_, i) => `v${i},0x1000\n`).join('') },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: 'vmmem: {t.csv}:65537: more than 65535 VMs in one trace (v65535,0x1000)\n',
  },

  // ---- empty inputs ----
  { name: 'an empty csv file', files: { 'e.csv': '' }, args: [...SIM, '{e.csv}'], code: 65, stderr: 'vmmem: {e.csv}: empty CSV trace: no header row\n' },
  { name: 'an empty plain file', files: { 'e.plain': '' }, args: [...SIM, '{e.plain}'], code: 65, stderr: 'vmmem: {e.plain}: empty trace: no accesses\n' },
  { name: 'an empty lackey file', files: { 'e.lackey': '' }, args: [...SIM, '{e.lackey}'], code: 65, stderr: 'vmmem: {e.lackey}: empty trace: no accesses\n' },
  { name: 'an empty din file', files: { 'e.din': '' }, args: [...SIM, '{e.din}'], code: 65, stderr: 'vmmem: {e.din}: empty trace: no accesses\n' },
  { name: 'an empty vmt file', files: { 'e.vmt': '' }, args: [...SIM, '{e.vmt}'], code: 65, stderr: 'vmmem: {e.vmt}: not a vmt trace: the header is missing or cut short\n' },
  { name: 'an empty file of no known format', files: { empty: '' }, args: [...SIM, '{empty}'], code: 65, stderr: 'vmmem: {empty}: empty trace: no accesses\n' },
  { name: 'a file of blank lines', files: { blank: '\n  \n\r\n' }, args: [...SIM, '{blank}'], code: 65, stderr: 'vmmem: {blank}: empty trace: no accesses\n' },
  { name: 'a plain file of comments only', files: { 'c.plain': '# nothing\n# here\n' }, args: [...SIM, '{c.plain}'], code: 65, stderr: 'vmmem: {c.plain}: empty trace: no accesses\n' },
  { name: 'a gzip file of nothing', files: { 'e.gz': gzipSync('') }, args: [...SIM, '{e.gz}'], code: 65, stderr: 'vmmem: {e.gz}: empty trace: no accesses\n' },
  { name: 'empty standard input', args: [...SIM, '-'], stdin: '', code: 65, stderr: 'vmmem: <stdin>: empty trace: no accesses\n' },
  {
    name: 'csv: a header and no rows is an empty trace that replays (0 accesses)',
    files: { 'h.csv': 'op,addr\n' },
    args: ['simulate', '{h.csv}', '--format', 'json'],
    code: 0,
    check: (r) => expect([total(r).vm, total(r).accesses]).toEqual(['TOTAL', 0]),
  },

  // ---- random bytes ----
  {
    name: 'random bytes, no known name',
    files: { 'junk.bin': randomBytes(4096, 1) },
    args: [...SIM, '{junk.bin}'],
    code: 65,
    stderr: 'vmmem: {junk.bin}:1: cannot tell the trace format from its name or content; name it with --trace-format\n',
  },
  { name: 'random bytes named .csv', files: { 'junk.csv': randomBytes(4096, 2) }, args: [...SIM, '{junk.csv}'], code: 65, stderr: /^vmmem: \S+\/junk\.csv:\d+: [^\n]+\n$/ },
  { name: 'random bytes named .plain', files: { 'junk.plain': randomBytes(4096, 3) }, args: [...SIM, '{junk.plain}'], code: 65, stderr: /^vmmem: \S+\/junk\.plain:1: [^\n]{1,400}\n$/ },
  {
    // lackey skips lines that are not records; a file of nothing else is no lackey trace
    name: 'random bytes named .lackey',
    files: { 'junk.lackey': randomBytes(4096, 4) },
    args: [...SIM, '{junk.lackey}'],
    code: 65,
    stderr: /^vmmem: \S+\/junk\.lackey: no accesses: none of its \d+ lines is a lackey access \(a wrong file, or name its format with --trace-format\)\n$/,
  },
  {
    name: 'din: only labels that are not accesses',
    files: { 't.din': '4 0\n3 1000\n' },
    args: [...SIM, '{t.din}'],
    code: 65,
    stderr: 'vmmem: {t.din}: no accesses: none of its 2 lines is a din access (a wrong file, or name its format with --trace-format)\n',
  },
  {
    name: 'lackey: instruction fetches only is a trace (0 accesses without --ifetch)',
    files: { 't.lackey': '==1== Lackey\nI  00001000,4\n' },
    args: ['simulate', '{t.lackey}', '--format', 'json', '-q'],
    code: 0,
    check: (r) => expect(total(r).accesses).toBe(0),
  },
  { name: 'random bytes named .din', files: { 'junk.din': randomBytes(4096, 5) }, args: [...SIM, '{junk.din}'], code: 65, stderr: /^vmmem: \S+\/junk\.din:1: [^\n]{1,400}\n$/ },
  { name: 'random bytes named .vmt', files: { 'junk.vmt': randomBytes(4096, 6) }, args: [...SIM, '{junk.vmt}'], code: 65, stderr: 'vmmem: {junk.vmt}: not a vmt trace (bad magic bytes)\n' },
  {
    name: 'random bytes behind gzip magic',
    files: { 'junk.csv.gz': Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), randomBytes(4096, 7)]) },
    args: [...SIM, '{junk.csv.gz}'],
    code: 65,
    stderr: 'vmmem: {junk.csv.gz}: truncated or corrupt gzip data\n',
  },

  // ---- gzip ----
  {
    name: 'a truncated gzip file',
    files: { 'cut.plain.gz': gzipSync(Buffer.from('R 0x1000\n'.repeat(50000))).subarray(0, 300) },
    args: [...SIM, '{cut.plain.gz}'],
    code: 65,
    stderr: 'vmmem: {cut.plain.gz}: truncated or corrupt gzip data\n',
  },
  {
    name: 'a truncated gzip file on standard input',
    args: [...SIM, '-'],
    stdin: gzipSync(Buffer.from('R 0x1000\n'.repeat(50000))).subarray(0, 300),
    code: 65,
    stderr: 'vmmem: <stdin>: truncated or corrupt gzip data\n',
  },
  {
    name: 'a truncated gzip file of unknown format',
    files: { cut: gzipSync(Buffer.from('R 0x1000\n'.repeat(100))).subarray(0, 12) },
    args: [...SIM, '{cut}'],
    code: 65,
    stderr: 'vmmem: {cut}: truncated or corrupt gzip data\n',
  },

  // ---- odd but fine: the same result as the plain version ----
  {
    name: 'csv: CRLF line ends work',
    files: { 't.csv': 'op,addr\r\nR,0x1000\r\nW,0x2000\r\nR,0x1000\r\n' },
    args: [...SIM, '{t.csv}'],
    code: 0,
    sameAs: { files: { 't.csv': 'op,addr\nR,0x1000\nW,0x2000\nR,0x1000\n' } },
  },
  {
    name: 'plain: CRLF line ends work',
    files: { 't.plain': 'R 0x1000\r\nW 0x2000\r\n\r\nR 0x1000\r\n' },
    args: [...SIM, '{t.plain}'],
    code: 0,
    sameAs: { files: { 't.plain': 'R 0x1000\nW 0x2000\nR 0x1000\n' } },
  },
  {
    name: 'lackey: CRLF line ends work',
    files: { 't.lackey': '==1== Lackey\r\n L 00001000,4\r\n S 00002000,8\r\n' },
    args: [...SIM, '{t.lackey}'],
    code: 0,
    sameAs: { files: { 't.lackey': '==1== Lackey\n L 00001000,4\n S 00002000,8\n' } },
  },
  {
    name: 'din: CRLF line ends work',
    files: { 't.din': '0 1000\r\n1 2000\r\n' },
    args: [...SIM, '{t.din}'],
    code: 0,
    sameAs: { files: { 't.din': '0 1000\n1 2000\n' } },
  },
  {
    name: 'csv: a BOM works',
    files: { 't.csv': '\uFEFFop,addr\nR,0x1000\nW,0x2000\n' },
    args: [...SIM, '{t.csv}'],
    code: 0,
    sameAs: { files: { 't.csv': 'op,addr\nR,0x1000\nW,0x2000\n' } },
  },
  {
    name: 'plain: a BOM works',
    files: { 't.plain': '\uFEFFR 0x1000\nW 0x2000\n' },
    args: [...SIM, '{t.plain}'],
    code: 0,
    sameAs: { files: { 't.plain': 'R 0x1000\nW 0x2000\n' } },
  },
  {
    name: 'csv: a BOM and CRLF on standard input work',
    args: [...SIM, '-'],
    stdin: '\uFEFFop,addr\r\nR,0x1000\r\nW,0x2000\r\n',
    code: 0,
    sameAs: { stdin: 'op,addr\nR,0x1000\nW,0x2000\n' },
  },
  {
    name: 'csv: quoted fields work (a comma and "" inside quotes, quoted header names)',
    files: { 't.csv': '"op","addr","note"\n"R","0x1000","a, b"\nW,"0x2000","say ""hi"""\n"R",0x1000,\n' },
    args: [...SIM, '{t.csv}'],
    code: 0,
    sameAs: { files: { 't.csv': 'op,addr,note\nR,0x1000,x\nW,0x2000,x\nR,0x1000,x\n' } },
  },
  {
    name: 'csv: a quoted field spanning lines is still a one-line message',
    files: { 't.csv': 'op,addr\nR,0x1\n"R\nR",0x2\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: "vmmem: {t.csv}:4: unknown op 'R\\x0aR' (R, W, A, F or RESET) (R\\x0aR,0x2)\n",
  },
  {
    name: 'csv: a quote not closed',
    files: { 't.csv': 'op,addr\n"R,0x1\nR,0x2\n' },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: 'vmmem: {t.csv}:3: quote not closed\n',
  },

  // ---- a 1 MB line ----
  {
    name: 'csv: a 1 MB address: the message quotes 80 characters of it',
    files: { 't.csv': `op,addr\nR,0x1000\nR,0x${'1'.repeat(LONG)}\n` },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: `vmmem: {t.csv}:3: address is over 64 bits (R,0x${'1'.repeat(76)}...)\n`,
  },
  {
    name: 'plain: a 1 MB op: the message quotes 24 characters of it, and 80 of the line',
    files: { 't.plain': `R 0x1000\n${'Q'.repeat(LONG)} 0x1\n` },
    args: [...SIM, '{t.plain}'],
    code: 65,
    stderr: `vmmem: {t.plain}:2: unknown op '${'Q'.repeat(24)}...' (R, W, A, F or RESET) (${'Q'.repeat(80)}...)\n`,
  },
  {
    name: 'csv: a 1 MB op',
    files: { 't.csv': `op,addr\n${'Q'.repeat(LONG)},0x1\n` },
    args: [...SIM, '{t.csv}'],
    code: 65,
    stderr: `vmmem: {t.csv}:2: unknown op '${'Q'.repeat(24)}...' (R, W, A, F or RESET) (${'Q'.repeat(80)}...)\n`,
  },
  {
    name: 'din: a 1 MB label',
    files: { 't.din': `0 1\n${'7'.repeat(LONG)}x 1\n` },
    args: [...SIM, '{t.din}'],
    code: 65,
    stderr: `vmmem: {t.din}:2: label '${'7'.repeat(24)}...' is not a number (${'7'.repeat(80)}...)\n`,
  },
  {
    name: 'csv: a 1 MB field in a column nobody reads works',
    files: { 't.csv': `op,addr,note\nR,0x1000,${'x'.repeat(LONG)}\nW,0x2000,"${'y'.repeat(LONG)}"\n` },
    args: [...SIM, '{t.csv}'],
    code: 0,
    sameAs: { files: { 't.csv': 'op,addr,note\nR,0x1000,x\nW,0x2000,y\n' } },
  },

  // ---- files ----
  { name: 'a directory', files: { 'd/': '' }, args: [...SIM, '{d/}'], code: 66, stderr: 'vmmem: {d/}: is a directory, not a trace file\n' },
  {
    name: 'an unreadable file (chmod 000)',
    files: { 't.plain': 'R 0x1\n' },
    setup: (path) => chmodSync(path('t.plain'), 0),
    args: [...SIM, '{t.plain}'],
    code: 66,
    stderr: 'vmmem: {t.plain}: permission denied\n',
    skip: root ? 'running as root, whom chmod 000 does not stop from reading (the next row fails a read another way)' : undefined,
  },
  {
    name: 'a file whose read fails (/proc/self/mem at offset 0: EIO)',
    args: [...SIM, '/proc/self/mem'],
    code: 66,
    stderr: 'vmmem: /proc/self/mem: cannot read (EIO)\n',
    skip: existsSync('/proc/self/mem') ? undefined : 'no /proc/self/mem on this system',
  },
  { name: 'a missing file', args: [...SIM, '/nonexistent/dir/none.csv'], code: 66, stderr: 'vmmem: /nonexistent/dir/none.csv: no such file\n' },
  { name: 'a missing file, inspect', args: ['inspect', '/nonexistent/none.csv'], code: 66, stderr: 'vmmem: /nonexistent/none.csv: no such file\n' },
  {
    name: 'a missing file, convert',
    files: { 'd/': '' },
    args: ['convert', '/nonexistent/none.csv', '{d/}/out.csv'],
    code: 66,
    stderr: 'vmmem: /nonexistent/none.csv: no such file\n',
  },
  {
    name: 'a missing scenario file',
    args: ['simulate', '--config', '/nonexistent/s.json'],
    code: 66,
    stderr: 'vmmem: /nonexistent/s.json: no such file\n',
  },
  {
    name: 'a missing baseline',
    files: { 't.plain': 'R 0x1\n' },
    args: [...SIM, '{t.plain}', '--baseline', '/nonexistent/base.json'],
    code: 66,
    stderr: 'vmmem: /nonexistent/base.json: no such file (save a baseline with --format json > /nonexistent/base.json)\n',
  },

  { name: 'a directory as the scenario file', files: { 'd/': '' }, args: ['simulate', '--config', '{d/}'], code: 66, stderr: 'vmmem: {d/}: is a directory, not a scenario file\n' },
  {
    name: '--interval-out that cannot be written (an output file: 73)',
    files: { 't.plain': 'R 0x1\n' },
    args: [...SIM, '{t.plain}', '--interval', '1', '--interval-out', '/nonexistent/series.csv'],
    code: 73,
    stderr: 'vmmem: --interval-out: cannot write /nonexistent/series.csv (ENOENT)\n',
  },
  {
    name: 'convert into a directory that does not exist',
    files: { 't.plain': 'R 0x1\n' },
    args: ['convert', '{t.plain}', '/nonexistent/out.csv'],
    code: 73,
    stderr: 'vmmem: /nonexistent/out.csv: cannot create the file: its directory does not exist\n',
  },

  // ---- vmt ----
  { name: 'vmt: bad magic bytes', files: { 't.vmt': Buffer.concat([Buffer.from('XXXX'), goodVmt.subarray(4)]) }, args: [...SIM, '{t.vmt}'], code: 65, stderr: 'vmmem: {t.vmt}: not a vmt trace (bad magic bytes)\n' },
  { name: 'vmt: a header cut short', files: { 't.vmt': goodVmt.subarray(0, 18) }, args: [...SIM, '{t.vmt}'], code: 65, stderr: 'vmmem: {t.vmt}: not a vmt trace: the header is missing or cut short\n' },
  {
    name: 'vmt: another version',
    files: { 't.vmt': patched(goodVmt, 4, 7) },
    args: [...SIM, '{t.vmt}'],
    code: 65,
    stderr: 'vmmem: {t.vmt}: vmt version 7 is not supported (this vmmem reads version 1)\n',
  },
  { name: 'vmt: 2^32 - 1 VMs in the header', files: { 't.vmt': patched(goodVmt, 12, 0xffffffff) }, args: [...SIM, '{t.vmt}'], code: 65, stderr: 'vmmem: {t.vmt}: vmt header names 4294967295 VMs (at most 65535)\n' },
  {
    name: 'vmt: a record naming a VM the header does not have',
    files: { 't.vmt': patched(goodVmt, FIRST_RECORD + 16, 1 | (3 << 16)) },
    args: [...SIM, '{t.vmt}'],
    code: 65,
    stderr: 'vmmem: {t.vmt}:2: record names VM 3, but the header has 1\n',
  },
  { name: 'vmt: an unknown op', files: { 't.vmt': patched(goodVmt, FIRST_RECORD, 9) }, args: [...SIM, '{t.vmt}'], code: 65, stderr: 'vmmem: {t.vmt}:1: record has unknown op 9\n' },
  { name: 'vmt: a record of size 0', files: { 't.vmt': patched(goodVmt, FIRST_RECORD + 4, 0) }, args: [...SIM, '{t.vmt}'], code: 65, stderr: 'vmmem: {t.vmt}:1: record has size 0\n' },
  {
    name: 'vmt: a record cut short',
    files: { 't.vmt': goodVmt.subarray(0, goodVmt.length - 3) },
    args: [...SIM, '{t.vmt}'],
    code: 65,
    stderr: 'vmmem: {t.vmt}:2: truncated vmt record (13 of 16 bytes)\n',
  },

  // ---- options ----
  { name: 'an unknown --trace-format', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--trace-format', 'xls'], code: 64, stderr: "vmmem: --trace-format: unknown format 'xls' (one of csv, lackey, din, plain, vmt)\n" },
  {
    name: 'a trace read as the wrong --trace-format',
    files: { 't.plain': 'R 0x1\n' },
    args: [...SIM, '{t.plain}', '--trace-format', 'vmt'],
    code: 65,
    stderr: 'vmmem: {t.plain}: not a vmt trace: the header is missing or cut short\n',
  },
  { name: '--memory 12XB', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--memory', '12XB'], code: 64, stderr: "vmmem: --memory: '12XB' is not a size (examples: 4096, 64KiB, 512MiB, 2GiB)\n" },
  { name: '--memory smaller than a page', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--memory', '1KiB'], code: 64, stderr: 'vmmem: --memory: 1KiB holds no page of 4096 bytes\n' },
  { name: '--frames 0', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--frames', '0'], code: 64, stderr: "vmmem: --frames: must be at least 1, got '0'\n" },
  { name: '--frames -3', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--frames', '-3'], code: 64, stderr: "vmmem: --frames: '-3' is not a whole number\n" },
  { name: '--frames 1.5', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--frames', '1.5'], code: 64, stderr: "vmmem: --frames: '1.5' is not a whole number\n" },
  { name: '--frames 2^31', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--frames', '2147483648'], code: 64, stderr: 'vmmem: --frames: at most 2147483647, got 2147483648\n' },
  { name: '--frames many', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--frames', 'many'], code: 64, stderr: "vmmem: --frames: 'many' is not a whole number\n" },
  { name: '--swap lots', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--swap', 'lots'], code: 64, stderr: "vmmem: --swap: 'lots' is not a size (examples: 4096, 64KiB, 512MiB, 2GiB)\n" },
  { name: '--page-size 3000', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--page-size', '3000'], code: 64, stderr: "vmmem: --page-size: must be a power of two from 1 B to 1 GiB, got '3000'\n" },
  { name: '--page-size 2GiB', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--page-size', '2GiB'], code: 64, stderr: "vmmem: --page-size: must be a power of two from 1 B to 1 GiB, got '2GiB'\n" },
  { name: '--swap 1Q', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--swap', '1Q'], code: 64, stderr: "vmmem: --swap: '1Q' is not a size (examples: 4096, 64KiB, 512MiB, 2GiB)\n" },
  { name: 'an unknown --policy', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--policy', 'nope'], code: 64, stderr: "vmmem: --policy: unknown policy 'nope' (one of fifo, lru, lfu, clock, opt, random, sieve, s3fifo, twoq, arc, slru, lirs, mru, nru, aging, wsclock, linux)\n" },
  { name: 'an unknown --format', files: { 't.plain': 'R 0x1\n' }, args: ['simulate', '{t.plain}', '--format', 'xml'], code: 64, stderr: "vmmem: --format: unknown format 'xml' (one of table, csv, json)\n" },
  { name: 'a bad --on-oom', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--on-oom', 'maybe'], code: 64, stderr: "vmmem: --on-oom: 'maybe' is not kill or error\n" },
  { name: 'a negative --seed', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--seed', '-1'], code: 64, stderr: "vmmem: --seed: '-1' is not a whole number\n" },
  { name: 'a bad --latency value', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--latency', 'hit=fast'], code: 64, stderr: "vmmem: --latency hit: 'fast' is not a duration (examples: 100ns, 2us, 50us, 1ms)\n" },
  {
    name: 'an unknown --latency name',
    files: { 't.plain': 'R 0x1\n' },
    args: [...SIM, '{t.plain}', '--latency', 'hit=1ns,bogus=2ns'],
    code: 64,
    stderr: "vmmem: --latency: 'bogus=2ns' is not NAME=DURATION with NAME one of hit, minor, major, swapout, walkref, vmexit\n",
  },
  {
    name: 'a --latency entry without a value',
    files: { 't.plain': 'R 0x1\n' },
    args: [...SIM, '{t.plain}', '--latency', 'hit'],
    code: 64,
    stderr: "vmmem: --latency: 'hit' is not NAME=DURATION with NAME one of hit, minor, major, swapout, walkref, vmexit\n",
  },
  {
    name: 'a text file of no known format',
    files: { 'junk.dat': 'hello world\nthis is not a trace\n' },
    args: [...SIM, '{junk.dat}'],
    code: 65,
    stderr: 'vmmem: {junk.dat}:1: cannot tell the trace format from its name or content; name it with --trace-format\n',
  },
  { name: 'an unknown option', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--bogus'], code: 64, stderr: "vmmem: unknown option '--bogus'\n" },
  { name: 'an unknown command', args: ['frobnicate'], code: 64, stderr: "vmmem: unknown command 'frobnicate'\nvmmem: run with --help for usage\n" },
  { name: 'no trace', args: ['simulate'], code: 64, stderr: 'vmmem: no trace: give TRACE files, --vm name=NAME,trace=FILE or --config FILE\n' },

  // ---- conflicting options ----
  { name: '--frames with --memory', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--frames', '4', '--memory', '1MiB'], code: 64, stderr: 'vmmem: --frames and --memory both give the memory size: use one\n' },
  { name: 'standard input twice', args: [...SIM, '-', '-'], stdin: 'R 0x1\n', code: 64, stderr: 'vmmem: standard input (-) can be given once\n' },
  { name: '--idle-tax with a scheduler other than weight', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--idle-tax', '0.5'], code: 64, stderr: 'vmmem: --idle-tax: applies to --scheduler weight only (not global)\n' },
  { name: '--active-window without --idle-tax', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--active-window', '5'], code: 64, stderr: 'vmmem: --active-window: applies with --idle-tax only\n' },
  { name: '--tolerance without --baseline', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--tolerance', '2%'], code: 64, stderr: 'vmmem: --tolerance needs --baseline\n' },
  { name: '--interval-out without --interval', files: { 't.plain': 'R 0x1\n' }, args: [...SIM, '{t.plain}', '--interval-out', 'x.csv'], code: 64, stderr: 'vmmem: --interval-out: needs --interval N\n' },
  {
    name: '--translation none in a list',
    files: { 't.plain': 'R 0x1\n' },
    args: [...SIM, '{t.plain}', '--translation', 'none,nested'],
    code: 64,
    stderr: "vmmem: --translation: 'none' is not none, nested or shadow (none cannot be in a list)\n",
  },
  {
    name: '--tlb-ways that do not divide --tlb',
    files: { 't.plain': 'R 0x1\n' },
    args: [...SIM, '{t.plain}', '--translation', 'nested', '--tlb', '64', '--tlb-ways', '3'],
    code: 64,
    stderr: 'vmmem: --tlb-ways: 3 ways do not divide 64 entries into whole sets\n',
  },
  {
    name: '--host-page smaller than --page-size',
    files: { 't.plain': 'R 0x1\n' },
    args: [...SIM, '{t.plain}', '--page-size', '2MiB', '--host-page', '4KiB'],
    code: 64,
    stderr: "vmmem: --host-page: 4 KiB is smaller than the engine's --page-size 2 MiB\n",
  },
  {
    name: 'reserves that do not fit in memory',
    files: { 't.plain': 'R 0x1\n' },
    args: [...SIM, '{t.plain}', '--frames', '4', '--vm', 'name=t,reserve=8'],
    code: 64,
    stderr: 'vmmem: --vm[0].reserve: the reserves add up to 8 frames, more than the 4 frames of memory\n',
  },
  {
    name: 'a declared VM no trace yields, among 100: the message names six',
    files: { 't.csv': 'vm,addr\n' + Array.from({ length: 100 }, (_, i) => `v${i},0x1000\n`).join('') },
    args: [...SIM, '{t.csv}', '--vm', 'name=x,weight=2'],
    code: 64,
    stderr: "vmmem: --vm[0].name: no trace yields a VM named 'x' (the traces have 'v0', 'v1', 'v2', 'v3', 'v4', 'v5' and 94 more); give it trace=FILE\n",
  },
  {
    name: 'convert: several VMs into plain without --lossy (and no file left behind)',
    files: { 't.csv': 'vm,addr\na,0x1\nb,0x2\n', 'd/': '' },
    args: ['convert', '{t.csv}', '{d/}/out.plain'],
    code: 64,
    stderr: 'vmmem: {d/}/out.plain: plain traces cannot name VMs, and the input has several (a, b): write csv or vmt, or give --lossy to merge them\n',
    absent: ['d/out.plain'],
  },
  {
    name: 'convert: a VM name too long for a vmt header',
    files: { 't.csv': `vm,addr\n${'v'.repeat(70000)},0x1\n`, 'd/': '' },
    args: ['convert', '{t.csv}', '{d/}/out.vmt'],
    code: 64,
    stderr: `vmmem: {d/}/out.vmt: VM name '${'v'.repeat(40)}...' is 70000 bytes long; a vmt trace holds names of up to 65535 bytes: write csv\n`,
    absent: ['d/out.vmt'],
  },
];

describe('bad input: one row per case, exact message and exit code (SPEC 3.3)', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_, row) => {
    if (row.skip) {
      console.warn(`skipped: ${row.name}: ${row.skip}`);
      return;
    }
    const path = materialise(row.files);
    row.setup?.(path);
    const r = cli(row.args.map((a) => fill(a, path)), { input: row.stdin });
    expect(r.status, r.stderr.slice(0, 500)).toBe(row.code);
    expect(r.stderr).not.toMatch(/^\s+at |node:internal|\.js:\d+:\d+/m);
    if (row.stderr instanceof RegExp) expect(r.stderr).toMatch(row.stderr);
    else if (row.stderr !== undefined) expect(r.stderr).toBe(fill(row.stderr, path));
    if (row.code !== 0) expect(r.stdout).toBe('');
    for (const name of row.absent ?? []) expect(existsSync(path(name)), name).toBe(false);
    if (row.sameAs) {
      const refPath = materialise(row.sameAs.files);
      const ref = cli(row.args.map((a) => fill(a, refPath)), { input: row.sameAs.stdin });
      expect(ref.status, ref.stderr).toBe(0);
      expect(r.stdout).toBe(ref.stdout);
    }
    row.check?.(r);
  });
});

/**
 * --skip-bad-lines: a trace with bad lines mixed in replays exactly as the same trace without
 * them (same per-VM figures), and the count of skipped lines is the number mixed in.
 */
describe('--skip-bad-lines replays every good line and counts the bad ones exactly', () => {
  const random = mulberry32(42);
  const pages = Array.from({ length: 400 }, () => ({ page: Math.floor(random() * random() * 60), write: random() < 0.3 }));
  interface SkipCase {
    format: string;
    header?: string;
    good: (page: number, write: boolean, i: number) => string;
    /** bad lines; `prev` is the good line before (its index) */
    bad: ((i: number) => string)[];
  }
  const cases: SkipCase[] = [
    {
      format: 'csv',
      header: 'op,addr,time',
      good: (p, w, i) => `${w ? 'W' : 'R'},0x${(p * 4096).toString(16)},${10 * i}`,
      bad: [
        (i) => `X,0x1000,${10 * i}`,
        (i) => `R,0xzz,${10 * i}`,
        () => 'R,0x1000',
        (i) => `R,-5,${10 * i}`,
        (i) => `R,0x10000000000000000,${10 * i}`,
        (i) => `R,0x1000,${10 * i - 1}`, // time going backwards
        (i) => `R,0x1000,${10 * i},extra`,
        () => `R,0x${'1'.repeat(LONG)},1`,
        (i) => `R,"0x1000"x,${10 * i}`, // a closing quote followed by more (csv-parse's path)
        (i) => `"R,0x1000,${10 * i}`, // a quote never closed
        (i) => `R,0x1000,"${10 * i}`,
        (i) => `X,0x1000,${10 * i} # a comment after the row`,
      ],
    },
    {
      format: 'plain',
      good: (p, w) => `${w ? 'W' : 'R'} 0x${(p * 4096).toString(16)}`,
      bad: [() => 'Q 0x1000', () => 'R 0xzz', () => 'R -5', () => 'R 0x1 2 3', () => 'R 0x10000000000000000', () => 'R 0xffffffffffffffff 2', () => `${'Q'.repeat(LONG)} 1`],
    },
    {
      format: 'din',
      good: (p, w) => `${w ? 1 : 0} ${(p * 4096).toString(16)}`,
      bad: [() => 'x 1000', () => '0 zz', () => '0', () => '0 1000 4 9', () => '1 10000000000000000'],
    },
    {
      format: 'lackey',
      good: (p, w) => ` ${w ? 'S' : 'L'} ${(p * 4096).toString(16).padStart(8, '0')},4`,
      bad: [() => ' L 00002000', () => ' L 0000zz00,4', () => ' S 10000000000000000,4', () => ' L 00001000,0'],
    },
  ];

  it.each(cases.map((c) => [c.format, c] as const))('%s', (_, c) => {
    const good: string[] = [];
    const mixed: string[] = [];
    let bad = 0;
    pages.forEach(({ page, write }, i) => {
      const line = c.good(page, write, i + 1);
      good.push(line);
      mixed.push(line);
      if (i % 3 === 2) {
        mixed.push(c.bad[bad % c.bad.length]!(i + 1));
        bad++;
      }
    });
    const text = (lines: string[]) => (c.header ? `${c.header}\n` : '') + lines.join('\n') + '\n';
    const name = `t.${c.format}`;
    const args = (file: string) => ['simulate', file, '--skip-bad-lines', '--format', 'json', '--frames', '8', '--policy', 'lru'];
    const withBad = cli(args(materialise({ [name]: text(mixed) })(name)));
    const clean = cli(args(materialise({ [name]: text(good) })(name)));
    expect(withBad.status, withBad.stderr.slice(0, 300)).toBe(0);
    expect(clean.status, clean.stderr).toBe(0);
    expect(bad).toBe(Math.floor(pages.length / 3));
    expect(json(withBad).skipped[0]!.bad).toBe(bad);
    expect(json(clean).skipped[0]!.bad).toBe(0);
    expect(json(withBad).rows).toEqual(json(clean).rows);
    expect(total(withBad).accesses).toBe(pages.length);
    expect(withBad.stderr).toMatch(new RegExp(`: skipped ${bad} bad lines \\(--skip-bad-lines\\)\\n`));
  });
});

describe('--skip-bad-lines on csv with stray quotes', () => {
  /** the rows a csv text yields, without line numbers, and the bad lines skipped */
  async function read(text: string, fastPath: boolean): Promise<{ rows: string[]; bad: number }> {
    const reader = createReader(textSource(text, 'csv', 't'), { ifetch: false, hex: false, skipBadLines: true, fastPath });
    const rows: string[] = [];
    for await (const b of reader.batches()) for (let i = 0; i < b.length; i++) rows.push(`${b.op[i]} ${b.addrLo[i]} ${b.time[i]}`);
    return { rows, bad: reader.skipped.bad };
  }
  // Lines that are bad wherever they stand, among them quotes that open a field and never close
  // it, or close it lines later: a quote opened by mistake must not swallow the good lines after it.
  // (Not a line of one quote: after `R,0x1,"10` it closes a valid field, "10\n".)
  const badLines = [
    (t: number) => `X,0x1000,${t}`,
    (t: number) => `R,0xzz,${t}`,
    () => 'R,0x1000',
    (t: number) => `R,0x1000,${t - 1}`,
    (t: number) => `R,"0x1000"x,${t}`,
    (t: number) => `"R,0x1000,${t}`,
    (t: number) => `R,0x1000,"${t}`,
    (t: number) => `R,"0x1000,${t}`,
    (t: number) => `R,0x1000,${t}"`,
    () => 'R,0x1000,"7"8',
    (t: number) => `X,0x1000,${t} # "a comment"`,
  ];

  it('keeps every good line and counts every bad one, whatever the mix (fast path and csv-parse alike)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: badLines.length - 1 })), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        fc.constantFrom('\n', '\r\n'),
        async (kinds, fastPath, eol) => {
          const good: string[] = [];
          const mixed: string[] = [];
          let bad = 0;
          kinds.forEach((k, i) => {
            const t = 10 * (good.length + 1);
            if (k < 0 || good.length === 0) {
              const line = `${i % 3 ? 'R' : 'W'},0x${(4096 * (i % 7)).toString(16)},${t}`;
              good.push(line);
              mixed.push(line);
            } else {
              mixed.push(badLines[k]!(t - 10));
              bad++;
            }
          });
          const clean = await read(`op,addr,time${eol}${good.join(eol)}${eol}`, fastPath);
          const withBad = await read(`op,addr,time${eol}${mixed.join(eol)}${eol}`, fastPath);
          expect(clean.bad).toBe(0);
          expect(withBad.rows).toEqual(clean.rows);
          expect(withBad.bad).toBe(bad);
        },
      ),
      { numRuns: Number(process.env.SKIP_RUNS ?? 300) },
    );
  });
});
