/**
 * Issue 13, through the spawned CLI: VMs that two files would both be, messages that say what
 * is wrong, options that have no effect, colour rules, -o, @FILE lists, tables that fit the
 * terminal, JSON inputs, merge of CSV shards, completion and the man page.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POLICY_NAMES } from '../../src/policies/index.js';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { BIN, CLI_TIMEOUT_MS, cli, ROOT, tempFile } from '../helpers.js';

const ESC = '\x1b[';

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The CLI on a pseudo-terminal (`script -qc`) of `columns` columns: standard output and
 * standard error both go to the terminal, so what comes back is both, with \r\n line ends.
 */
function pty(args: string[], opts: { env?: NodeJS.ProcessEnv; columns?: number; cwd?: string } = {}): { status: number | null; out: string } {
  // the variables go on the command itself: the shell resets COLUMNS when stty resizes the terminal
  const assignments = Object.entries(opts.env ?? {}).map(([k, v]) => shellQuote(`${k}=${v}`));
  const command = `stty cols ${opts.columns ?? 200} rows 50; exec env ${[...assignments, process.execPath, BIN, ...args].map((x, i) => (i < assignments.length ? x : shellQuote(x))).join(' ')}`;
  const r = spawnSync('script', ['-qec', command, '/dev/null'], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: 'xterm', COLUMNS: undefined, CI: undefined, ...opts.env },
    encoding: 'utf8',
    timeout: CLI_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  return { status: r.status, out: r.stdout.replace(/\r\n/g, '\n') };
}

function dir(): string {
  return tempFile('x', '').replace(/\/x$/, '');
}

describe('two files that would be one VM (SPEC 1.2)', () => {
  it('two csv files without a vm column and the same base name are refused, exit 64', () => {
    const d = dir();
    mkdirSync(join(d, 'd2'));
    writeFileSync(join(d, 'a.csv'), 'addr\n0x1000\n0x2000\n');
    writeFileSync(join(d, 'd2/a.csv'), 'addr\n0x3000\n');
    const r = cli(['simulate', 'a.csv', 'd2/a.csv'], { cwd: d });
    expect(r.status).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("vmmem: a.csv and d2/a.csv would both be VM 'a': rename one of the files\n");
  });

  it('the same csv file twice is refused', () => {
    const d = dir();
    writeFileSync(join(d, 'web.csv'), 'addr\n0x1000\n');
    const r = cli(['simulate', 'web.csv', 'web.csv'], { cwd: d });
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/would both be VM 'web'/);
  });

  it('a one-VM vmt file and a csv file of the same VM name are refused', () => {
    const d = dir();
    writeFileSync(join(d, 'web.csv'), 'addr\n0x1000\n0x2000\n');
    expect(cli(['convert', 'web.csv', 'other.vmt'], { cwd: d }).status).toBe(0);
    const r = cli(['simulate', 'other.vmt', 'web.csv'], { cwd: d });
    expect(r.status).toBe(64);
    expect(r.stderr).toBe("vmmem: other.vmt and web.csv would both be VM 'web': rename one of the files\n");
  });

  it('a file named like a VM that another file names in its vm column is refused', () => {
    const d = dir();
    writeFileSync(join(d, 'web.csv'), 'addr\n0x1000\n');
    writeFileSync(join(d, 'all.csv'), 'vm,addr\ndb,0x1000\nweb,0x2000\n');
    const r = cli(['simulate', 'all.csv', 'web.csv'], { cwd: d });
    expect(r.status).toBe(64);
    expect(r.stderr).toBe(
      "vmmem: all.csv and web.csv would both be VM 'web' (web.csv is named after its file, all.csv names it in its vm column): rename the file or the VM\n",
    );
  });

  it('files whose rows name their VMs in a vm column may contribute to one VM', () => {
    const d = dir();
    writeFileSync(join(d, 'a.csv'), 'vm,addr\nweb,0x1000\nweb,0x2000\n');
    writeFileSync(join(d, 'b.csv'), 'vm,addr\nweb,0x1000\nweb,0x3000\nweb,0x4000\n');
    const r = cli(['simulate', 'a.csv', 'b.csv', '--format', 'csv', '--frames', '8'], { cwd: d });
    expect(r.status).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => l.split(','));
    // one VM web of 2 + 3 accesses to 4 distinct pages (0x1000 twice), then TOTAL
    expect(rows.map((x) => x[0])).toEqual(['vm', 'web', 'TOTAL']);
    expect(rows[1]![4]).toBe('5');
    expect(rows[1]![8]).toBe('4');
  });
});

