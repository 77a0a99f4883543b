/**
 * Reading on a worker thread (read-thread.ts) against reading in-process: the same rows in the
 * same batches' order, the same VM names, content tokens, header flags, skip counts, bytes read
 * and the same errors, on every text format, gzip included; and whole runs byte-identical.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VmmemError } from '../../src/errors.js';
import { ContentNames } from '../../src/trace/content.js';
import { readThreadAvailable } from '../../src/trace/read-thread.js';
import { createReader, type ReadOptions } from '../../src/trace/reader.js';
import { declaredVmSource, openSource, type TraceFormat } from '../../src/trace/source.js';
import { cli, rowTexts, tempDir, tempFile } from '../helpers.js';

type Flags = Partial<Pick<ReadOptions, 'hex' | 'ifetch' | 'skipBadLines'>> & { format?: TraceFormat; onlyVm?: string };

async function readAll(path: string, readThread: 'always' | 'never', flags: Flags = {}) {
  const contents = new ContentNames();
  const opened = await openSource(path, flags.format);
  const source = flags.onlyVm === undefined ? opened : declaredVmSource(opened, flags.onlyVm);
  const reader = createReader(source, { ifetch: flags.ifetch ?? false, hex: flags.hex ?? false, skipBadLines: flags.skipBadLines ?? false, contents, readThread });
  const rows: string[] = [];
  let error: string | null = null;
  try {
    for await (const b of reader.batches()) rows.push(...rowTexts(b, reader.vmNames, contents.names));
  } catch (err) {
    if (!(err instanceof VmmemError)) throw err;
    error = `${err.constructor.name}: ${err.message}`;
  }
  return {
    rows,
    error,
    names: [...reader.vmNames],
    skipped: { ...reader.skipped },
    flags: [reader.hasTime, reader.hasContent, reader.hasVmColumn],
    rowCount: reader.rows,
    bytes: source.bytesRead?.(),
  };
}

async function same(path: string, flags: Flags = {}) {
  const inProcess = await readAll(path, 'never', flags);
  const threaded = await readAll(path, 'always', flags);
  expect(threaded).toEqual(inProcess);
  return threaded;
}

/** A csv trace of `n` rows over 3 VMs, with time and content, long enough for several batches. */
function bigCsv(n: number): string {
  const lines = ['time,vm,op,addr,size,content'];
  for (let i = 0; i < n; i++) {
    const op = i % 7 === 0 ? 'W' : 'R';
    const token = op === 'W' && i % 3 === 0 ? `img-${i % 11}` : '';
    lines.push(`${i},${['web', 'db', 'cache'][i % 3]},${op},0x${((i * 2654435761) % 2 ** 40).toString(16)},${1 + (i % 9000)},${token}`);
  }
  return lines.join('\n') + '\n';
}

