import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadPageTrace } from '../../src/run/page-trace.js';
import { runCell, SweepPool, sweepTrace } from '../../src/run/sweep.js';
import { POLICY_NAMES } from '../../src/policies/index.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { cli, config, plainTrace, tempFile, textSource } from '../helpers.js';
import { vmmem } from './in-process.js';

const HEADER = 'trace,policy,frames,accesses,faults,major_faults,fault_rate,swap_ins,swap_outs,eat_ns,memory_bytes,oom_kills,error';
const BELADY = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];

type JsonRow = Record<string, number | string | null>;

async function json(args: string[]): Promise<{ rows: JsonRow[]; doc: Record<string, unknown> }> {
  const r = await vmmem([...args, '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout) as Record<string, unknown>;
  return { rows: doc.rows as JsonRow[], doc };
}

describe('compare', () => {
  it('prints the SPEC 3.1 columns first, one row per (trace, size, policy) in that order', async () => {
    const file = tempFile('belady.plain', plainTrace(BELADY));
    const r = await vmmem(['compare', file, '--page-size', '1', '--policies', 'lru,fifo,opt', '--frames', '4,3', '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(HEADER);
    // Textbook numbers: LRU 10 and 8, FIFO 9 and 10 (Belady's anomaly), OPT 7 and 6.
    expect(lines.slice(1).map((l) => l.split(',').slice(1, 5).join(' '))).toEqual([
      'lru 3 12 10',
      'fifo 3 12 9',
      'opt 3 12 7',
      'lru 4 12 8',
      'fifo 4 12 10',
      'opt 4 12 6',
    ]);
    expect(lines[1]!.split(',')[6]).toBe('0.833333'); // 10 / 12
  });

  it('marks the policy with the fewest faults at each size, opt being the bound', async () => {
    const file = tempFile('belady.plain', plainTrace(BELADY));
    const r = await vmmem(['compare', file, '--page-size', '1', '--policies', 'lru,fifo,opt', '--frames', '3,4', '--no-color']);
    const marked = r.stdout.split('\n').filter((l) => l.startsWith('│ * '));
    // 3 frames: FIFO 9 < LRU 10; 4 frames: LRU 8 < FIFO 10 (OPT's 7 and 6 are the bound).
    expect(marked).toHaveLength(2);
    expect(marked[0]).toMatch(/│ fifo\s+│\s+3 │/);
    expect(marked[1]).toMatch(/│ lru\s+│\s+4 │/);
    expect(r.stdout).toMatch(/opt reads the future: a bound, not marked/);
    const green = await vmmem(['compare', file, '--page-size', '1', '--policies', 'lru,fifo', '--frames', '3', '--color']);
    expect(green.stdout).toContain('\u001b[32mfifo');
    const alone = await vmmem(['compare', file, '--page-size', '1', '--policies', 'opt', '--frames', '3', '--no-color']);
    expect(alone.stdout.split('\n').filter((l) => l.startsWith('│ * '))).toHaveLength(1);
  });

  it('cells equal separate simulate runs, for every policy, on random traces (property)', async () => {
    const traceArb = fc.array(fc.tuple(fc.constantFrom('R', 'R', 'W'), fc.integer({ min: 0, max: 30 })), { minLength: 1, maxLength: 300 });
    await fc.assert(
      fc.asyncProperty(traceArb, fc.integer({ min: 1, max: 40 }), fc.constantFrom('unlimited', '8'), async (ops, frames, swap) => {
        const file = tempFile('t.plain', ops.map(([op, p]) => `${op} ${p}`).join('\n') + '\n');
        const common = ['--page-size', '1', '--swap', swap, '--seed', '7'];
        const { rows } = await json(['compare', file, ...common, '--frames', `${frames},50%`, '--jobs', '1']);
        expect(rows.length % POLICY_NAMES.length).toBe(0);
        for (const row of rows) {
          const sim = await json(['simulate', file, ...common, '--policy', String(row.policy), '--frames', String(row.frames)]);
          const total = sim.rows[sim.rows.length - 1]!;
          for (const key of ['accesses', 'faults', 'major_faults', 'fault_rate', 'swap_ins', 'swap_outs', 'eat_ns', 'oom_kills']) {
            expect(row[key], `${row.policy} ${row.frames} ${key}`).toBe(total[key]);
          }
        }
      }),
      { numRuns: 25 },
    );
  });

  it('gives the same output on worker threads as in-process', async () => {
    const args = ['compare', 'traces/zipf.csv', 'traces/web.csv', '--frames', '10%,64..256x2', '--format', 'csv'];
    const one = await vmmem([...args, '--jobs', '1']);
    const two = await vmmem([...args, '--jobs', '2']);
    expect(one.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(two.stdout.split('\n')).toHaveLength(1 + 2 * 4 * POLICY_NAMES.length + 1);
  });

  it('sizes are per trace: percentages of each footprint, repeats dropped, sorted', async () => {
    // 10 distinct pages
    const file = tempFile('ten.plain', plainTrace([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]));
    const { rows, doc } = await json(['compare', file, '--page-size', '1', '--policies', 'lru', '--frames', '50%,3,30%,1%,10%']);
    expect(rows.map((r) => r.frames)).toEqual([1, 3, 5]);
    expect((doc.traces as { distinct_pages: number }[])[0]!.distinct_pages).toBe(10);
  });

  it('a failing cell keeps its row, the others are printed, exit 3 for out of memory', async () => {
    // Two frames, no swap, every page written: the third page cannot get a frame.
    const file = tempFile('dirty.plain', 'W 1\nW 2\nW 3\nW 1\n');
    const r = await vmmem(['compare', file, '--page-size', '1', '--policies', 'lru,fifo', '--frames', '2,3', '--swap', '0', '--on-oom', 'error', '--format', 'csv']);
    expect(r.code).toBe(3);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^[^,]+,lru,2,,,,,,,,2,,"out of memory: VM 'dirty' faulted on page 0x3 at access 3, /);
    // 3 frames hold all three pages: 3 minor faults (2 us) and a hit (100 ns) = 6100 ns / 4.
    expect(lines[3]).toBe(`${file},lru,3,4,3,0,0.75,0,0,1525,3,0,`);
    expect(r.stderr).toMatch(/2 of 4 cells failed, 2 out of memory/);
  });

  it('a cell that hits a bug fails alone, in-process and on workers', async () => {
    const trace = await loadPageTrace([textSource(plainTrace(BELADY), 'plain')], DEFAULT_READ_OPTIONS, 1);
    const sweep = sweepTrace(trace, null);
    const bogus = config({ policy: 'nonesuch' as never, frames: 3 });
    expect(runCell(sweep, bogus)).toMatchObject({ ok: false, kind: 'internal' });
    const pool = new SweepPool(2);
    try {
      const results = await pool.run(sweep, [config({ policy: 'lru', frames: 3 }), bogus, config({ policy: 'fifo', frames: 3 })]);
      expect(results.map((r) => (r.ok ? r.faults : r.kind))).toEqual([10, 'internal', 9]);
    } finally {
      await pool.close();
    }
  });
});

describe('shards and merge', () => {
  const ARGS = ['compare', 'traces/zipf.csv', 'traces/web.csv', '--policies', 'lru,fifo,opt,random', '--frames', '10%,25%,64,100%', '--jobs', '1'];

  it.each(['csv', 'json', 'table'])('sharded-then-merged output is byte-identical to the unsharded %s', async (format) => {
    const whole = await vmmem([...ARGS, '--format', format]);
    expect(whole.code).toBe(0);
    for (const n of [1, 3, 7, 40]) {
      const files: string[] = [];
      for (let i = n; i >= 1; i--) {
        const shard = await vmmem([...ARGS, '--shard', `${i}/${n}`, '--format', 'json']);
        expect(shard.code, shard.stderr).toBe(0);
        files.push(tempFile(`shard-${i}.json`, shard.stdout));
      }
      const merged = await vmmem(['merge', ...files, '--format', format]);
      expect(merged.code, merged.stderr).toBe(0);
      expect(merged.stdout).toBe(whole.stdout);
    }
  });

  it('each cell is in exactly one shard', async () => {
    const whole = await json(ARGS);
    const seen: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const { rows } = await json([...ARGS, '--shard', `${i}/5`]);
      seen.push(...rows.map((r) => `${r.trace} ${r.policy} ${r.frames}`));
    }
    expect(seen.sort()).toEqual(whole.rows.map((r) => `${r.trace} ${r.policy} ${r.frames}`).sort());
  });

  it('refuses incomplete, repeated or mismatched shards and files that are not shards', async () => {
    const one = tempFile('s1.json', (await vmmem([...ARGS, '--shard', '1/2', '--format', 'json'])).stdout);
    const two = tempFile('s2.json', (await vmmem([...ARGS, '--shard', '2/2', '--format', 'json'])).stdout);
    const other = tempFile('o2.json', (await vmmem([...ARGS, '--seed', '9', '--shard', '2/2', '--format', 'json'])).stdout);
    const csv = tempFile('s.csv', (await vmmem([...ARGS, '--shard', '2/2', '--format', 'csv'])).stdout);
    const notJson = tempFile('s.json', '{ nope');
    const cases: [string[], number, RegExp][] = [
      [[one], 64, /shard 2 of 2 missing/],
      [[one, one, two], 64, /both shard 1 of 2/],
      [[one, other], 64, /other traces or options/],
      [[one, csv], 64, /s\.csv is CSV and .*s1\.json JSON: give every shard in one format/],
      [[one, notJson], 65, /not JSON/],
      [[one, '/nonexistent/shard.json'], 66, /no such file/],
    ];
    for (const [files, code, message] of cases) {
      const r = await vmmem(['merge', ...files]);
      expect(r.code, files.join(' ')).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });
});

describe('merge of CSV shards', () => {
  const ARGS = ['compare', 'traces/zipf.csv', 'traces/web.csv', '--policies', 'lru,fifo,opt,random', '--frames', '10%,25%,64,100%', '--jobs', '1'];
  const SHARD_HEADER = `${HEADER},shard,shard_data`;

  async function shards(n: number, format: 'csv' | 'json', args = ARGS): Promise<string[]> {
    const files: string[] = [];
    for (let i = n; i >= 1; i--) {
      const shard = await vmmem([...args, '--shard', `${i}/${n}`, '--format', format]);
      expect(shard.code, shard.stderr).toBe(0);
      files.push(tempFile(`shard-${i}.${format}`, shard.stdout));
    }
    return files;
  }

  it.each(['csv', 'json', 'table'])('CSV shards merge to the unsharded %s, byte for byte, and to what JSON shards merge to', async (format) => {
    const whole = await vmmem([...ARGS, '--format', format]);
    expect(whole.code).toBe(0);
    // 32 cells: with 40 shards, shards 33..40 hold none (a header alone)
    for (const n of [1, 3, 7, 40]) {
      const merged = await vmmem(['merge', ...(await shards(n, 'csv')), '--format', format]);
      expect(merged.code, merged.stderr).toBe(0);
      expect(merged.stdout).toBe(whole.stdout);
      const fromJson = await vmmem(['merge', ...(await shards(n, 'json')), '--format', format]);
      expect(merged.stdout).toBe(fromJson.stdout);
    }
  });

  it('a shard\'s CSV is compare\'s columns then shard and shard_data, so cut -f1-13 gives the unsharded rows', async () => {
    const whole = (await vmmem([...ARGS, '--format', 'csv'])).stdout.trimEnd().split('\n');
    const seen: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const lines = (await vmmem([...ARGS, '--shard', `${i}/3`, '--format', 'csv'])).stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(SHARD_HEADER);
      for (const line of lines.slice(1)) {
        const fields = line.split(',');
        seen.push(fields.slice(0, 13).join(','));
        expect(fields[13]).toBe(`${i}/3`);
        const data = JSON.parse(line.slice(line.indexOf(`,${i}/3,`) + `,${i}/3,`.length).replace(/^"|"$/g, '').replace(/""/g, '"')) as Record<string, unknown>;
        expect(Object.keys(data)).toEqual(['fault_rate', 'eat_ns', 'trace', 'config']);
        expect(data.fault_rate).toBe(Number(fields[4]) / Number(fields[3]));
      }
    }
    expect(seen.sort()).toEqual(whole.slice(1).sort());
  });

  it('a shard with no cells prints the header alone; merge takes it as one of the shards no other file is', async () => {
    // one cell (c = 0) in 3 shards: shard 1 holds it, 2 and 3 hold none
    const args = ['compare', 'traces/web.csv', '--policies', 'lru', '--frames', '10'];
    const [s3, s2, s1] = await shards(3, 'csv', args);
    expect((await vmmem(['merge', s2!])).stdout).toBe('');
    const whole = (await vmmem([...args, '--format', 'csv'])).stdout;
    expect(whole.split('\n')[1]).toMatch(/^traces\/web\.csv,lru,10,3000,/);
    expect(readFileSync(s2!, 'utf8')).toBe(`${SHARD_HEADER}\n`);
    expect(readFileSync(s3!, 'utf8')).toBe(`${SHARD_HEADER}\n`);
    expect((await vmmem(['merge', s2!, s1!, s3!, '--format', 'csv'])).stdout).toBe(whole);
    const cases: [string[], RegExp][] = [
      [[s1!, s2!], /1 of the shards 2, 3 of 3 missing \(they own no cells: their outputs are the header alone\)/],
      [[s1!], /shards 2, 3 of 3 missing \(they own no cells/],
      [[s1!, s2!, s3!, s3!], /shard-3\.csv is a CSV shard with no cells, but only 2 shards are left for such files/],
      [[s2!, s3!], /none of the files holds a cell .*the shards that have the cells are missing/],
      [[s1!, s1!, s2!], /both shard 1 of 3/],
    ];
    for (const [files, message] of cases) {
      const r = await vmmem(['merge', ...files]);
      expect(r.code, files.join(' ')).toBe(64);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });

  it('refuses missing, repeated, mismatched and mixed CSV shards (spawned): exit 64 naming the file', () => {
    const args = ['compare', 'traces/web.csv', 'traces/db.csv', '--policies', 'lru,fifo', '--frames', '8,16', '--format', 'csv'];
    const files = [1, 2, 3].map((i) => tempFile(`c${i}.csv`, cli([...args, '--shard', `${i}/3`]).stdout));
    const merged = cli(['merge', ...files, '--format', 'csv']);
    expect(merged.status, merged.stderr).toBe(0);
    expect(merged.stdout).toBe(cli(args).stdout);
    const other = tempFile('x3.csv', cli([...args, '--seed', '5', '--shard', '3/3']).stdout);
    const four = tempFile('f2.csv', cli([...args, '--shard', '2/4']).stdout);
    const json = tempFile('j3.json', cli([...args.slice(0, -1), 'json', '--shard', '3/3']).stdout);
    const plain = tempFile('whole.csv', cli(args).stdout);
    // shard 1 of 3 with its last row cut off; shard 2's rows labelled shard 3
    const cut = tempFile('cut1.csv', readFileSync(files[0]!, 'utf8').replace(/[^\n]*\n$/, ''));
    const relabelled = tempFile('r3.csv', readFileSync(files[1]!, 'utf8').replace(/,2\/3,"/g, ',3/3,"'));
    const cases: [string[], number, RegExp][] = [
      [[files[0]!, files[1]!], 64, /^vmmem: merge: shard 3 of 3 missing\n$/],
      [[...files, files[1]!], 64, /c2\.csv and .*c2\.csv are both shard 2 of 3/],
      [[files[0]!, files[1]!, other], 64, /x3\.csv comes from a compare run with other traces or options than .*c1\.csv/],
      [[files[0]!, four, files[2]!], 64, /f2\.csv is shard 2 of 4, .*c1\.csv is one of 3/],
      [[files[0]!, files[1]!, json], 64, /j3\.json is JSON and .*c1\.csv CSV/],
      [[plain], 65, /whole\.csv:1: compare CSV without the columns shard,shard_data/],
      // 2 traces x 2 sizes x 2 policies = 8 cells: c mod 3 gives shard 1 cells 0, 3, 6 (three)
      [[cut, files[1]!, files[2]!], 64, /cut1\.csv \(shard 1 of 3\) holds 2 of its 3 cells/],
      [[files[0]!, relabelled], 64, /r3\.csv holds the cell traces\/web\.csv fifo 8 frames, which is shard 2's, not 3's/],
    ];
    const help = cli(['merge', '--help']).stdout;
    expect(help).toMatch(/shard \(i\/n\) and shard_data/);
    expect(help).toMatch(/vmmem merge s\*\.csv --format csv/);
    for (const [given, code, message] of cases) {
      const r = cli(['merge', ...given]);
      expect(r.status, given.join(' ')).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(r.stdout).toBe('');
    }
  });

  it('quoted fields (a trace name with a comma) survive the round trip', async () => {
    const file = tempFile('a,b.plain', plainTrace(BELADY));
    const args = ['compare', file, '--page-size', '1', '--policies', 'lru,fifo,opt', '--frames', '3,4'];
    const whole = (await vmmem([...args, '--format', 'csv'])).stdout;
    // Belady's string: lru 10 and 8, fifo 9 and 10, opt 7 and 6 faults at 3 and 4 frames
    expect(whole.trimEnd().split('\n').slice(1).map((l) => l.split('",')[1]!.split(',').slice(0, 4).join(' '))).toEqual([
      'lru 3 12 10',
      'fifo 3 12 9',
      'opt 3 12 7',
      'lru 4 12 8',
      'fifo 4 12 10',
      'opt 4 12 6',
    ]);
    const files = [];
    for (let i = 1; i <= 2; i++) files.push(tempFile(`q${i}.csv`, (await vmmem([...args, '--shard', `${i}/2`, '--format', 'csv'])).stdout));
    expect((await vmmem(['merge', ...files, '--format', 'csv'])).stdout).toBe(whole);
  });
});

describe('compare, merge and mrc from the command line (spawned)', () => {
  it('compare: CSV header, exit codes', () => {
    const ok = cli(['compare', 'traces/zipf.csv', '--policies', 'lru,opt', '--frames', '64,128', '--format', 'csv']);
    expect(ok.status).toBe(0);
    expect(ok.stdout.split('\n')[0]).toBe(HEADER);
    expect(ok.stdout.trimEnd().split('\n')).toHaveLength(5);
    expect(cli(['compare', 'traces/nonexistent.csv']).status).toBe(66);
    const badSize = cli(['compare', 'traces/zipf.csv', '--frames', '64..128']);
    expect(badSize.status).toBe(64);
    expect(badSize.stderr).toMatch(/needs a step/);
    expect(cli(['compare', 'traces/zipf.csv', '--policies', 'lru,nope']).status).toBe(64);
    expect(cli(['compare', 'traces/zipf.csv', '--shard', '3/2']).status).toBe(64);
    expect(cli(['compare', 'traces/zipf.csv', 'traces/zipf.csv']).status).toBe(64);
    const bad = tempFile('bad.plain', 'R 1\nQ 2\n');
    const data = cli(['compare', bad]);
    expect(data.status).toBe(65);
    expect(data.stderr).toMatch(/bad\.plain:2: /);
  });

  it('merge: joins spawned shards, exit 64 when one is missing', () => {
    const args = ['compare', 'traces/web.csv', '--frames', '8,16', '--format', 'json'];
    const files = [1, 2, 3].map((i) => tempFile(`s${i}.json`, cli([...args, '--shard', `${i}/3`]).stdout));
    const merged = cli(['merge', ...files, '--format', 'csv']);
    expect(merged.status).toBe(0);
    expect(merged.stdout).toBe(cli([...args.slice(0, -2), '--format', 'csv']).stdout);
    expect(cli(['merge', files[0]!, files[2]!]).status).toBe(64);
  });

  it('mrc: CSV header and exit codes', () => {
    const ok = cli(['mrc', 'traces/zipf.csv', '--points', '5', '--format', 'csv']);
    expect(ok.status).toBe(0);
    expect(ok.stdout.split('\n')[0]).toBe('policy,frames,memory_bytes,faults,miss_ratio,major_faults,swap_ins,swap_outs,evictions,accesses,sample_rate');
    expect(ok.stdout.trimEnd().split('\n')).toHaveLength(6);
    // a policy other than lru and opt replays at each size (or is sampled); an unknown one is a usage error
    expect(cli(['mrc', 'traces/zipf.csv', '--policy', 'nope']).status).toBe(64);
    expect(cli(['mrc', 'traces/zipf.csv', '--sample-rate', '0']).status).toBe(64);
    expect(cli(['mrc', 'traces/nonexistent.csv']).status).toBe(66);
  });

  it('--help lists compare, mrc and merge', () => {
    const help = cli(['--help']);
    expect(help.status).toBe(0);
    for (const c of ['compare', 'mrc', 'merge']) expect(help.stdout).toMatch(new RegExp(`\\n\\s+${c} `));
  });
});

describe('compare --baseline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmmem-compare-baseline-'));
  const trace = join(dir, 't.csv');
  const base = join(dir, 'base.json');
  // 600 accesses cycling over 40 pages: LRU with 20 frames faults on every one of them.
  const loop = Array.from({ length: 600 }, (_, i) => `R,0x${((i % 40) * 4096).toString(16)}`);
  const args = ['compare', trace, '--policies', 'lru,fifo', '--frames', '20,40'];

  it('exits 0 on the same trace, 1 when it faults more, 64 for another configuration', () => {
    writeFileSync(trace, ['op,addr', ...loop].join('\n') + '\n');
    const saved = cli([...args, '--format', 'json']);
    expect(saved.status, saved.stderr).toBe(0);
    writeFileSync(base, saved.stdout);
    expect(cli([...args, '--baseline', base]).status).toBe(0);
    // a second pass over the loop: 600 more faults at 20 frames (the loop never fits), 0 at 40
    writeFileSync(trace, ['op,addr', ...loop, ...loop].join('\n') + '\n');
    const worse = cli([...args, '--baseline', base, '--format', 'csv']);
    expect(worse.status).toBe(1);
    expect(worse.stderr).toMatch(/policy lru, frames 20 faults 600 -> 1200/);
    expect(worse.stderr).not.toMatch(/frames 40 faults/);
    const other = cli(['compare', trace, '--policies', 'lru', '--frames', '20,40', '--baseline', base]);
    expect(other.status).toBe(64);
    expect(other.stderr).toMatch(/saved with another configuration/);
  });
});