describe('messages that say what is wrong', () => {
  it('an integer option above 2^53 names the largest value accepted', () => {
    const d = dir();
    writeFileSync(join(d, 't.plain'), 'R 0x1\n');
    const big = '99999999999999999999';
    expect(cli(['simulate', 't.plain', '--frames', big], { cwd: d }).stderr).toBe(`vmmem: --frames: at most 2147483647, got ${big}\n`);
    expect(cli(['simulate', 't.plain', '--translation', 'nested', '--tlb', big], { cwd: d }).stderr).toBe(`vmmem: --tlb: at most 1048576, got ${big}\n`);
    const pages = cli(['generate', '--pages', big, '-o', join(d, 'g.csv')]);
    expect(pages.status).toBe(64);
    expect(pages.stderr).toBe(`vmmem: --pages: at most ${2 ** 53 - 1}, got ${big}\n`);
    const seed = cli(['simulate', 't.plain', '--seed', big], { cwd: d });
    expect(seed.status).toBe(64);
    expect(seed.stderr).toBe(`vmmem: --seed: at most ${2 ** 53 - 1}, got ${big}\n`);
  });

  it('compare --policies names --policies, not --policy', () => {
    const d = dir();
    writeFileSync(join(d, 't.plain'), 'R 0x1\n');
    const r = cli(['compare', 't.plain', '--policies', 'lru,nope'], { cwd: d });
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/^vmmem: --policies: unknown policy 'nope'/);
  });

  it('a misspelt --config key suggests the nearest key', () => {
    const f = tempFile('s.json', JSON.stringify({ swapiness: 1 }));
    const near = tempFile('s.json', JSON.stringify({ 'page-size': '4KiB' }));
    const vm = cli(['simulate', '--vm', 'name=a,trace=x.plain,wieght=2']);
    expect(vm.status).toBe(64);
    expect(vm.stderr).toMatch(/^vmmem: --vm\[0\]\.wieght: unknown key, did you mean 'weight'\? \(keys: /);
    const r = cli(['simulate', '--config', near]);
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/: page-size: unknown key, did you mean 'page_size'\? \(keys: /);
    // nothing near: no suggestion
    expect(cli(['simulate', '--config', f]).stderr).toMatch(/: swapiness: unknown key \(keys: /);
  });
});

describe('options that would have no effect are refused (exit 64)', () => {
  const d = dir();
  writeFileSync(join(d, 't.plain'), 'R 0x1\n');
  const cases: [string[], string][] = [
    [['--tlb', '16'], '--tlb: applies with --translation only'],
    [['--tlb-ways', '2'], '--tlb-ways: applies with --translation only'],
    [['--levels', '5'], '--levels: applies with --translation only'],
    [['--guest-levels', '5'], '--guest-levels: applies with --translation only'],
    [['--host-levels', '5'], '--host-levels: applies with --translation only'],
    [['--guest-page', '2MiB'], '--guest-page: applies with --translation only'],
    [['--guest-alloc', 'random'], '--guest-alloc: applies with --translation only'],
    // without --guest-alloc random, --guest-memory means two levels of memory, where the SPEC leaves translation undefined
    [
      ['--translation', 'nested', '--guest-memory', '1MiB'],
      "--translation with two levels of memory (memory=, --guest-memory) is not defined: SPEC 2.3 maps a guest-virtual page to a guest-physical page once, at its first touch, where at two levels (2.7) the guest pager moves pages between guest frames on every guest fault, and 2.3's remap (a page back from swap in another frame) does not say which of the two swaps counts",
    ],
    [['--ksm-pages', '5'], '--ksm-pages: applies with --dedup ksm only'],
    [['--ksm-interval', '5'], '--ksm-interval: applies with --dedup ksm only'],
    [['--compaction'], '--compaction: applies with --host-page only'],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), () => {
      const r = cli(['simulate', 't.plain', ...args], { cwd: d });
      expect(r.status).toBe(64);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`vmmem: ${message}\n`);
    });
  }

  it('an explicit --translation none or --dedup off accepts them (a loop over the modes)', () => {
    expect(cli(['simulate', 't.plain', '--translation', 'none', '--tlb', '16'], { cwd: d }).status).toBe(0);
    expect(cli(['simulate', 't.plain', '--dedup', 'off', '--ksm-pages', '5'], { cwd: d }).status).toBe(0);
  });

  it('a scenario file that sets --tlb with translation is accepted, without it refused', () => {
    const t = join(d, 't.plain');
    const on = tempFile('on.json', JSON.stringify({ translation: 'nested', tlb: 16, vms: [{ name: 'a', trace: t }] }));
    const off = tempFile('off.json', JSON.stringify({ tlb: 16, vms: [{ name: 'a', trace: t }] }));
    expect(cli(['simulate', '--config', on]).status).toBe(0);
    const r = cli(['simulate', '--config', off]);
    expect(r.status).toBe(64);
    expect(r.stderr).toBe('vmmem: --tlb: applies with --translation only\n');
  });
});