describe('reading on a worker thread equals reading in-process', () => {
  it('the compiled worker is there (npm test builds first)', () => {
    expect(readThreadAvailable()).toBe(true);
  });

  it('csv with VMs, time and content over several batches, plain, gzip', async () => {
    const text = bigCsv(30000);
    const r = await same(tempFile('three.csv', text));
    expect(r.rows).toHaveLength(30000);
    expect(r.names).toEqual(['web', 'db', 'cache']);
    expect(r.flags).toEqual([true, true, true]);
    expect(r.bytes).toBe(Buffer.byteLength(text));
    const gz = await same(tempFile('three.csv.gz', gzipSync(text)));
    expect(gz.rows).toEqual(r.rows);
  });

  it('one declared VM of a trace (trace=), and a wrong-format error', async () => {
    const path = tempFile('three.csv', bigCsv(20000));
    const r = await same(path, { onlyVm: 'db' });
    // rows 1, 4, ..., 19999 are db's
    expect(r.rows).toHaveLength(6667);
    await same(path, { format: 'lackey' });
  });

  it('the real lackey traces, with and without --ifetch, and plain hex', async () => {
    for (const name of ['ls.lackey.gz']) {
      const r = await same(join('traces', name));
      expect(r.rows.length).toBeGreaterThan(1000);
      await same(join('traces', name), { ifetch: true });
    }
    const plain = Array.from({ length: 20000 }, (_, i) => `${i % 5 === 0 ? 'W' : 'R'} ${((i * 40503) % 65536).toString(16)}`).join('\n');
    await same(tempFile('p.plain', plain), { hex: true });
  });

  it('bad lines: the same error (file and line), or the same skips', async () => {
    const lines = bigCsv(20000).split('\n');
    lines[15003] = 'x,web,Q,0x1,1,';
    const path = tempFile('bad.csv', lines.join('\n'));
    const stop = await same(path);
    expect(stop.error).toMatch(/^TraceError: .*bad\.csv:15004: /);
    const skip = await same(path, { skipBadLines: true });
    expect(skip.skipped.bad).toBe(1);
    expect(skip.rows).toHaveLength(19999);
  });

  it('empty and header-only traces, and a missing file', async () => {
    const empty = await same(tempFile('e.plain', ''));
    expect(empty.error).toMatch(/empty trace/);
    const header = await same(tempFile('h.csv', 'op,addr\n'));
    expect(header.rows).toEqual([]);
    await expect(readAll(join(tempDir(), 'none.csv'), 'always')).rejects.toThrow();
  });

  it('on generated csv rows, good and bad, with and without --skip-bad-lines', async () => {
    const op = fc.constantFrom('R', 'W', 'A', 'F', 'RESET', 'Z');
    const addr = fc.oneof(fc.nat({ max: 2 ** 20 }).map((n) => `0x${n.toString(16)}`), fc.constantFrom('0xzz', ''));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(op, addr, fc.constantFrom('a', 'b'), fc.constantFrom('', 't1', 't2')), { maxLength: 40 }), fc.boolean(), async (rows, skipBadLines) => {
        const text = ['vm,op,addr,content', ...rows.map(([o, a, v, c]) => `${v},${o},${a},${o === 'W' ? c : ''}`)].join('\n');
        await same(tempFile('g.csv', text), { skipBadLines });
      }),
      { numRuns: 12 },
    );
  });

  it('a consumer that stops early ends the thread (no hang, no leak)', async () => {
    const path = tempFile('three.csv', bigCsv(200000));
    const reader = createReader(await openSource(path), { ifetch: false, hex: false, skipBadLines: false, readThread: 'always' });
    let batches = 0;
    for await (const b of reader.batches()) {
      expect(b.length).toBeGreaterThan(0);
      if (++batches === 2) break;
    }
    expect(reader.rows).toBeLessThan(200000);
  });
});

describe('whole runs: --read-thread always, never and auto print the same bytes', () => {
  it('simulate of two csv traces, of a scenario of gzip csv traces, and mrc of a lackey trace', () => {
    const runs = [
      ['simulate', 'traces/web.csv', 'traces/db.csv', '--frames', '40', '--policy', 'clock', '--format', 'json'],
      ['simulate', '--config', 'traces/three-vms/scenario.json', '--scheduler', 'weight', '--interval', '5000', '--format', 'csv'],
      ['simulate', 'traces/sqlite.lackey.gz', '--frames', '64', '--policy', 'opt', '--format', 'csv'],
      ['mrc', 'traces/gzip.lackey.gz', '--format', 'csv'],
    ];
    for (const args of runs) {
      const outs = ['always', 'never', 'auto'].map((m) => cli([...args, '--read-thread', m]));
      for (const o of outs) expect(o.status, o.stderr).toBe(0);
      expect(outs[0]!.stdout).toBe(outs[1]!.stdout);
      expect(outs[2]!.stdout).toBe(outs[1]!.stdout);
    }
  });

  it('a bad line gives the same message and exit code from the thread', () => {
    const dir = tempDir();
    const path = join(dir, 'bad.csv');
    writeFileSync(path, 'op,addr\nR,0x1000\nR,0xzz\n');
    const a = cli(['simulate', path, '--read-thread', 'always']);
    const b = cli(['simulate', path, '--read-thread', 'never']);
    expect(a.status).toBe(65);
    expect(a.stderr).toBe(b.stderr);
    expect(a.stderr).toContain('bad.csv:3: ');
    expect(cli(['simulate', path, '--read-thread', 'often']).stderr).toContain("--read-thread: must be auto, always or never, got 'often'");
  });
});
