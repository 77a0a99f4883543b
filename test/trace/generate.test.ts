import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run/simulate.js';
import { DEFAULT_MIX, generateRows, type VmPlan } from '../../src/trace/generate.js';
import { toBigInt } from '../../src/trace/address.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { openSource } from '../../src/trace/source.js';
import { BIN, cli, config, tempFile } from '../helpers.js';
import { rowsOf } from './rows-of.js';

function plan(over: Partial<VmPlan>): VmPlan {
  const pages = over.pages ?? 100;
  return {
    workingSet: Math.min(10, pages),
    name: 'vm',
    pattern: 'uniform',
    pages: 100,
    accesses: 1000,
    alpha: 1,
    writeRatio: 0.3,
    base: 0x10000000n,
    phaseLength: 100,
    mix: DEFAULT_MIX,
    ...over,
  };
}

/** Page indices (relative to the base) and write flags of one VM's generated accesses. */
function pagesOf(p: Partial<VmPlan>, seed = 1, pageSize = 4096): { pages: number[]; writes: boolean[] } {
  const full = plan(p);
  const pages: number[] = [];
  const writes: boolean[] = [];
  for (const b of generateRows([full], { seed, pageSize, offsets: false })) {
    for (let i = 0; i < b.length; i++) {
      pages.push(Number((toBigInt(b.addrHi[i]!, b.addrLo[i]!) - full.base) / BigInt(pageSize)));
      writes.push(b.op[i] === 1);
    }
  }
  return { pages, writes };
}