describe('no command, and commander errors', () => {
  it('vmmem alone prints the usage on standard error and exits 64', () => {
    const r = cli([]);
    expect(r.status).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: vmmem /);
  });

  it("every line of commander's errors starts with vmmem:", () => {
    const r = cli(['simulate', '--fram', '3']);
    expect(r.status).toBe(64);
    expect(r.stderr).toBe("vmmem: unknown option '--fram'\nvmmem: (Did you mean --frames?)\n");
    const missing = cli(['simulate', '--frames']);
    expect(missing.stderr).toBe("vmmem: option '-f, --frames <n>' argument missing\n");
  });
});

describe('colour (no-color.org, FORCE_COLOR, TERM=dumb)', () => {
  const d = dir();
  writeFileSync(join(d, 't.plain'), 'R 0x1\nW 0x2\n');
  const sim = ['simulate', join(d, 't.plain')];

  it('on a terminal the table is coloured; NO_COLOR turns it off', () => {
    expect(pty(sim).out).toContain(ESC);
    expect(pty(sim, { env: { NO_COLOR: '1' } }).out).not.toContain(ESC);
  });

  it('--color wins over NO_COLOR, on a terminal and in a pipe', () => {
    expect(pty([...sim, '--color'], { env: { NO_COLOR: '1' } }).out).toContain(ESC);
    expect(cli([...sim, '--color'], { env: { NO_COLOR: '1' } }).stdout).toContain(ESC);
  });

  it('FORCE_COLOR colours a pipe (and beats NO_COLOR); FORCE_COLOR=0 turns a terminal off', () => {
    expect(cli(sim, { env: { FORCE_COLOR: '1', TERM: 'xterm' } }).stdout).toContain(ESC);
    expect(cli(sim, { env: { FORCE_COLOR: '1', NO_COLOR: '1', TERM: 'xterm' } }).stdout).toContain(ESC);
    expect(pty(sim, { env: { FORCE_COLOR: '0' } }).out).not.toContain(ESC);
  });

  it('TERM=dumb: no escape codes at all on a terminal, even with FORCE_COLOR', () => {
    expect(pty(sim, { env: { TERM: 'dumb' } }).out).not.toContain('\x1b');
    expect(pty(sim, { env: { TERM: 'dumb', FORCE_COLOR: '1' } }).out).not.toContain('\x1b');
    expect(pty(['mrc', join(d, 't.plain')], { env: { TERM: 'dumb' } }).out).not.toContain('\x1b');
  });
});

