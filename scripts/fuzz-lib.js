// The fuzzer's cases and checks, shared by `npm run fuzz` (scripts/fuzz.js, a worker thread) and
// the bounded run in `npm test` (test/robustness/fuzz.test.ts). It runs the built CLI's main()
// in-process (dist/, so build first) on mutated windows of the shipped traces.
//
// A case is one mutated input file (sometimes two) and the commands run on it:
//   - simulate, with random engine options, and now and then --translation, --dedup,
//     --host-page, a scheduler with --vm parameters, --interval;
//   - inspect;
//   - convert to a temporary file, and then the round trip: simulate IN and simulate OUT must
//     print the same CSV (a conversion neither loses nor invents an access);
//   - now and then generate (random options) and diff / --baseline on a mutated JSON result.
// Each run must end with a documented exit code, without a stack trace, with a one-line
// `vmmem: ...` message when it fails, and with nothing on standard output when it fails.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Exit codes README "Exit codes" documents (1 is only for baseline checks; 70 is a bug). */
export const DOCUMENTED = new Set([0, 1, 3, 64, 65, 66, 73]);

/** vmmem's own mulberry32 (dist/: the fuzzer runs the built CLI) */
import { mulberry32 as rng } from '../dist/rng.js';

export { rng };

/** Every trace file under traces/, recursively (not READMEs, scenarios or scripts). */
function shippedTraces(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...shippedTraces(path));
    else if (!/\.(md|json|mjs|js)$/.test(name)) out.push(path);
  }
  return out;
}

function quietIo() {
  let stdout = '';
  let stderr = '';
  return {
    io: { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stdoutIsTty: false, stderrIsTty: false, env: {} },
    out: () => ({ stdout, stderr }),
  };
}

/**
 * The seeds: the shipped traces (decompressed), and the same accesses in the formats no trace
 * is shipped in: plain, din, csv with a time column, vmt (address and paged records, with time).
 */
export async function loadSeeds(work) {
  const { main } = await import(join(ROOT, 'dist', 'cli', 'main.js'));
  const { VmtPagedWriter, vmtHeader } = await import(join(ROOT, 'dist', 'trace', 'vmt.js'));
  const { RowBatch } = await import(join(ROOT, 'dist', 'trace', 'rows.js'));
  const seeds = [];
  const add = (name, ext, bytes, vmNames = []) =>
    seeds.push({ name, ext, bytes, lines: ext === 'vmt' ? null : bytes.toString('latin1').split('\n'), vmNames, ...(ext === 'vmt' ? vmtLayout(bytes) : {}) });
  for (const path of shippedTraces(join(ROOT, 'traces'))) {
    let bytes = readFileSync(path);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
    const ext = basename(path).replace(/\.gz$/, '').split('.').pop();
    // lackey: its first 20000 lines are plenty (the whole of ls is 700 000)
    if (ext === 'lackey') bytes = Buffer.from(bytes.toString('latin1').split('\n').slice(0, 20000).join('\n') + '\n', 'latin1');
    const vmNames = ext === 'csv' && /^vm,/.test(bytes.toString('latin1', 0, 10)) ? [...new Set(bytes.toString('latin1').split('\n').slice(1, 2000).map((l) => l.split(',')[0]).filter(Boolean))] : [];
    add(path.slice(ROOT.length + 1), ext, bytes, vmNames);
  }
  // The same accesses as plain, din and a timed two-VM csv.
  const web = readFileSync(join(ROOT, 'traces', 'web.csv'), 'latin1').trim().split('\n').slice(1, 1500);
  const db = readFileSync(join(ROOT, 'traces', 'db.csv'), 'latin1').trim().split('\n').slice(1, 1500);
  add('web.plain', 'plain', Buffer.from(web.map((l) => l.replace(',', ' ')).join('\n') + '\n'));
  add('web.din', 'din', Buffer.from(web.map((l) => `${l[0] === 'W' ? 1 : 0} ${l.slice(4)}`).join('\n') + '\n'));
  const timed = ['time,vm,op,addr,size'];
  for (let i = 0; i < web.length; i++) {
    timed.push(`${2 * i},web,${web[i]},${1 + (i % 9)}`);
    if (db[i]) timed.push(`${2 * i + 1},db,${db[i]},8`);
  }
  add('timed.csv', 'csv', Buffer.from(timed.join('\n') + '\n'), ['web', 'db']);
  // vmt: converted by vmmem itself (address records, with and without time) ...
  mkdirSync(work, { recursive: true });
  const timedCsv = join(work, 'timed.csv');
  writeFileSync(timedCsv, timed.join('\n') + '\n');
  for (const [name, inputs] of [
    ['two.vmt', [join(ROOT, 'traces', 'web.csv'), join(ROOT, 'traces', 'db.csv')]],
    ['timed.vmt', [timedCsv]],
  ]) {
    const out = join(work, name);
    const q = quietIo();
    const code = await main(['convert', ...inputs, out, '-q'], q.io);
    if (code !== 0) throw new Error(`fuzz seeds: convert to ${name} failed: ${q.out().stderr}`);
    add(name, 'vmt', readFileSync(out), ['web', 'db']);
  }
  // ... and paged records at 4 KiB pages (vmt.ts's paged writer).
  const batch = new RowBatch(web.length);
  for (const l of web) batch.push(l[0] === 'W' ? 1 : 0, 0, 0, parseInt(l.slice(4), 16) >>> 0, 1, NaN, 0);
  const paged = new VmtPagedWriter(false, 12);
  add('paged.vmt', 'vmt', Buffer.concat([vmtHeader(['web'], false, 12), paged.encode(batch)]), ['web']);
  return seeds;
}

