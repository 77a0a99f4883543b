import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { cli, tempFile } from '../helpers.js';
import { rowsOf, type PlainRow } from './rows-of.js';

const MAX = (1n << 64n) - 1n;

/** Every op, 64-bit extremes, sizes, two VMs and times (one of them not a whole number). */
const FULL_CSV = [
  'op,addr,size,vm,time',
  'R,0x0,1,web,0',
  'W,0xffffffffffffffff,1,web,1.5',
  'A,0x7f0000000000,8192,db,2',
  'R,18446744073709551615,1,db,3',
  'F,0x7f0000000000,4096,db,4',
  'RESET,0x0,1,web,5',
  'W,0xfffffffffffff000,4096,db,1e+21',
  'R,0x123456789abcdef0,4294967295,"web",1e+21',
  '',
].join('\n');

const FULL_ROWS: PlainRow[] = [
  { op: 'R', vm: 'web', addr: 0n, size: 1, time: 0 },
  { op: 'W', vm: 'web', addr: MAX, size: 1, time: 1.5 },
  { op: 'A', vm: 'db', addr: 0x7f0000000000n, size: 8192, time: 2 },
  { op: 'R', vm: 'db', addr: MAX, size: 1, time: 3 },
  { op: 'F', vm: 'db', addr: 0x7f0000000000n, size: 4096, time: 4 },
  { op: 'RESET', vm: 'web', addr: 0n, size: 1, time: 5 },
  { op: 'W', vm: 'db', addr: 0xfffffffffffff000n, size: 4096, time: 1e21 },
  { op: 'R', vm: 'web', addr: 0x123456789abcdef0n, size: 4294967295, time: 1e21 },
];

function convert(...args: string[]) {
  return cli(['convert', ...args, '--format', 'csv']);
}