describe('-o, --output FILE on every command (SPEC 3.2a)', () => {
  it('every command declares -o, --output', async () => {
    const { buildProgram } = await import('../../src/cli/main.js');
    const { processIo } = await import('../../src/cli/io.js');
    for (const cmd of buildProgram(processIo()).commands) {
      if (cmd.name() === 'completion') continue; // prints a shell script, not a result
      expect(cmd.options.find((o) => o.long === '--output')?.short, cmd.name()).toBe('-o');
    }
  });

  it('writes what standard output would show, the format from the name; nothing on standard output', () => {
    const d = dir();
    writeFileSync(join(d, 't.plain'), 'R 0x1000\nW 0x2000\nR 0x1000\n');
    for (const [command, name, format] of [
      ['simulate', 'r.csv', 'csv'],
      ['simulate', 'r.json', 'json'],
      ['simulate', 'r.txt', 'table'],
      ['mrc', 'm.csv', 'csv'],
      ['compare', 'c.json', 'json'],
      ['inspect', 'i.csv', 'csv'],
    ] as const) {
      const piped = cli([command, 't.plain', '--format', format], { cwd: d });
      const r = cli([command, 't.plain', '-o', name], { cwd: d });
      expect(r.status, `${command} -o ${name}`).toBe(0);
      expect(r.stdout).toBe('');
      expect(readFileSync(join(d, name), 'utf8')).toBe(piped.stdout);
    }
    // --format wins over the name
    expect(cli(['simulate', 't.plain', '--format', 'csv', '-o', 'x.json'], { cwd: d }).status).toBe(0);
    expect(readFileSync(join(d, 'x.json'), 'utf8')).toMatch(/^vm,policy,/);
  });

  it('a failed run leaves the file as it was and no temporary file behind', () => {
    const d = dir();
    writeFileSync(join(d, 'bad.plain'), 'R 0x1\nQ zz\n');
    writeFileSync(join(d, 'out.csv'), 'old\n');
    const r = cli(['simulate', 'bad.plain', '-o', 'out.csv'], { cwd: d });
    expect(r.status).toBe(65);
    expect(readFileSync(join(d, 'out.csv'), 'utf8')).toBe('old\n');
    expect(readdirSync(d).sort()).toEqual(['bad.plain', 'out.csv', 'x']);
  });

  it('exit 73 when the file cannot be written, before the run', () => {
    const d = dir();
    writeFileSync(join(d, 't.plain'), 'R 0x1\n');
    const r = cli(['simulate', 't.plain', '-o', 'no/such/dir/r.csv'], { cwd: d });
    expect(r.status).toBe(73);
    expect(r.stderr).toBe('vmmem: --output: cannot write no/such/dir/r.csv (its directory does not exist)\n');
    const isDir = cli(['simulate', 't.plain', '-o', '.'], { cwd: d });
    expect(isDir.status).toBe(73);
    expect(isDir.stderr).toBe('vmmem: --output: . is a directory\n');
  });

  it('convert -o OUT takes every path as an input', () => {
    const d = dir();
    writeFileSync(join(d, 'a.plain'), 'R 0x1000\n');
    writeFileSync(join(d, 'b.plain'), 'W 0x2000\n');
    const r = cli(['convert', 'a.plain', 'b.plain', '-o', 'ab.csv'], { cwd: d });
    expect(r.status).toBe(0);
    expect(readFileSync(join(d, 'ab.csv'), 'utf8')).toBe('op,addr,size,vm\nR,0x1000,1,a\nW,0x2000,1,b\n');
  });
});

