/**
 * The CLI end to end (a spawned process): help and version, output formats (SPEC 3.1), notes,
 * colour (the docs' examples: test/docs/examples.test.ts). Bad input and exit codes (SPEC 3.3): test/robustness.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatRate } from '../../src/report/format.js';
import { BIN, CLI_TIMEOUT_MS, cli, ROOT, tempDir, tempFile } from '../helpers.js';

const ESC = '\x1b[';
const SIMULATE_HEADER =
  'vm,policy,scheduler,frames,accesses,reads,writes,hits,faults,minor_faults,major_faults,fault_rate,swap_ins,swap_outs,evictions,stolen,resident_end,resident_peak,swap_end,swap_peak,oom_kills,eat_ns';

const trace = tempFile('t.plain', 'R 0x1000\nW 0x2000\nR 0x3000\nR 0x1000\nR 0x1000\nR 0x1000\nR 0x1000\n');

describe('help and version', () => {
  it('--help, simulate --help and --version exit 0', () => {
    const help = cli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: vmmem/);
    expect(help.stdout).toMatch(/simulate/);
    const sim = cli(['simulate', '--help']);
    expect(sim.status).toBe(0);
    expect(sim.stdout).toMatch(/Usage: vmmem simulate/);
    const version = cli(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('`help simulate` exits 0', () => {
    const r = cli(['help', 'simulate']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: vmmem simulate/);
  });

  it('no arguments prints the usage on standard error and exits 64', () => {
    const r = cli([]);
    expect(r.status).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Usage: vmmem/);
  });
});

describe('output (SPEC 3.1)', () => {
  it('CSV: exactly the documented header, one row per VM then TOTAL', () => {
    const r = cli(['simulate', trace, '--format', 'csv', '--frames', '2']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(SIMULATE_HEADER);
    expect(lines.map((l) => l.split(',')[0])).toEqual(['vm', 't', 'TOTAL']);
    // 2 frames, LRU: R1 W2 R3 (evicts 1) R1 (evicts 2, dirty: swap-out) R1 R1 R1
    const row = Object.fromEntries(SIMULATE_HEADER.split(',').map((k, i) => [k, lines[1]!.split(',')[i]]));
    expect(row).toMatchObject({ policy: 'lru', scheduler: 'global', frames: '2', accesses: '7', reads: '6', writes: '1', hits: '3', faults: '4' });
    expect(row).toMatchObject({ minor_faults: '4', major_faults: '0', swap_outs: '1', evictions: '2', resident_end: '2', swap_end: '1' });
  });

  it('JSON: one document with schema vmmem/1 and the same rows', () => {
    const r = cli(['simulate', trace, '--format', 'json', '--frames', '2']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe('vmmem/1');
    expect(doc.rows.map((x: { vm: string }) => x.vm)).toEqual(['t', 'TOTAL']);
    expect(Object.keys(doc.rows[0])).toEqual(SIMULATE_HEADER.split(','));
    expect(doc.rows[0].faults).toBe(4);
  });

  it('fault_rate has at least 6 significant digits and gives back the counts', () => {
    // 7 accesses, 4 faults: 4/7 = 0.571428571...
    const r = cli(['simulate', trace, '--format', 'csv', '--frames', '2']);
    const rate = r.stdout.split('\n')[1]!.split(',')[11]!;
    expect(rate.replace(/^0\.0*/, '').length).toBeGreaterThanOrEqual(6);
    expect(Math.round(Number(rate) * 7)).toBe(4);
    expect(Math.abs(Number(rate) - 4 / 7)).toBeLessThan(1e-6);
  });

  it('formatRate gives back any count up to 2^40 accesses', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), fc.double({ min: 0, max: 1, noNaN: true }), (total, share) => {
        const count = Math.floor(share * total);
        const text = formatRate(count / total, total);
        expect(Math.round(Number(text) * total)).toBe(count);
        // at least 6 significant digits: within half a unit of the 6th digit
        expect(Math.abs(Number(text) - count / total)).toBeLessThanOrEqual((count / total) * 5e-6);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the end of a run', () => {
  // bin/vmmem.js exits as soon as standard output and error have taken everything (not when the
  // event loop drains, where Node 20 can deadlock): megabytes of output must still all arrive,
  // through a pipe whose reader is slow and into a file.
  const ACCESSES = 200000;
  const dir = tempDir();
  const big = join(dir, 'big.csv');
  const args = ['simulate', big, '--frames', '10', '--interval', '1', '--format', 'csv'];

  /** the CSV's TOTAL faults, and the series' rows and their summed faults (one row per access) */
  function check(out: string): void {
    const lines = out.trimEnd().split('\n');
    const total = lines.find((l) => l.startsWith('TOTAL,'))!.split(',');
    const start = lines.indexOf('t,vm,faults,swap_ins,swap_outs,resident');
    const series = lines.slice(start + 1);
    expect(series).toHaveLength(ACCESSES);
    expect(series[ACCESSES - 1]!.split(',')[0]).toBe(String(ACCESSES));
    expect(series.reduce((sum, l) => sum + Number(l.split(',')[2]), 0)).toBe(Number(total[8]));
  }

  beforeAll(() => {
    expect(cli(['generate', '--pattern', 'uniform', '--pages', '50', '--accesses', String(ACCESSES), '--seed', '3', '-o', big, '-q']).status).toBe(0);
  });

  it('a pipe read slowly gets every line', async () => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    child.stdout.pause();
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    // the writer fills the pipe (64 KiB) and waits while the reader sleeps
    setTimeout(() => child.stdout.resume(), 300);
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code).toBe(0);
    const out = Buffer.concat(chunks).toString('utf8');
    expect(out.length).toBeGreaterThan(1 << 20);
    check(out);
  });

  it('a file gets every line', () => {
    const file = join(dir, 'out.csv');
    const r = spawnSync('sh', ['-c', `exec "$@" > "${file}"`, 'sh', process.execPath, BIN, ...args], { encoding: 'utf8', timeout: CLI_TIMEOUT_MS, killSignal: 'SIGKILL' });
    expect(r.status).toBe(0);
    check(readFileSync(file, 'utf8'));
  });
});

