#!/usr/bin/env node
// npm run fuzz -- --runs N [--seed S] [--out DIR]
// Mutates windows of the shipped traces (bit flips, truncation, splices, huge numbers, random
// bytes, broken gzip) and runs `vmmem simulate` on each in a worker thread, through the same
// main() as the CLI. A crash, a hang (no progress for 20 s), a stack trace on stderr or an
// undocumented exit code is a failure: the input is saved under fuzz-failures/ and the run
// exits 1.
import { mkdirSync, readdirSync, readFileSync, writeFileSync, rmSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** exit codes SPEC 3.3 documents for a run without a baseline */
const DOCUMENTED = new Set([0, 3, 64, 65, 66]);

if (isMainThread) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const runs = Number(opt('--runs', '1000'));
  const seed = Number(opt('--seed', '1'));
  const out = opt('--out', join(ROOT, 'fuzz-failures'));
  const work = mkdtempSync(join(tmpdir(), 'vmmem-fuzz-'));
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { runs, seed, work } });
  let last = { index: -1 };
  let lastBeat = Date.now();
  const failures = [];
  const save = (f) => {
    if (!f.file) {
      console.error(`FAIL before any input: ${f.reason}`);
      failures.push(f);
      return;
    }
    mkdirSync(out, { recursive: true });
    const name = `${f.index}-${basename(f.file)}`;
    writeFileSync(join(out, name), readFileSync(f.file));
    writeFileSync(join(out, `${name}.txt`), `${f.reason}\nvmmem ${f.args.join(' ')}\n\n${f.stderr ?? ''}`);
    failures.push(f);
    console.error(`FAIL #${f.index}: ${f.reason} (saved ${join(out, name)})`);
  };
  const watchdog = setInterval(() => {
    if (Date.now() - lastBeat > 20000) {
      save({ ...last, reason: 'hang: no result within 20 s' });
      clearInterval(watchdog);
      worker.terminate();
    }
  }, 1000);
  worker.on('message', (m) => {
    lastBeat = Date.now();
    if (m.type === 'start') last = m;
    else if (m.type === 'fail') save(m);
    else if (m.type === 'progress') console.error(`${m.done}/${runs} inputs, ${failures.length} failures, exit codes ${JSON.stringify(m.codes)}`);
    else if (m.type === 'done') {
      clearInterval(watchdog);
      console.log(`fuzz: ${m.done} inputs, ${failures.length} failed; exit codes seen: ${JSON.stringify(m.codes)}`);
      rmSync(work, { recursive: true, force: true });
      process.exitCode = failures.length ? 1 : 0;
    }
  });
  worker.on('error', (err) => {
    clearInterval(watchdog);
    save({ ...last, reason: `worker crashed: ${err.stack ?? err}` });
    process.exitCode = 1;
  });
} else {
  const { runs, seed, work } = workerData;
  const { main } = await import(join(ROOT, 'dist', 'cli', 'main.js'));
  const { mulberry32 } = await import(join(ROOT, 'dist', 'engine', 'rng.js'));
  const random = mulberry32(seed);
  const int = (n) => Math.floor(random() * n);
  const pick = (xs) => xs[int(xs.length)];
  // Seeds: every shipped trace, decompressed, as lines.
  const seeds = readdirSync(join(ROOT, 'traces'), { recursive: true })
    .filter((f) => !f.endsWith('.md') && !f.endsWith('.json') && !f.endsWith('.mjs') && statSync(join(ROOT, 'traces', f)).isFile())
    .map((f) => {
      let bytes = readFileSync(join(ROOT, 'traces', f));
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
      const ext = f.replace(/\.gz$/, '').split('.').pop();
      return { ext, bytes, lines: ext === 'vmt' ? null : bytes.toString('latin1').split('\n') };
    });
  const huge = ['0xffffffffffffffff', '0x10000000000000000', '18446744073709551615', '99999999999999999999', '-1', '1e308', 'NaN', '0x', '4294967296', '9007199254740993'];
  const window = (s) => {
    if (!s.lines) {
      const start = int(Math.max(1, s.bytes.length - 64));
      return Buffer.concat([s.bytes.subarray(0, 64), s.bytes.subarray(start, start + 16 * (1 + int(40)))]);
    }
    const head = s.ext === 'csv' ? [s.lines[0]] : [];
    const start = 1 + int(Math.max(1, s.lines.length - 200));
    return Buffer.from([...head, ...s.lines.slice(start, start + 1 + int(200))].join('\n') + (random() < 0.8 ? '\n' : ''), 'latin1');
  };
  const mutate = (buf) => {
    const b = Buffer.from(buf);
    switch (int(8)) {
      case 0: // bit flips
        for (let k = 0, n = 1 + int(8); k < n && b.length; k++) b[int(b.length)] ^= 1 << int(8);
        return b;
      case 1: // truncation
        return b.subarray(0, int(b.length + 1));
      case 2: { // splice with another seed's window
        const other = window(pick(seeds));
        const at = int(b.length + 1);
        return Buffer.concat([b.subarray(0, at), other.subarray(int(other.length + 1))]);
      }
      case 3: { // huge numbers in place of a token
        const text = b.toString('latin1');
        return Buffer.from(text.replace(/0x[0-9a-fA-F]+|\b\d+\b/, () => pick(huge)), 'latin1');
      }
      case 4: // random bytes
        return Buffer.concat([b.subarray(0, int(b.length + 1)), Buffer.from(Array.from({ length: 1 + int(64) }, () => int(256)))]);
      case 5: // a very long line
        return Buffer.concat([b, Buffer.from('R,' + '1'.repeat(1 + int(100000)) + '\n')]);
      case 6: // quotes, CRs, BOMs, commas
        return Buffer.from(b.toString('latin1').replace(/,|\n/g, (c) => (random() < 0.05 ? pick(['"', '\r\n', '\uFEFF', ',,', c + '"x"']) : c)), 'latin1');
      default:
        return b;
    }
  };
  const codes = {};
  const policies = ['lru', 'fifo', 'lfu', 'clock', 'opt', 'random'];
  for (let index = 0; index < runs; index++) {
    const s = pick(seeds);
    let input = mutate(window(s));
    let ext = random() < 0.8 ? s.ext : pick(['csv', 'lackey', 'din', 'plain', 'vmt', 'txt', 'bin']);
    if (random() < 0.1) {
      input = gzipSync(input);
      if (random() < 0.5) input = input.subarray(0, int(input.length));
      ext += '.gz';
    }
    const file = join(work, `input-${index}.${ext}`);
    writeFileSync(file, input);
    const args = ['simulate', file, '--frames', String(1 + int(40)), '--policy', pick(policies), '--format', pick(['csv', 'json', 'table'])];
    if (random() < 0.3) args.push('--skip-bad-lines');
    if (random() < 0.3) args.push('--swap', String(int(20) * 4096));
    if (random() < 0.2) args.push('--page-size', pick(['1', '4096', '2MiB']));
    if (random() < 0.1) args.push('--trace-format', pick(['csv', 'lackey', 'din', 'plain', 'vmt']));
    parentPort.postMessage({ type: 'start', index, file, args });
    let stderr = '';
    const io = { stdout: () => {}, stderr: (t) => (stderr += t), stdoutIsTty: false, stderrIsTty: false, env: {} };
    let code;
    try {
      code = await main(args, io);
    } catch (err) {
      parentPort.postMessage({ type: 'fail', index, file, args, stderr, reason: `threw out of main: ${err.stack}` });
      continue;
    }
    codes[code] = (codes[code] ?? 0) + 1;
    if (!DOCUMENTED.has(code)) parentPort.postMessage({ type: 'fail', index, file, args, stderr, reason: `undocumented exit code ${code}` });
    else if (/\n\s+at .+:\d+:\d+/.test(stderr)) parentPort.postMessage({ type: 'fail', index, file, args, stderr, reason: 'stack trace on stderr' });
    else if (code !== 0 && !/^vmmem: .+\n/.test(stderr) && !/error:/.test(stderr)) parentPort.postMessage({ type: 'fail', index, file, args, stderr, reason: 'failed without a message' });
    rmSync(file, { force: true });
    if ((index + 1) % 1000 === 0) parentPort.postMessage({ type: 'progress', done: index + 1, codes });
  }
  parentPort.postMessage({ type: 'done', done: runs, codes });
}