describe('JSON config carries the version and the inputs', () => {
  it('simulate: version from package.json, each input with its detected format', () => {
    const d = dir();
    writeFileSync(join(d, 'a.plain'), 'R 0x1\n');
    writeFileSync(join(d, 'b'), 'op,addr\nR,0x1000\n'); // no extension: csv told by content
    writeFileSync(join(d, 'c.csv.gz'), gzipSync('addr\n0x2000\n'));
    const r = cli(['simulate', 'a.plain', 'b', 'c.csv.gz', '--format', 'json'], { cwd: d });
    expect(r.status, r.stderr).toBe(0);
    const config = JSON.parse(r.stdout).config;
    expect(config.version).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    expect(config.inputs).toEqual([
      { path: 'a.plain', format: 'plain', gzip: false },
      { path: 'b', format: 'csv', gzip: false },
      { path: 'c.csv.gz', format: 'csv', gzip: true },
    ]);
    // the two new members come last: the members before them are as they were
    expect(Object.keys(config).slice(-2)).toEqual(['version', 'inputs']);
  });

  it('a baseline saved elsewhere (other paths) still compares', () => {
    const d = dir();
    writeFileSync(join(d, 'a.plain'), 'R 0x1\nR 0x2\n');
    mkdirSync(join(d, 'sub'));
    writeFileSync(join(d, 'sub/a.plain'), 'R 0x1\nR 0x2\n');
    expect(cli(['simulate', 'a.plain', '-o', 'base.json'], { cwd: d }).status).toBe(0);
    const r = cli(['simulate', 'sub/a.plain', '--baseline', 'base.json'], { cwd: d });
    expect(r.status, r.stderr).toBe(0);
  });

  it('merge of compare shards gives what the unsharded compare gives, inputs included', () => {
    const d = dir();
    writeFileSync(join(d, 'a.plain'), 'R 0x1000\nR 0x2000\nR 0x1000\n');
    writeFileSync(join(d, 'b.plain'), 'W 0x1000\nR 0x3000\n');
    const args = ['compare', 'a.plain', 'b.plain', '--frames', '1,2', '--policies', 'lru,fifo', '--format', 'json'];
    const whole = cli(args, { cwd: d });
    for (const i of [1, 2, 3]) expect(cli([...args, '--shard', `${i}/3`, '-o', `s${i}.json`], { cwd: d }).status).toBe(0);
    const merged = cli(['merge', 's1.json', 's2.json', 's3.json', '--format', 'json'], { cwd: d });
    expect(merged.status, merged.stderr).toBe(0);
    expect(merged.stdout).toBe(whole.stdout);
  });
});