/** Where a (well-formed) vmt file's records start, and their size (README "vmt"). */
function vmtLayout(bytes) {
  const flags = bytes.readUInt32LE(8);
  let at = 16;
  const skipNames = (n) => {
    for (let i = 0; i < n; i++) at += 2 + bytes.readUInt16LE(at);
  };
  skipNames(bytes.readUInt32LE(12));
  if (flags & 4) {
    const tokens = bytes.readUInt32LE(at);
    at += 4;
    skipNames(tokens);
  }
  return { headerLength: Math.ceil(at / 8) * 8, recordSize: (flags & 1 ? 24 : 16) + (flags & 4 ? 8 : 0) };
}

const HUGE = ['0xffffffffffffffff', '0x10000000000000000', '18446744073709551615', '18446744073709551616', '99999999999999999999', '-1', '1e308', 'NaN', '0x', '4294967296', '9007199254740993', '0', '-0', '0x0', ''];

/** The generator of case `index` of a run seeded `seed`: any case can be rerun alone. */
export function caseRandom(seed, index) {
  return rng((Math.imul(seed, 0x9e3779b9) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
}

/** One case: the input file(s) and the runs, all decided by `random` (reproducible by index). */
export function makeCase(seeds, work, index, random, names) {
  const int = (n) => Math.floor(random() * n);
  const pick = (xs) => xs[int(xs.length)];
  const chance = (p) => random() < p;

  const window = (s) => {
    if (!s.lines) {
      // vmt: the header and a run of whole records from somewhere in the file (paged files
      // need their PAGE records: from the start, now and then)
      const records = (s.bytes.length - s.headerLength) / s.recordSize;
      const first = chance(0.3) ? 0 : int(records);
      const count = 1 + int(chance(0.02) ? 20000 : 100);
      const from = s.headerLength + first * s.recordSize;
      return Buffer.concat([s.bytes.subarray(0, s.headerLength), s.bytes.subarray(from, from + count * s.recordSize)]);
    }
    const head = s.ext === 'csv' ? [s.lines[0]] : [];
    const big = chance(0.02);
    const length = 1 + int(big ? 20000 : 200);
    const start = 1 + int(Math.max(1, s.lines.length - length));
    return Buffer.from([...head, ...s.lines.slice(start, start + length)].join('\n') + (chance(0.8) ? '\n' : ''), 'latin1');
  };

  const mutate = (buf, s) => {
    let b = Buffer.from(buf);
    const rounds = chance(0.15) ? 2 + int(3) : 1;
    for (let r = 0; r < rounds; r++) {
      const text = () => b.toString('latin1');
      switch (int(14)) {
        case 0: // bit flips
          for (let k = 0, n = 1 + int(8); k < n && b.length; k++) b[int(b.length)] ^= 1 << int(8);
          break;
        case 1: // truncation
          b = b.subarray(0, int(b.length + 1));
          break;
        case 2: { // splice with another seed's window
          const other = window(pick(seeds));
          b = Buffer.concat([b.subarray(0, int(b.length + 1)), other.subarray(int(other.length + 1))]);
          break;
        }
        case 3: { // a huge or odd number in place of some number
          const t = text();
          const tokens = [...t.matchAll(/0x[0-9a-fA-F]+|\b\d+\b/g)];
          if (tokens.length) {
            const m = pick(tokens);
            b = Buffer.from(t.slice(0, m.index) + pick(HUGE) + t.slice(m.index + m[0].length), 'latin1');
          }
          break;
        }
        case 4: // random bytes
          b = Buffer.concat([b.subarray(0, int(b.length + 1)), Buffer.from(Array.from({ length: 1 + int(64) }, () => int(256))), b.subarray(int(b.length + 1))]);
          break;
        case 5: // a very long line (up to 1 MB now and then)
          b = Buffer.concat([b, Buffer.from(pick(['R,', 'R 0x', ' L ', '0 ', '']) + pick(['1', 'f', 'x', ',']).repeat(1 + int(chance(0.1) ? 1 << 20 : 5000)) + '\n')]);
          break;
        case 6: // quotes, CRs, BOMs, commas, NULs
          b = Buffer.from(text().replace(/,|\n/g, (c) => (random() < 0.05 ? pick(['"', '\r\n', '\uFEFF', ',,', c + '"x"', '\0', '#']) : c)), 'latin1');
          break;
        case 7: // CRLF line ends and a BOM: the same accesses
          b = Buffer.concat([chance(0.5) ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text().replace(/\n/g, '\r\n'), 'latin1')]);
          break;
        case 8: { // lines deleted, repeated or swapped
          const lines = text().split('\n');
          const i = int(lines.length);
          const j = int(lines.length);
          const op = int(3);
          if (op === 0) lines.splice(i, 1);
          else if (op === 1) lines.splice(i, 0, ...Array(1 + int(5)).fill(lines[j]));
          else [lines[i], lines[j]] = [lines[j], lines[i]];
          b = Buffer.from(lines.join('\n'), 'latin1');
          break;
        }
        case 9: { // csv: another header (columns renamed, dropped, added, duplicated)
          const lines = text().split('\n');
          lines[0] = pick(['addr', 'op,addr', 'vm,op,addr', 'time,op,addr', 'op,address,size', 'op,addr,addr', 'OP,ADDR,VM,TIME', 'addr,content', 'op,addr,vm,time,size,content,extra', '', lines[0] + ',extra']);
          b = Buffer.from(lines.join('\n'), 'latin1');
          break;
        }
        case 10: { // vmt: a field of the header or of a record set to an edge value
          if (b.length >= 16) {
            const at = pick([4, 8, 12, 16, 16 + 8 * int(Math.max(1, (b.length - 16) >> 3)), int(Math.max(1, b.length - 4))]);
            if (at + 4 <= b.length) b.writeUInt32LE(pick([0, 1, 2, 5, 6, 255, 0xffff, 0x10000, 0x7fffffff, 0xffffffff, int(2 ** 32)]), at);
          }
          break;
        }
        case 11: // an op or a line kind that is not known
          b = Buffer.from(text().replace(/\b[RW]\b|^ [LSM] /m, () => pick(['X', 'RESET', 'A', 'F', 'r', 'Rw', ' Q ', 'I  '])), 'latin1');
          break;
        case 12: { // times that go backwards, or a vm column with many VMs
          const lines = text().split('\n');
          if (chance(0.5)) b = Buffer.from(['time,op,addr', ...lines.slice(1).map((l, i) => `${chance(0.05) ? i - 3 : i},${l.split(',').slice(-2).join(',')}`)].join('\n'), 'latin1');
          else b = Buffer.from(['vm,op,addr', ...lines.slice(1).map((l) => `v${int(chance(0.5) ? 3 : 100)},${l.split(',').slice(-2).join(',')}`)].join('\n'), 'latin1');
          break;
        }
        default: // unchanged: a valid input must go through every command
          break;
      }
    }
    return b;
  };

  const seed = pick(seeds);
  const file = (suffix, s) => {
    let bytes = mutate(window(s), s);
    let ext = chance(0.85) ? s.ext : pick(['csv', 'lackey', 'din', 'plain', 'vmt', 'txt', 'bin']);
    if (chance(0.1)) {
      bytes = gzipSync(bytes);
      if (chance(0.4)) bytes = bytes.subarray(0, int(bytes.length));
      ext += '.gz';
    }
    const name = `input-${index}${suffix}`;
    return { path: join(work, `${name}.${ext}`), bytes, vmName: name, seed: s };
  };
  const input = file('', seed);
  const files = [input];
  const runs = [];

  // read options, shared by simulate, inspect and convert
  const read = [];
  if (chance(0.3)) read.push('--skip-bad-lines');
  if (chance(0.06)) read.push('--trace-format', pick(['csv', 'lackey', 'din', 'plain', 'vmt', 'txt']));
  if (chance(0.08)) read.push('--hex');
  if (chance(0.08)) read.push('--ifetch');

  // engine options (valid ones: bad options are the bad-input test's job; a few stay here)
  const engine = [];
  // (not --page-size 1: a mutated size of up to 64 GiB would be 2^36 accesses, a run of hours
  // that looks like a hang; page size 1 is the property tests' own ground)
  const pageSize = chance(0.2) ? pick(['4096', '64KiB', '2MiB']) : undefined;
  if (pageSize !== undefined) engine.push('--page-size', pageSize);
  if (chance(0.9)) engine.push('--frames', String(1 + int(40)));
  else engine.push('--memory', pick(['2MiB', '4MiB', '64MiB']));
  engine.push('--policy', pick(names.policies));
  if (chance(0.3)) engine.push('--swap', pick([String(int(20) * (pageSize === '2MiB' ? 2 << 20 : 4096)), '0', 'unlimited']));
  if (chance(0.1)) engine.push('--on-oom', 'error');
  if (chance(0.05)) engine.push('--strict-alloc');
  if (chance(0.2)) engine.push('--seed', String(int(1000)));
  if (chance(0.02)) engine.push(...pick([['--memory', '12XB'], ['--frames', '0'], ['--swap', '1Q'], ['--page-size', '3000'], ['--trace-format', 'xls']]));

  const simulate = ['simulate', input.path, ...read, ...engine, '--format', pick(['csv', 'json', 'table']), ...(chance(0.3) ? ['-q'] : [])];
  if (chance(0.15)) {
    simulate.push('--translation', pick(['nested', 'shadow', 'nested,shadow', 'none']));
    if (chance(0.5)) simulate.push('--tlb', String(1 + int(64)));
    if (chance(0.3)) simulate.push('--levels', pick(['3', '4', '5']));
    if (chance(0.3)) simulate.push('--guest-alloc', pick(['seq', 'random']));
  }
  if (chance(0.1)) {
    simulate.push('--dedup', pick(['ideal', 'ksm']));
    if (chance(0.5)) simulate.push('--ksm-interval', String(1 + int(100)), '--ksm-pages', String(1 + int(20)));
  }
  if (chance(0.08)) {
    simulate.push('--host-page', pick(['2MiB', '1GiB']));
    if (chance(0.5)) simulate.push('--compaction');
  }
  if (chance(0.25)) {
    // a scheduler, with the VMs' parameters; now and then a second trace as a second VM
    const scheduler = pick(names.schedulers);
    simulate.push('--scheduler', scheduler);
    if (chance(0.5)) {
      const second = file('b', pick(seeds));
      files.push(second);
      simulate.push(second.path);
    }
    const vmNames = [input.vmName, ...input.seed.vmNames, ...(files[1] ? [files[1].vmName, ...files[1].seed.vmNames] : [])];
    for (const name of [...new Set(vmNames)].filter(() => chance(0.5)).slice(0, 3)) {
      const params = [`name=${name}`];
      if (chance(0.6)) params.push(`weight=${1 + int(4)}`);
      if (chance(0.6)) params.push(`priority=${int(4)}`);
      if (chance(0.3)) params.push(`reserve=${int(4)}`);
      if (chance(0.4)) params.push(`limit=${1 + int(20)}`);
      simulate.push('--vm', params.join(','));
    }
    if (scheduler === 'weight' && chance(0.4)) {
      simulate.push('--idle-tax', pick(['0', '0.5', '0.75']), '--active-window', String(1 + int(50)));
      if (chance(0.5)) simulate.push('--sample-pages', String(1 + int(5)));
    }
  }
  if (chance(0.1)) simulate.push('--interval', String(1 + int(100)));
  runs.push({ kind: 'simulate', args: simulate });

  if (chance(0.3)) {
    const inspect = ['inspect', input.path, ...read, '--format', pick(['csv', 'json', 'table'])];
    if (chance(0.4)) inspect.push('--report', pick(['summary', 'reuse', 'working-set']));
    if (chance(0.3)) inspect.push('--window', String(1 + int(500)));
    if (chance(0.2)) inspect.push('--page-size', pick(['4096', '64KiB', '2MiB']));
    runs.push({ kind: 'inspect', args: inspect });
  }

  if (chance(0.3)) {
    // convert, then the round trip: the converted trace replays exactly as its input. The output
    // keeps the input's base name (in its own directory) so that a plain output names its VM alike.
    const format = pick(['csv', 'vmt', 'plain', 'csv.gz', 'vmt.gz']);
    const out = join(work, 'out', `${input.vmName}.${format}`);
    const lossy = chance(0.3);
    const convert = ['convert', input.path, out, ...read, '-q', ...(lossy ? ['--lossy'] : [])];
    const replay = ['--format', 'csv', '-q', '--frames', String(1 + int(40)), '--policy', pick(names.policies), '--swap', pick(['unlimited', String(int(20) * 4096)])];
    // The same trace options for the input; the output is in a known format and has no bad lines.
    // (a plain trace's VM is named after its file: README "Converting traces")
    const roundTrip = lossy ? null : { input: ['simulate', input.path, ...read, ...replay], output: ['simulate', out, ...replay], vmNames: !format.startsWith('plain') };
    runs.push({ kind: 'convert', args: convert, out, roundTrip });
  }

  if (chance(0.05)) {
    const out = join(work, 'out', `gen-${index}.${pick(['csv', 'vmt', 'plain', 'csv.gz', 'vmt.gz'])}`);
    const generate = ['generate', '-o', out, '-q'];
    if (chance(0.95)) generate.push('--pattern', pick(['uniform', 'zipf', 'scan', 'loop', 'phases', 'mix', 'nope']));
    // mostly good values, some bad ones
    generate.push('--pages', pick(['1', '10', '1000', '5000', '0', 'x', '281474976710656']), '--accesses', pick(['1', '100', '2000', '0']));
    if (chance(0.3)) generate.push('--alpha', pick(['0', '0.5', '1.1', '3', '-1', '1e308']));
    if (chance(0.3)) generate.push('--write-ratio', pick(['0', '0.5', '1', '2']));
    if (chance(0.2)) generate.push('--vms', pick(['a:zipf,b:loop:pages=5', 'x:phases:working-set=3,y', 'a,a', 'a:zipf:pages=x', 'a:scan:accesses=10:base=0xffffffffffffffff']));
    if (chance(0.2)) generate.push('--base', pick(['0', '0x7fff00000000', '0xfffffffffffff000', 'zz']));
    if (chance(0.2)) generate.push('--page-size', pick(['1', '4096', '2MiB', '3']));
    if (chance(0.2)) generate.push('--mix', pick(['zipf=1,loop=1', 'scan=1,uniform=2', 'zipf=0', 'bogus=1']));
    if (chance(0.2)) generate.push('--offsets');
    runs.push({ kind: 'generate', args: generate, out });
  }

  if (chance(0.05)) {
    // a saved result, mutated, as a baseline and in diff
    runs.push({ kind: 'baseline', args: null, base: ['simulate', join(ROOT, 'traces', 'zipf.csv'), '--frames', String(8 + int(64)), '--format', 'json', '-q'], mutateJson: (text) => mutate(Buffer.from(text), seed) });
  }
  return { index, files, runs };
}

/** The problems with one run's outcome (empty: fine). */
export function check(args, code, stdout, stderr, inputs) {
  const problems = [];
  if (!DOCUMENTED.has(code)) problems.push(`undocumented exit code ${code}`);
  if (/\n\s+at .+:\d+:\d+/.test(stderr) || /^\s+at /m.test(stderr)) problems.push('stack trace on standard error');
  if (code === 3 && !args.includes('--on-oom')) problems.push('exit 3 without --on-oom error');
  if (code === 1 && !args.includes('--baseline') && args[0] !== 'diff') problems.push('exit 1 without a baseline');
  if (code !== 0) {
    const lines = stderr.trimEnd().split('\n');
    if (!/^vmmem: \S/.test(lines[0] ?? '') && !/^error: /.test(lines[0] ?? '')) problems.push('failed without a "vmmem: " message');
    if (code !== 1 && stdout !== '') problems.push('failed, yet wrote a result on standard output');
    if ((lines[0] ?? '').length > 400) problems.push(`a message of ${lines[0].length} characters: not one short line`);
    if (code === 65) {
      if (lines.length !== 1) problems.push(`bad data, but ${lines.length} lines on standard error`);
      // FILE:LINE: reason, FILE one of the inputs (or 'traces' for several)
      const m = /^vmmem: (.+?)(:\d+)?: \S/.exec(lines[0] ?? '');
      if (!m || !(inputs.some((p) => lines[0].startsWith(`vmmem: ${p}`)) || m[1] === 'traces')) problems.push('bad data, but the message does not start with an input FILE[:LINE]');
    }
  } else if (stderr !== '' && !stderr.trimEnd().split('\n').every((l) => l.startsWith('vmmem: '))) problems.push('a line on standard error that is not a "vmmem: " note');
  if (code === 0 && args[0] === 'simulate' && args.includes('json') && args[args.indexOf('--format') + 1] === 'json') {
    try {
      const doc = JSON.parse(stdout);
      for (const r of doc.rows) {
        if (r.hits + r.faults !== r.accesses) problems.push(`row ${r.vm}: hits + faults != accesses`);
        if (r.reads + r.writes !== r.accesses) problems.push(`row ${r.vm}: reads + writes != accesses`);
        if (r.minor_faults + r.major_faults !== r.faults) problems.push(`row ${r.vm}: minor + major != faults`);
        if (r.swap_ins !== r.major_faults) problems.push(`row ${r.vm}: swap-ins != major faults`);
      }
    } catch (err) {
      problems.push(`simulate --format json printed no JSON document: ${err.message}`);
    }
  }
  return problems;
}

/**
 * What a replay's CSV says about the accesses, for the round trip: the rows sorted by VM (a csv
 * output lists its VMs in order of first appearance, where a vmt input had them in its header's
 * order), without rows of VMs that have no row at all (a file's VM with every line skipped: a
 * converted trace cannot name a VM without rows); without VM names for a plain output (named
 * after its file).
 */
function replayed(csv, vmNames) {
  const rows = csv.trim().split('\n').slice(1);
  return rows
    .filter((r) => r.split(',').slice(4).some((x) => x !== '0'))
    .map((r) => (vmNames || r.startsWith('TOTAL,') ? r : r.replace(/^[^,]*/, 'VM')))
    .sort()
    .join('\n');
}

/**
 * Runs one case through `main`, calling `report(kind, args, code, problems, stderr)` per run and
 * `beat()` before each (the hang watchdog). Returns the problems found.
 */
export async function runCase(main, c, { beat = () => {}, onRun = () => {} } = {}) {
  const failures = [];
  for (const f of c.files) writeFileSync(f.path, f.bytes);
  mkdirSync(join(dirname(c.files[0].path), 'out'), { recursive: true });
  const inputs = c.files.map((f) => f.path);
  const exec = async (kind, args) => {
    beat(args);
    const q = quietIo();
    let code;
    try {
      code = await main(args, q.io);
    } catch (err) {
      const { stderr } = q.out();
      failures.push({ kind, args, reason: `threw out of main: ${err?.stack ?? err}`, stderr });
      return { code: -1, stdout: '', stderr };
    }
    const { stdout, stderr } = q.out();
    onRun(kind, code);
    for (const reason of check(args, code, stdout, stderr, [...inputs, ...args.filter((a) => a.endsWith('.json'))])) failures.push({ kind, args, reason, stderr });
    return { code, stdout, stderr };
  };
  for (const run of c.runs) {
    if (run.kind === 'baseline') {
      const base = await exec('simulate', run.base);
      if (base.code !== 0) continue;
      const saved = join(dirname(c.files[0].path), 'out', `base-${c.index}.json`);
      writeFileSync(saved, run.mutateJson(base.stdout));
      const good = join(dirname(c.files[0].path), 'out', `good-${c.index}.json`);
      writeFileSync(good, base.stdout);
      await exec('baseline', [...run.base, '--baseline', saved]);
      await exec('diff', ['diff', saved, good, '--format', 'csv']);
      await exec('diff', ['diff', good, saved]);
      continue;
    }
    const r = await exec(run.kind, run.args);
    if (run.kind === 'convert' && r.code === 0 && run.roundTrip) {
      const a = await exec('round-trip', run.roundTrip.input);
      const b = await exec('round-trip', run.roundTrip.output);
      if (a.code !== b.code || replayed(a.stdout, run.roundTrip.vmNames) !== replayed(b.stdout, run.roundTrip.vmNames)) {
        failures.push({
          kind: 'round-trip',
          args: run.roundTrip.output,
          reason: `convert changed the trace: simulate IN exits ${a.code}, simulate OUT exits ${b.code}${a.code === b.code ? ', different CSV' : ''}\nIN:  ${a.stdout || a.stderr}\nOUT: ${b.stdout || b.stderr}`,
          stderr: a.stderr + b.stderr,
        });
      }
    }
    if (run.out && existsSync(run.out)) rmSync(run.out, { force: true });
  }
  for (const f of c.files) rmSync(f.path, { force: true });
  return failures;
}

/** The case's inputs and what failed, saved under `dir` for a rerun by hand. */
export function saveFailure(dir, c, failure) {
  mkdirSync(dir, { recursive: true });
  const saved = [];
  for (const f of c.files) {
    const to = join(dir, `${c.index}-${basename(f.path)}`);
    writeFileSync(to, f.bytes);
    saved.push(to);
  }
  const args = (failure.args ?? []).map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ');
  writeFileSync(join(dir, `${c.index}-${failure.kind}.txt`), `${failure.reason}\n\nvmmem ${args}\n(inputs saved as ${saved.join(', ')})\n\n${failure.stderr ?? ''}`);
  return saved;
}