describe('convert', () => {
  it('reads the hand-made csv as written (the reference for the round trips)', async () => {
    expect(await rowsOf(tempFile('full.csv', FULL_CSV))).toEqual(FULL_ROWS);
  });

  it('csv -> vmt -> csv keeps every field: op (A, F, RESET too), 64-bit address, size, vm, time', async () => {
    const csv = tempFile('full.csv', FULL_CSV);
    const dir = dirname(csv);
    const vmt = join(dir, 'full.vmt');
    const back = join(dir, 'back.csv');
    const first = convert(csv, vmt);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe(`output,format,rows,vms,time,bytes\n${vmt},vmt,8,2,yes,${readFileSync(vmt).length}\n`);
    expect(await rowsOf(vmt)).toEqual(FULL_ROWS);
    expect(convert(vmt, back).status).toBe(0);
    expect(await rowsOf(back)).toEqual(FULL_ROWS);
    // vmt -> vmt is byte for byte the same file
    const again = join(dir, 'again.vmt');
    expect(convert(back, again).status).toBe(0);
    expect(readFileSync(again).equals(readFileSync(vmt))).toBe(true);
  });

  it('csv -> vmt -> plain -> csv keeps op, address and size of a one-VM trace without time', async () => {
    const text = 'op,addr,size\nA,0x1000,8192\nR,0xffffffffffffffff,1\nW,0x1fff,2\nF,0x1000,4096\nRESET,0x0,1\nR,0x0,1\n';
    const csv = tempFile('one.csv', text);
    const dir = dirname(csv);
    expect(convert(csv, join(dir, 'one.vmt')).status).toBe(0);
    const plain = convert(join(dir, 'one.vmt'), join(dir, 'one.plain'));
    expect(plain.status, plain.stderr).toBe(0);
    expect(readFileSync(join(dir, 'one.plain'), 'utf8')).toBe(
      'A 0x1000 8192\nR 0xffffffffffffffff\nW 0x1fff 2\nF 0x1000 4096\nRESET\nR 0x0\n',
    );
    expect(convert(join(dir, 'one.plain'), join(dir, 'one2.csv')).status).toBe(0);
    const expected = (await rowsOf(csv)).map((r) => ({ ...r, vm: 'one' }));
    expect(await rowsOf(join(dir, 'one2.csv'))).toEqual(expected);
    expect(expected.map((r) => r.op)).toEqual(['A', 'R', 'W', 'F', 'RESET', 'R']);
  });

  it('refuses to drop VMs or times into plain (exit 64, no file left) unless --lossy', async () => {
    const csv = tempFile('full.csv', FULL_CSV);
    const out = join(dirname(csv), 'out.plain');
    const refused = convert(csv, out);
    expect(refused.status).toBe(64);
    expect(refused.stderr).toMatch(/plain traces have no time column.*--lossy/);
    expect(existsSync(out)).toBe(false);
    const noTime = tempFile('vms.csv', 'op,addr,vm\nR,0x1000,a\nR,0x2000,b\n');
    const refused2 = convert(noTime, join(dirname(noTime), 'vms.plain'));
    expect(refused2.status).toBe(64);
    expect(refused2.stderr).toMatch(/cannot name VMs.*\(a, b\)/);
    expect(existsSync(join(dirname(noTime), 'vms.plain'))).toBe(false);
    const lossy = convert(csv, out, '--lossy');
    expect(lossy.status, lossy.stderr).toBe(0);
    expect(lossy.stderr).toMatch(/dropped the time column/);
    expect(lossy.stderr).toMatch(/merged the VMs web, db into one/);
    const rows = await rowsOf(out);
    expect(rows.map((r) => [r.op, r.addr, r.size])).toEqual(FULL_ROWS.map((r) => [r.op, r.addr, r.size]));
    expect(rows.every((r) => r.vm === 'out' && r.time === null)).toBe(true);
  });

  it('writes gzip when the name ends in .gz, the same rows as without', () => {
    const csv = tempFile('full.csv', FULL_CSV);
    const dir = dirname(csv);
    expect(convert(csv, join(dir, 'a.csv')).status).toBe(0);
    expect(convert(csv, join(dir, 'a.csv.gz')).status).toBe(0);
    const gz = readFileSync(join(dir, 'a.csv.gz'));
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(gz).toString()).toBe(readFileSync(join(dir, 'a.csv'), 'utf8'));
  });

  it('turns lackey and din (input-only formats) into csv rows', () => {
    const lackey = tempFile(
      'prog.lackey',
      '==12== Lackey, an example Valgrind tool\nI  0023C790,2\n L 1FFEFFF8,8\n S 04222CAC,4\n M 0421FAF8,4\n',
    );
    const r = cli(['convert', lackey, '-']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('op,addr,size,vm\nR,0x1ffefff8,8,prog\nW,0x4222cac,4,prog\nR,0x421faf8,4,prog\nW,0x421faf8,4,prog\n');
    expect(r.stderr).toMatch(/skipped 1 instruction fetch/);
    const din = tempFile('cache.din', '0 1000 4\n1 2000\n2 3000\n');
    const d = cli(['convert', din, '-', '--ifetch']);
    expect(d.stdout).toBe('op,addr,size,vm\nR,0x1000,4,cache\nW,0x2000,1,cache\nR,0x3000,1,cache\n');
  });

  it('refuses lackey or din as an output format, and unknown extensions', () => {
    const csv = tempFile('full.csv', FULL_CSV);
    const r = convert(csv, join(dirname(csv), 'x.lackey'));
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/lackey is an input-only format/);
    expect(convert(csv, join(dirname(csv), 'x.bin')).status).toBe(64);
    expect(convert(csv, '-', '--to', 'din').status).toBe(64);
  });

  it('merges several inputs into one trace with a vm column, round robin', async () => {
    const a = tempFile('a.plain', 'R 0x1000\nR 0x2000\nR 0x3000\n');
    const b = tempFile('b.plain', 'W 0x9000\n');
    const out = join(dirname(a), 'ab.csv');
    expect(convert(a, b, out).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('op,addr,size,vm\nR,0x1000,1,a\nW,0x9000,1,b\nR,0x2000,1,a\nR,0x3000,1,a\n');
  });

  it('writes an empty csv, but refuses an empty vmt or plain trace that could not be read back (exit 65)', () => {
    const empty = tempFile('empty.csv', 'op,addr\n');
    const csv = convert(empty, join(dirname(empty), 'e.csv'));
    expect(csv.status).toBe(0);
    expect(readFileSync(join(dirname(empty), 'e.csv'), 'utf8')).toBe('op,addr,size,vm\n');
    const vmt = convert(empty, join(dirname(empty), 'e.vmt'));
    expect(vmt.status).toBe(65);
    expect(vmt.stderr).toMatch(/no rows to write/);
    expect(existsSync(join(dirname(empty), 'e.vmt'))).toBe(false);
  });

  it('exits 73 when the output cannot be created', () => {
    const csv = tempFile('full.csv', FULL_CSV);
    const r = convert(csv, join(dirname(csv), 'no-such-dir', 'x.csv'));
    expect(r.status).toBe(73);
    expect(r.stderr).toMatch(/x\.csv: cannot create the file: its directory does not exist/);
  });

  it('any rows survive csv -> vmt -> csv (property)', async () => {
    const vmNames = ['web', 'db', 'x,y', 'q"uote', '#hash'];
    const row = fc
      .record({
        op: fc.constantFrom('R', 'W', 'A', 'F', 'RESET'),
        addr: fc.oneof(fc.bigInt({ min: 0n, max: MAX - (1n << 33n) }), fc.constantFrom(0n, MAX - 1n, 1n << 32n, (1n << 53n) + 1n)),
        size: fc.oneof(fc.integer({ min: 1, max: 4096 }), fc.constant(4294967295)),
        vm: fc.constantFrom(...vmNames),
        dt: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e6, noNaN: true })),
      })
      .map((r) => (r.addr + BigInt(r.size) - 1n > MAX ? { ...r, size: 1 } : r));
    const dir = dirname(tempFile('seed', ''));
    const io = (): Io & { out: string[] } => {
      const out: string[] = [];
      return { out, stdout: (t) => out.push(t), stderr: (t) => out.push(t), stdoutIsTty: false, stderrIsTty: false, env: {} };
    };
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 40 }), async (rows) => {
        run++;
        let time = 0;
        const expected: PlainRow[] = rows.map((r) => ({ op: r.op, vm: r.vm, addr: r.addr, size: r.size, time: (time += r.dt) }));
        const quote = (s: string): string => (/[",#]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
        const text = `op,addr,size,vm,time\n${expected.map((r) => `${r.op},0x${r.addr.toString(16)},${r.size},${quote(r.vm)},${r.time}`).join('\n')}\n`;
        const src = join(dir, `p${run}.csv`);
        writeFileSync(src, text);
        expect(await main(['convert', src, join(dir, `p${run}.vmt`)], io())).toBe(0);
        expect(await main(['convert', join(dir, `p${run}.vmt`), join(dir, `p${run}b.csv`)], io())).toBe(0);
        expect(await rowsOf(join(dir, `p${run}.vmt`))).toEqual(expected);
        expect(await rowsOf(join(dir, `p${run}b.csv`))).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });
});