describe('@FILE lists (one item a line)', () => {
  it('simulate --vm @FILE with 10,000 VMs, past the argument limit of a shell', () => {
    const d = dir();
    const n = 10_000;
    // 3 accesses of each VM, to pages 0, 1, 0 of its own
    writeFileSync(join(d, 'all.csv'), 'vm,addr\n' + [0, 1, 0].map((p) => Array.from({ length: n }, (_, i) => `v${i},${p * 4096}\n`).join('')).join(''));
    writeFileSync(join(d, 'decl.txt'), Array.from({ length: n }, (_, i) => `name=v${i},weight=2`).join('\n') + '\n');
    const r = cli(['simulate', 'all.csv', '--vm', '@decl.txt', '--frames', '100000', '--format', 'csv', '-q'], { cwd: d });
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows).toHaveLength(1 + n + 1); // header, the VMs, TOTAL
    const total = rows.at(-1)!.split(',');
    expect([total[4], total[8]]).toEqual([String(3 * n), String(2 * n)]); // accesses, faults
  });

  it('generate --vms @FILE', () => {
    const d = dir();
    writeFileSync(join(d, 'vms.txt'), 'a:scan\nb:scan\nc:loop\n');
    const g = cli(['generate', '--vms', '@vms.txt', '--pages', '2', '--accesses', '3', '-o', 'g.csv', '-q', '--format', 'csv'], { cwd: d });
    expect(g.status, g.stderr).toBe(0);
    expect(g.stdout.trim().split('\n').map((l) => l.split(',')[0])).toEqual(['vm', 'a', 'b', 'c']);
  });

  it('trace arguments and comma lists from @FILE; comments and blank lines skipped; a missing one is exit 66', () => {
    const d = dir();
    writeFileSync(join(d, 'a.plain'), 'R 0x1000\n');
    writeFileSync(join(d, 'b.plain'), 'R 0x2000\nR 0x3000\n');
    writeFileSync(join(d, 'traces.txt'), '# the two VMs\na.plain\n\nb.plain\n');
    writeFileSync(join(d, 'policies.txt'), 'lru\nfifo\n');
    const sim = cli(['simulate', '@traces.txt', '--format', 'csv'], { cwd: d });
    expect(sim.stdout.trim().split('\n').map((l) => l.split(',')[0])).toEqual(['vm', 'a', 'b', 'TOTAL']);
    const cmp = cli(['compare', 'a.plain', '--policies=@policies.txt', '--frames', '1', '--format', 'csv'], { cwd: d });
    expect(cmp.stdout.trim().split('\n').map((l) => l.split(',')[1])).toEqual(['policy', 'lru', 'fifo']);
    const missing = cli(['simulate', '@nope.txt'], { cwd: d });
    expect(missing.status).toBe(66);
    expect(missing.stderr).toBe('vmmem: @nope.txt: no such file\n');
  });
});