describe('notes on standard error', () => {
  it('say what was skipped; --quiet silences them and nothing else', () => {
    const file = tempFile('n.lackey', '==7== Lackey\nI  00001000,4\n L 00002000,4\n');
    const loud = cli(['simulate', file, '--format', 'csv']);
    expect(loud.stderr).toBe(`vmmem: ${file}: skipped 1 instruction fetch (replay them with --ifetch)\nvmmem: ${file}: skipped 1 line that is not an access\n`);
    const quiet = cli(['simulate', file, '--format', 'csv', '--quiet']);
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe(loud.stdout);
  });
});

describe('colour', () => {
  it('a table without a terminal has no escape codes', () => {
    const r = cli(['simulate', trace]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/TOTAL/);
    expect(r.stdout).not.toContain(ESC);
  });

  it('--color forces them; --color wins over NO_COLOR (a flag beats the variable); --no-color turns them off', () => {
    expect(cli(['simulate', trace, '--color']).stdout).toContain(ESC);
    expect(cli(['simulate', trace, '--color'], { env: { NO_COLOR: '1' } }).stdout).toContain(ESC);
    expect(cli(['simulate', trace, '--no-color'], { env: { FORCE_COLOR: '1' } }).stdout).not.toContain(ESC);
  });

  it('CSV and JSON never carry escape codes', () => {
    expect(cli(['simulate', trace, '--color', '--format', 'csv']).stdout).not.toContain(ESC);
    expect(cli(['simulate', trace, '--color', '--format', 'json']).stdout).not.toContain(ESC);
  });
});
