/**
 * The library (src/index.ts): each function returns what `vmmem COMMAND --format json` prints,
 * parsed; in-memory accesses replay like the same accesses in a file; errors are the typed
 * classes, and nothing is written to the terminal.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compare, convert, diff, generate, inspect, merge, mrc, plan, simulate, TraceError, UsageError, type Access } from '../../src/index.js';
import { vmmem } from '../cli/in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'vmmem-lib-'));

async function cliJson(args: string[]): Promise<unknown> {
  const r = await vmmem([...args, '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

/** Belady's sequence: pages 1 2 3 4 1 2 5 1 2 3 4 5 (one page = 4096 bytes). */
const BELADY = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];
const belady = (): Access[] => BELADY.map((p) => ({ op: 'R', address: p * 4096 }));

function total(doc: { rows: Record<string, unknown>[] }): Record<string, unknown> {
  return doc.rows.find((r) => r.vm === 'TOTAL')!;
}

describe('the library returns the CLI JSON, parsed', () => {
  it('simulate: the example of the issue', async () => {
    const lib = await simulate({ traces: ['traces/web.csv'], frames: 100, policy: 'lru' });
    expect(lib).toEqual(await cliJson(['simulate', 'traces/web.csv', '--frames', '100', '--policy', 'lru']));
  });

  it('simulate: scheduling, interval and a number where the CLI takes text', async () => {
    const args = ['simulate', 'traces/web.csv', 'traces/zipf.csv', '--memory', '256KiB', '--scheduler', 'weight', '--interval', '500', '--swap', '0'];
    const lib = await simulate({ traces: ['traces/web.csv', 'traces/zipf.csv'], memory: 256 * 1024, scheduler: 'weight', interval: 500, swap: 0 });
    expect(lib).toEqual(await cliJson(args));
    expect(lib.intervals).toBeDefined();
  });

  it('compare, mrc, plan, inspect', async () => {
    expect(await compare({ traces: ['traces/zipf.csv'], policies: ['lru', 'fifo', 'opt'], frames: '16,64' })).toEqual(
      await cliJson(['compare', 'traces/zipf.csv', '--policies', 'lru,fifo,opt', '--frames', '16,64']),
    );
    expect(await mrc({ traces: ['traces/zipf.csv'], policy: ['lru', 'opt'], points: 8 })).toEqual(await cliJson(['mrc', 'traces/zipf.csv', '--policy', 'lru,opt', '--points', '8']));
    expect(await plan({ traces: ['traces/web.csv', 'traces/zipf.csv'], frames: 64, verify: true })).toEqual(
      await cliJson(['plan', 'traces/web.csv', 'traces/zipf.csv', '--frames', '64', '--verify']),
    );
    expect(await inspect({ traces: ['traces/web.csv'], window: 100 })).toEqual(await cliJson(['inspect', 'traces/web.csv', '--window', '100']));
  });

  it('merge: shards from the library or from files give the unsharded compare, as vmmem merge does', async () => {
    const options = { traces: ['traces/zipf.csv'], policies: ['lru', 'fifo', 'clock'], frames: '16,64' };
    const whole = await compare(options);
    const shards = await Promise.all([1, 2, 3].map((i) => compare({ ...options, shard: `${i}/3` })));
    // each shard holds only its cells: three cells each, none in two shards
    expect(shards.map((s) => s.rows.length)).toEqual([2, 2, 2]);
    expect(await merge({ shards: [shards[2]!, shards[0]!, shards[1]!] })).toEqual(whole);
    const files = shards.map((s, i) => {
      const f = join(dir, `shard-${i + 1}.json`);
      writeFileSync(f, JSON.stringify(s));
      return f;
    });
    const lib = await merge({ shards: files });
    expect(lib).toEqual(await cliJson(['merge', ...files]));
    expect(lib.rows).toEqual(whole.rows);
    await expect(merge({ shards: files.slice(1) })).rejects.toThrow(UsageError);
    await expect(merge({ shards: ['-'] })).rejects.toThrow('standard input (-) is not read by the library');
  });

  it('diff: a result the library returned against a saved one, regression reported, not thrown', async () => {
    // Belady's sequence: FIFO faults 9 times with 3 frames (worked by hand)
    const fifo = await simulate({ accesses: belady(), frames: 3, policy: 'fifo' });
    expect(total(fifo).faults).toBe(9);
    const again = await simulate({ accesses: belady(), frames: 3, policy: 'fifo' });
    const same = await diff({ baseline: fifo, current: again });
    expect(same.regression).toBe(false);
    expect(same.counts.worse).toBe(0);
    expect(same.rows).toEqual([]);
    // a current with one fault more per row (by hand): worse
    const worse = structuredClone(fifo);
    for (const r of worse.rows) r.faults = (r.faults as number) + 1;
    const d = await diff({ baseline: fifo, current: worse });
    expect(d.regression).toBe(true);
    expect(d.rows.map((r) => [r.vm, r.metric, r.baseline, r.current, r.verdict])).toEqual(fifo.rows.map((r) => [r.vm, 'faults', 9, 10, 'worse']));
    // within a 20% tolerance it is not a regression (10 - 9 <= 0.2 * 9)
    expect((await diff({ baseline: fifo, current: worse, tolerance: '20%' })).regression).toBe(false);
    expect((await diff({ baseline: fifo, current: worse, tolerance: 0.2 })).regression).toBe(false);
    // files: the same JSON as vmmem diff prints
    const a = join(dir, 'base.json');
    const b = join(dir, 'cur.json');
    writeFileSync(a, JSON.stringify(fifo));
    writeFileSync(b, JSON.stringify(worse));
    const cli = await vmmem(['diff', a, b, '--format', 'json']);
    expect(cli.code).toBe(1);
    expect(await diff({ baseline: a, current: b })).toEqual(JSON.parse(cli.stdout));
    await expect(diff({ baseline: { schema: 'x' } as never, current: b })).rejects.toThrow(TraceError);
  });

  it('generate and convert write the same bytes and return the same result', async () => {
    // the same name in two folders: a generated VM is named after its file
    const a = join(mkdtempSync(join(dir, 'g')), 'x.csv');
    const b = join(mkdtempSync(join(dir, 'g')), 'x.csv');
    const lib = await generate({ output: a, pattern: 'zipf', pages: 50, accesses: 400, seed: 7 });
    const cli = (await cliJson(['generate', '-o', b, '--pattern', 'zipf', '--pages', '50', '--accesses', '400', '--seed', '7'])) as typeof lib;
    expect(lib.config.output).toBe(a);
    expect({ ...lib, config: { ...lib.config, output: b } }).toEqual(cli);
    expect(readFileSync(a)).toEqual(readFileSync(b));
    const converted = await convert({ inputs: [a], output: join(dir, 'a.vmt') });
    expect(converted.rows[0]!.rows).toBe(400);
    const back = await cliJson(['convert', a, join(dir, 'c.vmt')]);
    expect(readFileSync(join(dir, 'a.vmt'))).toEqual(readFileSync(join(dir, 'c.vmt')));
    expect((back as typeof converted).rows[0]!.rows).toBe(400);
  });
});