describe('tables that fit the terminal; --wide; --columns in every format', () => {
  const d = dir();
  writeFileSync(join(d, 'web.plain'), 'R 0x1000\nW 0x2000\nR 0x1000\n');
  writeFileSync(join(d, 'db.plain'), 'R 0x1000\n');
  const sim = ['simulate', join(d, 'web.plain'), join(d, 'db.plain'), '--no-color'];
  const tableLines = (out: string): string[] => out.split('\n').filter((l) => /^[┌│├└]/.test(l));

  it('on an 80-column terminal every table line fits, and standard error names the columns left out', () => {
    const r = pty(sim, { columns: 80 });
    expect(r.status).toBe(0);
    const lines = tableLines(r.out);
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    expect(lines[1]).toMatch(/^│ vm +│ accesses +│ hits +│ faults/); // the most useful first
    expect(r.out).toMatch(/vmmem: \d+ columns left out to fit 80 columns: [a-z_, ]*eat_ns \(--wide shows all, --columns LIST chooses\)/);
  });

  it('COLUMNS sets the width; --wide prints every column and no note', () => {
    const narrow = pty(sim, { columns: 200, env: { COLUMNS: '60' } });
    for (const l of tableLines(narrow.out)) expect([...l].length).toBeLessThanOrEqual(60);
    const wide = pty([...sim, '--wide'], { columns: 80 });
    expect(Math.max(...tableLines(wide.out).map((l) => [...l].length))).toBeGreaterThan(80);
    expect(wide.out).toMatch(/│ +EAT ns │/);
    expect(wide.out).not.toMatch(/left out/);
  });

  it('in a pipe the table is whole, as before', () => {
    const r = cli(sim);
    expect(r.stderr).toBe('');
    expect(Math.max(...tableLines(r.stdout).map((l) => [...l].length))).toBeGreaterThan(80);
  });

  it('--columns chooses columns and their order in CSV, JSON and the table', () => {
    const csv = cli([...sim, '--format', 'csv', '--columns', 'faults,vm,fault_rate']);
    // web: 3 accesses, 2 faults; db: 1 access, 1 fault; TOTAL 4 accesses, 3 faults
    expect(csv.stdout).toBe('faults,vm,fault_rate\n2,web,0.666667\n1,db,1\n3,TOTAL,0.75\n');
    const json = JSON.parse(cli([...sim, '--format', 'json', '--columns', 'faults,vm']).stdout);
    expect(json.rows).toEqual([
      { faults: 2, vm: 'web' },
      { faults: 1, vm: 'db' },
      { faults: 3, vm: 'TOTAL' },
    ]);
    expect(Object.keys(json.rows[0])).toEqual(['faults', 'vm']);
    const table = cli([...sim, '--columns', 'swap_peak,vm']);
    expect(tableLines(table.stdout)[1]).toMatch(/^│ swap_peak │ vm +│$/);
    const bad = cli([...sim, '--columns', 'vm,fualts']);
    expect(bad.status).toBe(64);
    expect(bad.stderr).toMatch(/^vmmem: --columns: no column 'fualts', did you mean 'faults'\? \(columns: vm, policy, /);
  });
});

describe('thousands separators: in tables only, never in CSV or JSON', () => {
  // pages 0..1233 read once each, then page 0 again, with room for all: 1235 accesses, 1234
  // (minor) faults, 1 hit, 1234 pages resident; fault rate 1234 / 1235 = 99.92%
  const d = dir();
  const lines: string[] = [];
  for (let p = 0; p < 1234; p++) lines.push(`R ${p}`);
  lines.push('R 0');
  writeFileSync(join(d, 'many.plain'), `${lines.join('\n')}\n`);
  const sim = ['simulate', join(d, 'many.plain'), '--page-size', '1', '--frames', '2000', '--no-color'];
  const tableLines = (out: string): string[] => out.split('\n').filter((l) => /^[┌│├└]/.test(l));
  const cellsOf = (line: string): string[] => line.split('│').slice(1, -1).map((c) => c.trim());

  it('the table groups counts with commas; the fault rate and EAT stay decimals', () => {
    const r = cli([...sim, '--columns', 'vm,frames,accesses,hits,faults,minor_faults,fault_rate,resident_end,eat_ns']);
    expect(r.status, r.stderr).toBe(0);
    const [head, many] = tableLines(r.stdout).filter((l) => l.startsWith('│'));
    expect(cellsOf(head!)).toEqual(['vm', 'frames', 'accesses', 'hits', 'faults', 'minor', 'fault rate', 'resident', 'EAT ns']);
    const cells = cellsOf(many!);
    expect(cells.slice(0, 8)).toEqual(['many', '2,000', '1,235', '1', '1,234', '1,234', '99.92%', '1,234']);
    expect(cells[8]).toMatch(/^\d+(\.\d+)?$/);
  });

  it('CSV and JSON print the same counts without separators', () => {
    const csv = cli([...sim, '--format', 'csv', '--columns', 'vm,frames,accesses,hits,faults,resident_end']);
    expect(csv.stdout).toBe('vm,frames,accesses,hits,faults,resident_end\nmany,2000,1235,1,1234,1234\nTOTAL,2000,1235,1,1234,1234\n');
    const json = JSON.parse(cli([...sim, '--format', 'json']).stdout);
    expect(json.rows[0]).toMatchObject({ vm: 'many', accesses: 1235, hits: 1, faults: 1234, resident_end: 1234 });
    expect(cli([...sim, '--format', 'json']).stdout).not.toMatch(/\d,\d{3}/);
  });

  it('fitting measures the wider cells: on a 60- and an 80-column terminal every line fits', () => {
    for (const columns of [60, 80]) {
      const r = pty(sim, { columns });
      expect(r.status).toBe(0);
      const table = tableLines(r.out);
      for (const l of table) expect([...l].length).toBeLessThanOrEqual(columns);
      const shown = cellsOf(table[1]!);
      expect(cellsOf(table[3]!).slice(0, 4)).toEqual(['many', '1,235', '1', '1,234']);
      // the note counts exactly the columns not shown (the table has 16 with headings)
      const note = /vmmem: (\d+) columns? left out to fit \d+ columns: ([a-z_, ]+) \(--wide/.exec(r.out);
      expect(note).not.toBeNull();
      expect(Number(note![1]) + shown.length).toBe(16);
    }
  });
});

describe('completion scripts and the man page, from the commander definitions', () => {
  const program = async () => {
    const { buildProgram } = await import('../../src/cli/main.js');
    const { processIo } = await import('../../src/cli/io.js');
    return buildProgram(processIo());
  };

  it('bash: every command and every option of every command; policy names after --policy', async () => {
    const r = cli(['completion', 'bash']);
    expect(r.status).toBe(0);
    for (const c of (await program()).commands) {
      if (c.name() === 'help') continue;
      expect(r.stdout, c.name()).toMatch(new RegExp(`^    ${c.name()}\\)$`, 'm'));
      for (const o of c.options) expect(r.stdout, `${c.name()} ${o.long}`).toContain(o.long!);
    }
    const d = dir();
    writeFileSync(join(d, 'c.bash'), r.stdout);
    writeFileSync(join(d, 'web.csv'), 'addr\n0x1\n');
    const complete = (words: string[]): string => {
      const script = `source c.bash; COMP_WORDS=(${words.map(shellQuote).join(' ')}); COMP_CWORD=${words.length - 1}; _vmmem; echo "\${COMPREPLY[*]}"`;
      return spawnSync('bash', ['-c', script], { cwd: d, encoding: 'utf8' }).stdout.trim();
    };
    expect(complete(['vmmem', 'sim'])).toBe('simulate');
    expect(complete(['vmmem', 'simulate', '--pol'])).toBe('--policy');
    expect(complete(['vmmem', 'compare', 'x', '--policies', 'l']).split(' ').sort()).toEqual(POLICY_NAMES.filter((p) => p.startsWith('l')).sort());
    expect(complete(['vmmem', 'simulate', '--scheduler', 'w'])).toBe('weight');
    expect(complete(['vmmem', 'simulate', 'we'])).toBe('web.csv'); // trace file names
  });

  it('zsh wraps the bash function; fish names every command and option; an unknown shell is exit 64', async () => {
    const zsh = cli(['completion', 'zsh']);
    expect(zsh.stdout).toMatch(/^#compdef vmmem\n/);
    expect(zsh.stdout).toContain('bashcompinit');
    const fish = cli(['completion', 'fish']);
    expect(fish.status).toBe(0);
    for (const c of (await program()).commands) {
      if (c.name() === 'help') continue;
      expect(fish.stdout).toContain(`-a ${c.name()} -d`);
      for (const o of c.options) expect(fish.stdout, `${c.name()} ${o.long}`).toContain(`__fish_seen_subcommand_from ${c.name()}' -l ${o.long!.slice(2)}`);
    }
    const bad = cli(['completion', 'tcsh']);
    expect(bad.status).toBe(64);
    expect(bad.stderr).toBe("vmmem: completion: unknown shell 'tcsh' (one of bash, zsh, fish)\n");
  });

  it('man/vmmem.1 is built, shipped ("man" in package.json), and shows every command and option', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.man).toBe('./man/vmmem.1');
    expect(pkg.files).toContain('man');
    const page = spawnSync('man', ['-l', join(ROOT, 'man/vmmem.1')], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '200', MAN_KEEP_FORMATTING: '', PAGER: 'cat' } });
    expect(page.status).toBe(0);
    // eslint-disable-next-line no-control-regex -- meant: man's bold is a character, backspace, the character
    const text = page.stdout.replace(/.\x08/g, '');
    for (const c of (await program()).commands) {
      if (c.name() === 'help') continue;
      expect(text).toContain(`vmmem ${c.name()} [options]`);
      for (const o of c.options) expect(text, `${c.name()} ${o.flags}`).toContain(o.flags);
    }
  });
});
