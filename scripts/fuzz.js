#!/usr/bin/env node
// npm run fuzz -- [--runs N] [--seed S] [--from I] [--out DIR]
// Mutates windows of the shipped traces (bit flips, truncation, splices, huge numbers, random
// bytes, long lines, CRLF/BOM/quotes, headers, vmt fields, backward times, broken gzip) and runs
// simulate (with translation, dedup, huge pages, schedulers), inspect, convert (and the round
// trip: the converted trace must replay exactly as its input), generate and diff/--baseline on
// each, in a worker thread, through the CLI's main() (dist/: run `npm run build` first).
// A crash, a hang (one run without an answer for 120 s), a stack trace, an undocumented exit
// code, a failure without a one-line `vmmem:` message, output on a failure, or a broken round
// trip is a failure: the inputs are saved under DIR (default fuzz-failures/) with the command
// line and the reason, and the run exits 1. Case I of seed S is rerun alone by --from I --runs 1.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ROOT, caseRandom, loadSeeds, makeCase, runCase, saveFailure } from './fuzz-lib.js';

const HANG_MS = 120_000;

if (isMainThread) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const runs = Number(opt('--runs', '1000'));
  const seed = Number(opt('--seed', '1'));
  const from = Number(opt('--from', '0'));
  const out = opt('--out', join(ROOT, 'fuzz-failures'));
  const work = mkdtempSync(join(tmpdir(), 'vmmem-fuzz-'));
  const started = Date.now();
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { runs, seed, from, work, out } });
  let last = null;
  let lastBeat = Date.now();
  let failures = 0;
  const watchdog = setInterval(() => {
    if (Date.now() - lastBeat > HANG_MS) {
      // The worker is stuck in the run: its inputs are still on disk.
      mkdirSync(out, { recursive: true });
      const saved = (last?.files ?? []).filter((f) => existsSync(f)).map((f) => {
        const to = join(out, `${last.index}-${basename(f)}`);
        copyFileSync(f, to);
        return to;
      });
      writeFileSync(join(out, `${last?.index}-hang.txt`), `hang: no answer within ${HANG_MS / 1000} s\n\nvmmem ${last?.args?.join(' ')}\n(inputs saved as ${saved.join(', ')})\n`);
      console.error(`FAIL case ${last?.index}: hang: no answer within ${HANG_MS / 1000} s from vmmem ${last?.args?.join(' ')}\n  saved: ${saved.join(', ')}`);
      console.error(`  rerun: npm run fuzz -- --seed ${seed} --from ${last?.index} --runs 1`);
      failures++;
      clearInterval(watchdog);
      void worker.terminate();
      process.exitCode = 1;
    }
  }, 1000);
  worker.on('message', (m) => {
    lastBeat = Date.now();
    if (m.type === 'beat') last = m;
    else if (m.type === 'fail') {
      failures++;
      console.error(`FAIL case ${m.index} (${m.kind}): ${m.reason.split('\n')[0]}\n  vmmem ${m.args.join(' ')}\n  saved: ${m.saved.join(', ')}`);
    } else if (m.type === 'progress') {
      const rate = m.done / ((Date.now() - started) / 1000);
      console.error(`${m.done}/${runs} cases (${rate.toFixed(1)}/s), ${m.runs} runs, ${failures} failures, RSS ${m.rssMiB} MiB; exit codes ${JSON.stringify(m.codes)}`);
    } else if (m.type === 'done') {
      clearInterval(watchdog);
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      console.log(`fuzz: seed ${seed}, ${m.done} cases, ${m.runs} runs in ${seconds} s, ${failures} failed`);
      console.log(`exit codes by command: ${JSON.stringify(m.codes)}`);
      rmSync(work, { recursive: true, force: true });
      process.exitCode = failures ? 1 : 0;
    }
  });
  worker.on('error', (err) => {
    clearInterval(watchdog);
    console.error(`FAIL case ${last?.index}: the worker crashed: ${err?.stack ?? err}\n  vmmem ${last?.args?.join(' ')}`);
    process.exitCode = 1;
  });
} else {
  const { runs, seed, from, work, out } = workerData;
  const { main } = await import(join(ROOT, 'dist', 'cli', 'main.js'));
  const { POLICY_NAMES } = await import(join(ROOT, 'dist', 'policies', 'index.js'));
  const { SCHEDULER_NAMES } = await import(join(ROOT, 'dist', 'schedulers', 'index.js'));
  const seeds = await loadSeeds(join(work, 'seeds'));
  const names = { policies: POLICY_NAMES, schedulers: SCHEDULER_NAMES };
  /** exit codes per command */
  const codes = {};
  let total = 0;
  for (let index = from; index < from + runs; index++) {
    const c = makeCase(seeds, work, index, caseRandom(seed, index), names);
    const failures = await runCase(main, c, {
      beat: (args) => parentPort.postMessage({ type: 'beat', index, args, files: c.files.map((f) => f.path) }),
      onRun: (kind, code) => {
        total++;
        codes[kind] ??= {};
        codes[kind][code] = (codes[kind][code] ?? 0) + 1;
      },
    });
    for (const f of failures) parentPort.postMessage({ type: 'fail', index, kind: f.kind, args: f.args, reason: f.reason, saved: saveFailure(out, c, f) });
    const done = index - from + 1;
    if (done % 1000 === 0) parentPort.postMessage({ type: 'progress', done, runs: total, codes, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) });
  }
  parentPort.postMessage({ type: 'done', done: runs, runs: total, codes });
}