describe('in-memory accesses', () => {
  it("FIFO on Belady's sequence: 9 faults with 3 frames, 10 with 4 (worked by hand)", async () => {
    const three = await simulate({ accesses: belady(), frames: 3, policy: 'fifo' });
    const four = await simulate({ accesses: belady(), frames: 4, policy: 'fifo' });
    expect(total(three).faults).toBe(9);
    expect(total(four).faults).toBe(10);
    expect(three.rows[0]!.vm).toBe('accesses');
  });

  it('opt reads them twice: a one-shot generator is kept for the second pass (7 faults with 3 frames)', async () => {
    function* once(): Generator<Access> {
      yield* belady();
    }
    expect(total(await simulate({ accesses: once(), frames: 3, policy: 'opt' })).faults).toBe(7);
    expect(total(await simulate({ accesses: belady(), frames: 3, policy: 'opt' })).faults).toBe(7);
  });

  it('equal the same accesses in a CSV file (VMs, writes, bigint addresses, sizes across a page)', async () => {
    const accesses: Access[] = [];
    const lines = ['vm,op,addr,size'];
    for (let i = 0; i < 300; i++) {
      const vm = i % 3 === 0 ? 'db' : 'web';
      const op = i % 4 === 0 ? 'W' : 'R';
      const page = (i * 7) % 23;
      const address = i % 5 === 0 ? BigInt(page) * 4096n + 2n ** 40n : page * 4096 + 4090;
      accesses.push({ vm, op, address, size: 8 });
      lines.push(`${vm},${op},0x${address.toString(16)},8`);
    }
    const file = join(dir, 'same.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const lib = await simulate({ accesses, accessesName: 'same', frames: 10, policy: 'clock' });
    const cli = (await cliJson(['simulate', file, '--frames', '10', '--policy', 'clock'])) as typeof lib;
    expect(lib.rows).toEqual(cli.rows);
    expect(lib.host).toEqual(cli.host);
  });

  it('an async iterable works too', async () => {
    async function* later(): AsyncGenerator<Access> {
      for (const a of belady()) yield a;
    }
    expect(total(await simulate({ accesses: later(), frames: 3, policy: 'lru' })).faults).toBe(10);
  });

  it('a bad access is a TraceError naming its line (the first access is line 2, after the header)', async () => {
    const bad = [{ address: 4096 }, { address: -1 }] as Access[];
    await expect(simulate({ accesses: bad, frames: 3 })).rejects.toThrow(TraceError);
    await expect(simulate({ accesses: bad, frames: 3 })).rejects.toThrow(/^accesses:3: /);
  });
});

describe('errors are typed, and the library is silent', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a bad option is the UsageError the CLI prints, with nothing on stdout or stderr', async () => {
    const out = vi.spyOn(process.stdout, 'write');
    const err = vi.spyOn(process.stderr, 'write');
    const cli = await vmmem(['simulate', 'traces/web.csv', '--frames', '0']);
    const message = cli.stderr.replace(/^vmmem: /, '').trimEnd();
    await expect(simulate({ traces: ['traces/web.csv'], frames: 0 })).rejects.toThrow(new UsageError(message));
    await expect(compare({ traces: ['traces/web.csv'], policies: 'nope' })).rejects.toBeInstanceOf(UsageError);
    await expect(simulate({ traces: ['no/such/file.csv'] })).rejects.toMatchObject({ exitCode: 66 });
    await simulate({ traces: ['traces/web.csv'], frames: 10 });
    expect(out).not.toHaveBeenCalled();
    expect(err).not.toHaveBeenCalled();
  });

  it('progress only through the callback', async () => {
    const seen: { pass: string; rows: number }[] = [];
    await simulate({ traces: ['traces/web.csv'], frames: 10, policy: 'opt', onProgress: (e) => seen.push(e) });
    expect(seen.at(-1)).toEqual({ pass: 'replay', rows: 3000 });
    expect(seen.some((e) => e.pass === 'look-ahead')).toBe(true);
  });
});