/** Least-squares slope of y on x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return num / den;
}

describe('generate', () => {
  it('the same seed gives the same bytes, in every format; another seed does not', () => {
    // The VM name of a one-VM vmt comes from the file's name: same name, other directories.
    const dirs = ['a', 'b', 'c'].map(() => dirname(tempFile('x', '')));
    for (const [pattern, file] of [
      ['zipf', 'z.csv'],
      ['mix', 'm.vmt.gz'],
      ['phases', 'p.plain'],
      ['uniform', 'u.csv.gz'],
    ] as const) {
      const args = (seed: string): string[] => ['generate', '--pattern', pattern, '--pages', '300', '--accesses', '4000', '--seed', seed, '--offsets'];
      const [a, b, c] = dirs.map((d) => join(d, file)) as [string, string, string];
      expect(cli([...args('42'), '-o', a]).status).toBe(0);
      expect(cli([...args('42'), '-o', b]).status).toBe(0);
      expect(cli([...args('43'), '-o', c]).status).toBe(0);
      expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
      expect(readFileSync(a).equals(readFileSync(c))).toBe(false);
    }
  });

  it('zipf rank frequencies follow alpha (log-log slope of the top ranks, and the top share)', () => {
    for (const alpha of [0.8, 1.2]) {
      const n = 200;
      const { pages } = pagesOf({ pattern: 'zipf', pages: n, accesses: 200000, alpha }, 7);
      const counts = new Array<number>(n).fill(0);
      for (const p of pages) counts[p]!++;
      counts.sort((a, b) => b - a);
      const ranks = Array.from({ length: 50 }, (_, i) => i + 1);
      const s = slope(ranks.map(Math.log), ranks.map((r) => Math.log(counts[r - 1]!)));
      expect(Math.abs(s + alpha)).toBeLessThan(0.05);
      // The most popular page's share is 1 / H(n, alpha).
      let h = 0;
      for (let k = 1; k <= n; k++) h += k ** -alpha;
      expect(Math.abs(counts[0]! / pages.length - 1 / h)).toBeLessThan(0.01);
    }
  });

  it('zipf with alpha 0 is uniform over the pages', () => {
    const { pages } = pagesOf({ pattern: 'zipf', pages: 10, accesses: 50000, alpha: 0 });
    const counts = new Array<number>(10).fill(0);
    for (const p of pages) counts[p]!++;
    for (const c of counts) expect(Math.abs(c - 5000)).toBeLessThan(5 * Math.sqrt(5000 * 0.9));
  });

  it('loop of n pages faults on every access under LRU with n - 1 frames, and only n times with n frames', async () => {
    const file = join(dirname(tempFile('x', '')), 'loop.csv');
    expect(cli(['generate', '--pattern', 'loop', '--pages', '50', '--accesses', '1000', '-o', file]).status).toBe(0);
    const faults = async (frames: number): Promise<number> => {
      const out = await simulate({ sources: [await openSource(file)], read: DEFAULT_READ_OPTIONS, config: config({ frames, pageSize: 4096, policy: 'lru' }) });
      expect(out.total.counters.accesses).toBe(1000);
      return out.total.counters.faults;
    };
    expect(await faults(49)).toBe(1000);
    expect(await faults(10)).toBe(1000);
    expect(await faults(50)).toBe(50);
  });

  it('loop visits the pages in order; scan makes one sequential pass', () => {
    expect(pagesOf({ pattern: 'loop', pages: 4, accesses: 10 }).pages).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1]);
    expect(pagesOf({ pattern: 'scan', pages: 4, accesses: 12 }).pages).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
    expect(pagesOf({ pattern: 'scan', pages: 10, accesses: 5 }).pages).toEqual([0, 2, 4, 6, 8]);
    // floor(j * N / M) exactly: (15 / 22) * 22 is 14.999999999999998 in floating point
    expect(pagesOf({ pattern: 'scan', pages: 22, accesses: 22 }).pages).toEqual(Array.from({ length: 22 }, (_, j) => j));
    const big = pagesOf({ pattern: 'scan', pages: 1000, accesses: 1000 }).pages;
    expect(new Set(big).size).toBe(1000);
  });

  it('phases stay within a locality set of working-set consecutive pages for each phase', () => {
    const { pages } = pagesOf({ pattern: 'phases', pages: 1000, accesses: 5000, workingSet: 20, phaseLength: 500 });
    const starts = new Set<number>();
    for (let phase = 0; phase < 10; phase++) {
      const slice = pages.slice(phase * 500, (phase + 1) * 500);
      const lo = Math.min(...slice);
      const hi = Math.max(...slice);
      expect(hi - lo).toBeLessThan(20);
      expect(new Set(slice).size).toBeGreaterThan(15); // uniform within the set: nearly all of it in 500 draws
      starts.add(lo);
    }
    expect(starts.size).toBeGreaterThan(5); // the set moves
  });

  it('mix of a single component is that component', () => {
    const mixed = pagesOf({ pattern: 'mix', pages: 7, accesses: 30, mix: { loop: 1 } }).pages;
    expect(mixed).toEqual(pagesOf({ pattern: 'loop', pages: 7, accesses: 30 }).pages);
  });

  it('mix draws its components in proportion to their weights', () => {
    const { pages } = pagesOf({ pattern: 'mix', pages: 1000, accesses: 20000, mix: { uniform: 3, scan: 1 } });
    // The scan component (a quarter: 5000 of 20000) walks the pages in order, 5 accesses each; the
    // uniform ones land anywhere (on the scan's page or the next one about 2 times in 1000). Count
    // the accesses that follow the scan's position: 5000 +- 3 sigma (sigma = sqrt(20000 * 1/4 * 3/4) = 61).
    let scan = 0;
    let next = 0;
    for (const p of pages) {
      if (p >= next && p <= next + 1) {
        scan++;
        next = p;
      }
    }
    expect(Math.abs(scan - 5000)).toBeLessThan(300);
  });

  it('writes come at the write ratio', () => {
    for (const r of [0, 0.25, 1]) {
      const { writes } = pagesOf({ pattern: 'uniform', accesses: 20000, writeRatio: r });
      const share = writes.filter(Boolean).length / writes.length;
      expect(Math.abs(share - r)).toBeLessThan(0.015);
    }
  });

  it('several VMs: interleaved round robin, each in its own range, named in the vm column', async () => {
    const file = join(dirname(tempFile('x', '')), 'vms.csv');
    const r = cli([
      'generate',
      '--vms',
      'web:zipf:pages=64,db:loop:pages=3:accesses=2:base=0x7f0000000000',
      '--accesses',
      '4',
      '--format',
      'csv',
      '-o',
      file,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^vm,pattern,pages,accesses,reads,writes,base_addr\nweb,zipf,64,4,\d,\d,0x10000000\ndb,loop,3,2,\d,\d,0x7f0000000000\n$/);
    const rows = await rowsOf(file);
    expect(rows.map((x) => x.vm)).toEqual(['web', 'db', 'web', 'db', 'web', 'web']);
    const db = rows.filter((x) => x.vm === 'db').map((x) => x.addr);
    expect(db).toEqual([0x7f0000000000n, 0x7f0000001000n]);
    for (const x of rows.filter((x) => x.vm === 'web')) {
      expect(x.addr >= 0x10000000n && x.addr < 0x10000000n + 64n * 4096n && x.addr % 4096n === 0n).toBe(true);
    }
    // Without a base, VM i starts at base + i * 2^40.
    const two = join(dirname(file), 'two.vmt');
    expect(cli(['generate', '--vms', 'a:loop,b:loop', '--pages', '2', '--accesses', '1', '-o', two]).status).toBe(0);
    expect((await rowsOf(two)).map((x) => [x.vm, x.addr])).toEqual([
      ['a', 0x10000000n],
      ['b', 0x10000000n + (1n << 40n)],
    ]);
  });

  it('--offsets puts addresses 8-byte aligned inside the page; scan offsets rise through it', () => {
    const rows = [...generateRows([plan({ pattern: 'scan', pages: 2, accesses: 8 })], { seed: 1, pageSize: 4096, offsets: true })][0]!;
    const addrs = Array.from({ length: rows.length }, (_, i) => rows.addrLo[i]! - 0x10000000);
    expect(addrs).toEqual([0, 1024, 2048, 3072, 4096, 5120, 6144, 7168]);
    const random = [...generateRows([plan({ pattern: 'uniform', pages: 4, accesses: 500 })], { seed: 1, pageSize: 4096, offsets: true })][0]!;
    const offsets = Array.from({ length: random.length }, (_, i) => (random.addrLo[i]! - 0x10000000) % 4096);
    expect(offsets.every((o) => o % 8 === 0)).toBe(true);
    expect(new Set(offsets).size).toBeGreaterThan(100);
  });

  it('rejects what it cannot do, with exit 64', () => {
    expect(cli(['generate', '--pattern', 'zigzag', '-o', '-']).status).toBe(64);
    expect(cli(['generate', '-o', '-']).stderr).toMatch(/has no pattern/);
    const plain = cli(['generate', '--vms', 'a:loop,b:loop', '-o', join(dirname(tempFile('x', '')), 'x.plain')]);
    expect(plain.status).toBe(64);
    expect(plain.stderr).toMatch(/plain trace cannot name VMs/);
    expect(cli(['generate', '--pattern', 'phases', '--pages', '5', '--working-set', '6', '-o', '-']).status).toBe(64);
    expect(cli(['generate', '--pattern', 'loop', '-o', 'x.lackey']).status).toBe(64);
    expect(cli(['generate', '--pattern', 'loop', '--write-ratio', '1.5', '-o', '-']).status).toBe(64);
  });

  it('writes the trace itself to standard output with -o - (csv unless --to)', () => {
    const r = cli(['generate', '--pattern', 'loop', '--pages', '3', '--accesses', '4', '--write-ratio', '0', '-o', '-']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('op,addr\nR,0x10000000\nR,0x10001000\nR,0x10002000\nR,0x10000000\n');
    const p = cli(['generate', '--pattern', 'loop', '--pages', '3', '--accesses', '2', '--write-ratio', '1', '-o', '-', '--to', 'plain']);
    expect(p.stdout).toBe('W 0x10000000\nW 0x10001000\n');
  });

  it('Ctrl-C leaves no half-written file: the temporary file is removed and the signal re-raised', async () => {
    const dir = dirname(tempFile('x', ''));
    const out = join(dir, 'huge.csv');
    const child = spawn(process.execPath, [BIN, 'generate', '--pattern', 'uniform', '--accesses', '200000000', '-o', out], { stdio: 'ignore' });
    const temp = (): string[] => readdirSync(dir).filter((f) => f.startsWith('.huge.csv.'));
    for (let i = 0; i < 200 && temp().length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(temp()).toHaveLength(1); // being written
    const ended = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGINT');
    expect(await ended).toBe('SIGINT');
    expect(temp()).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });
});
