#!/usr/bin/env node
// npm run bench: generates seeded inputs (once, into bench/data/), measures vmmem on them and
// prints a table; writes the numbers to bench/results/<timestamp>.json. Not part of npm test.
// BENCH_RUNS (default 3) runs per measurement, the median is reported. BENCH_QUICK=1 uses
// 10x smaller inputs (a smoke run). The Zipf trace is also written as bench/data/zipf.txt, one
// decimal page number a line: the text trace libCacheSim's cachesim reads (docs/one-pass.md).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writePageText } from './page-text.js';
import { vmSweep } from './vms.js';
import { TWO_LEVEL_TARGET, twoLevelCases } from './two-level.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'bench', 'data');
const RESULTS = join(ROOT, 'bench', 'results');
const BIN = join(ROOT, 'bin', 'vmmem.js');
const CHILD = join(ROOT, 'bench', 'child.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const QUICK = process.env.BENCH_QUICK === '1';
const ACCESSES = QUICK ? 1e6 : 1e7;
const PAGES = QUICK ? 1e5 : 1e6;

function vmmem(args) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`vmmem ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function measure(args) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, [CHILD, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`bench child ${args.join(' ')} failed: ${r.stderr}`);
    runs.push(JSON.parse(r.stdout));
  }
  runs.sort((a, b) => a.seconds - b.seconds);
  const median = runs[Math.floor(runs.length / 2)];
  const cpu = runs.map((r) => r.cpuSeconds).sort((a, b) => a - b);
  return { seconds: median.seconds, cpuSeconds: cpu[Math.floor(cpu.length / 2)], all: runs.map((r) => r.seconds), maxRssBytes: Math.max(...runs.map((r) => r.maxRssBytes)), result: median.result };
}

function ensureInputs() {
  mkdirSync(DATA, { recursive: true });
  const tag = QUICK ? '-quick' : '';
  const files = {
    zipfCsv: join(DATA, `zipf${tag}.csv`),
    zipfVmt: join(DATA, `zipf${tag}.vmt`),
    loopVmt: join(DATA, `loop${tag}.vmt`),
    zipfPlain: join(DATA, `zipf-small${tag}.plain`),
    zipfTxt: join(DATA, `zipf${tag}.txt`),
    zipfTwoLevel: join(DATA, `zipf-two-level${tag}.vmt`),
  };
  const common = ['--accesses', String(ACCESSES), '--seed', '1', '--write-ratio', '0.3'];
  if (!existsSync(files.zipfCsv)) vmmem(['generate', '--pattern', 'zipf', '--alpha', '0.9', '--pages', String(PAGES), ...common, '-o', files.zipfCsv]);
  if (!existsSync(files.zipfVmt)) vmmem(['convert', files.zipfCsv, files.zipfVmt]);
  if (!existsSync(files.loopVmt)) vmmem(['generate', '--pattern', 'loop', '--pages', String(PAGES / 10), ...common, '-o', files.loopVmt]);
  if (!existsSync(files.zipfPlain)) {
    vmmem(['generate', '--pattern', 'zipf', '--alpha', '0.9', '--pages', String(PAGES / 10), '--accesses', String(ACCESSES / 10), '--seed', '2', '-o', files.zipfPlain]);
  }
  if (!existsSync(files.zipfTwoLevel)) {
    vmmem(['generate', '--pattern', 'zipf', '--alpha', '0.9', '--pages', String(PAGES / 20), '--accesses', String(ACCESSES / 5), '--seed', '1', '--write-ratio', '0.3', '-o', files.zipfTwoLevel]);
  }
  return files;
}

/** The Zipf trace for libCacheSim's cachesim (text: one page number a line). */
async function ensurePageText(files) {
  if (!existsSync(files.zipfTxt)) await writePageText(files.zipfVmt, files.zipfTxt);
}

const POLICIES = ['lru', 'fifo', 'clock', 'lfu', 'opt', 'random'];
// libCacheSim's policies (docs/policies.md): each must replay the Zipf trace within 2x of lru's time
const LIBCACHESIM_POLICIES = ['arc', 'twoq', 'slru', 'lirs', 'sieve', 's3fifo'];
POLICIES.push(...LIBCACHESIM_POLICIES);
// the operating systems' policies (docs/os-policies.md), held to the same 2x
const OS_POLICIES = ['mru', 'nru', 'aging', 'wsclock', 'linux'];
POLICIES.push(...OS_POLICIES);
const TARGETS = { lru: 10e6, fifo: 10e6, clock: 10e6, lfu: 6e6, opt: 3e6, random: undefined };

const started = new Date();
const files = ensureInputs();
await ensurePageText(files);
const rows = [];
const report = { date: started.toISOString(), node: process.version, cpus: cpus().length, runs: RUNS, quick: QUICK, replay: [], checks: [] };

for (const [name, file] of [['zipf', files.zipfVmt], ['loop', files.loopVmt]]) {
  const probe = measure(['simulate', file, 'lru', '1']);
  const footprint = probe.result.distinctPages;
  for (const policy of POLICIES) {
    for (const pct of [1, 10]) {
      const frames = Math.max(1, Math.floor((footprint * pct) / 100));
      const m = measure(['simulate', file, policy, String(frames)]);
      const rate = m.result.accesses / m.seconds;
      const entry = { trace: name, policy, pct, frames, seconds: m.seconds, cpuSeconds: m.cpuSeconds, runs: m.all, accessesPerSecond: rate, maxRssBytes: m.maxRssBytes, faults: m.result.faults, target: TARGETS[policy] ?? null };
      report.replay.push(entry);
      rows.push([`replay ${name}.vmt`, `${policy} @ ${pct}%`, `${(rate / 1e6).toFixed(2)} M/s`, entry.target ? `>= ${entry.target / 1e6} M/s` : '', entry.target ? (rate >= entry.target ? 'ok' : 'MISSED') : '', `${(m.maxRssBytes / 2 ** 20).toFixed(0)} MiB`]);
    }
  }
}

for (const policy of [...LIBCACHESIM_POLICIES, ...OS_POLICIES]) {
  for (const pct of [1, 10]) {
    const lru = report.replay.find((r) => r.trace === 'zipf' && r.policy === 'lru' && r.pct === pct);
    const it = report.replay.find((r) => r.trace === 'zipf' && r.policy === policy && r.pct === pct);
    const ratio = it.seconds / lru.seconds;
    report.checks.push({ name: `${policy} @ ${pct}% / lru @ ${pct}% (zipf)`, value: ratio, unit: 'x', target: 2, ok: ratio <= 2 });
    rows.push(['replay zipf.vmt', `${policy} / lru @ ${pct}%`, `${ratio.toFixed(2)}x`, '<= 2x', ratio <= 2 ? 'ok' : 'MISSED', '']);
  }
}

const zipfFootprint = report.replay.find((r) => r.trace === 'zipf').frames * 100;
const csv = measure(['simulate', files.zipfCsv, 'lru', String(Math.floor(zipfFootprint / 100))]);
const csvRate = csv.result.accesses / csv.seconds;
report.checks.push({ name: 'csv end to end (lru @ 1%)', value: csvRate, unit: 'rows/s', target: 2e6, ok: csvRate >= 2e6 });
rows.push(['csv end to end', 'lru @ 1%', `${(csvRate / 1e6).toFixed(2)} M rows/s`, '>= 2 M/s', csvRate >= 2e6 ? 'ok' : 'MISSED', `${(csv.maxRssBytes / 2 ** 20).toFixed(0)} MiB`]);

const lruAt1 = report.replay.find((r) => r.trace === 'zipf' && r.policy === 'lru' && r.pct === 1);
const oneReplay = lruAt1.seconds;
for (const [label, args, factor] of [
  ['compare 5 x 4', ['compare', files.zipfVmt, '--policies', 'lru,fifo,clock,lfu,opt', '--frames', '1%,2%,5%,10%', '--format', 'csv'], 4],
  ['mrc (exact lru, all columns)', ['mrc', files.zipfVmt, '--format', 'csv'], 1.5],
]) {
  try {
    const m = measure(['cli', ...args]);
    const ratio = m.seconds / oneReplay;
    // CPU (user + system, all threads) too: on a shared machine the fairer figure
    const cpuRatio = m.cpuSeconds / lruAt1.cpuSeconds;
    report.checks.push({ name: label, seconds: m.seconds, ratioToOneReplay: ratio, cpuSeconds: m.cpuSeconds, cpuRatioToOneReplay: cpuRatio, target: `<= ${factor}x one lru replay`, ok: ratio <= factor && m.result.code === 0 });
    rows.push([label, `${m.seconds.toFixed(2)} s`, `${ratio.toFixed(2)}x one replay (CPU ${cpuRatio.toFixed(2)}x)`, `<= ${factor}x`, ratio <= factor && m.result.code === 0 ? 'ok' : 'MISSED', `${(m.maxRssBytes / 2 ** 20).toFixed(0)} MiB`]);
  } catch (err) {
    report.checks.push({ name: label, error: String(err.message).split('\n')[0] });
    rows.push([label, 'not available', '', '', 'MISSED', '']);
  }
}

// The memory model's store on the same replay (issue #14's A/B: --host-page, --compaction,
// --dedup ideal), as a ratio to one plain lru replay at 1%; no target beyond "not slower than
// before" (compare two versions with these rows, in one window).
for (const [label, extra] of [
  ['lru --host-page 2MiB @ 1%', ['--host-page', '2MiB']],
  ['lru --host-page 2MiB --compaction @ 1%', ['--host-page', '2MiB', '--compaction']],
  ['lru --dedup ideal @ 1%', ['--dedup', 'ideal']],
]) {
  const m = measure(['cli', 'simulate', files.zipfVmt, '--policy', 'lru', '--frames', String(lruAt1.frames), ...extra, '--format', 'csv']);
  const cpuRatio = m.cpuSeconds / lruAt1.cpuSeconds;
  report.checks.push({ name: label, seconds: m.seconds, cpuSeconds: m.cpuSeconds, cpuRatioToOneReplay: cpuRatio, ok: m.result.code === 0 });
  rows.push(['memory model', label, `${m.seconds.toFixed(2)} s`, `CPU ${cpuRatio.toFixed(2)}x one replay`, m.result.code === 0 ? 'ok' : 'MISSED', `${(m.maxRssBytes / 2 ** 20).toFixed(0)} MiB`]);
}

// Memory per distinct page: the slope of peak RSS between two scans of N1 and N2 distinct pages
// (fixed costs - Node itself, buffers - cancel out). The larger one is over 2^24 pages, V8's Map limit.
const [n1, n2] = QUICK ? [2 ** 18, 2 ** 20] : [2 ** 22, 2 ** 24 + 1000];
const small = measure(['scan', String(n1)]);
const big = measure(['scan', String(n2)]);
const perPage = (big.maxRssBytes - small.maxRssBytes) / (n2 - n1);
report.checks.push({ name: 'bytes per distinct page (lru, RSS slope)', pages: [n1, n2], rss: [small.maxRssBytes, big.maxRssBytes], value: perPage, target: 64, ok: perPage <= 64 });
rows.push(['memory', 'per distinct page', `${perPage.toFixed(1)} B`, '<= 64 B', perPage <= 64 ? 'ok' : 'MISSED', '']);
const bigOk = big.result.distinctPages === n2;
report.checks.push({ name: `${n2} distinct pages`, distinctPages: big.result.distinctPages, seconds: big.seconds, ok: bigOk });
rows.push(['scale', `${n2} distinct pages`, `${big.seconds.toFixed(1)} s`, QUICK ? 'works' : 'works (> 2^24)', bigOk ? 'ok' : 'MISSED', `${(big.maxRssBytes / 2 ** 20).toFixed(0)} MiB`]);

// The same trace streamed 1, 10 and 30 times over. From 1x to 10x the garbage collector sizes
// its heap and the buffers awaiting collection (a plateau, not a slope); memory that followed
// the trace's length would grow again, 3x, from 10x to 30x.
const once = measure(['simulate', files.zipfPlain, 'lru', '1000', '1']);
const tenTimes = measure(['simulate', files.zipfPlain, 'lru', '1000', '10']);
const thirtyTimes = measure(['simulate', files.zipfPlain, 'lru', '1000', '30']);
const growth = thirtyTimes.maxRssBytes / tenTimes.maxRssBytes;
const mib = (b) => (b / 2 ** 20).toFixed(0);
report.checks.push({ name: 'peak RSS, stream 1x / 10x / 30x', once: once.maxRssBytes, tenTimes: tenTimes.maxRssBytes, thirtyTimes: thirtyTimes.maxRssBytes, ratio30to10: growth, ok: growth < 1.1 });
rows.push(['memory', 'stream 1x / 10x / 30x', `${mib(once.maxRssBytes)} / ${mib(tenTimes.maxRssBytes)} / ${mib(thirtyTimes.maxRssBytes)} MiB`, '30x < 1.1 x 10x', growth < 1.1 ? 'ok' : 'MISSED', '']);

// Two levels of memory (bench/two-level.js): one VM, CPU time of two-level / one-level replays.
const twoFrames = QUICK ? 820 : 8192;
for (const c of await twoLevelCases(files.zipfTwoLevel, twoFrames, Math.max(RUNS, 5))) {
  report.checks.push({ name: `two levels G = ${c.guestFrames}, F = ${c.frames}, ${c.reclaim} / one level`, value: c.ratio, unit: 'x', target: TWO_LEVEL_TARGET, ok: c.ok, oneSeconds: c.oneSeconds, twoSeconds: c.twoSeconds });
  rows.push(['two levels (zipf-two-level.vmt)', `G = ${c.guestFrames / c.frames}F ${c.reclaim}`, `${c.ratio.toFixed(2)}x one level`, `<= ${TWO_LEVEL_TARGET}x`, c.ok ? 'ok' : 'MISSED', '']);
}

// Schedulers against the number of VMs (bench/vms.js): a separate table below the first.
const sweep = vmSweep({ quick: QUICK, runs: RUNS });
report.vmSweep = sweep.entries;
report.checks.push({ name: 'VM-count sweep: every scheduler at 10,000 VMs within 2x of global', ok: sweep.ok });

const widths = [0, 1, 2, 3, 4, 5].map((i) => Math.max(...rows.map((r) => String(r[i]).length)));
console.log(`vmmem bench: node ${process.version}, ${cpus().length} cores, median of ${RUNS} runs${QUICK ? ' (quick)' : ''}`);
for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(widths[i])).join('  '));
console.log('');
for (const line of sweep.lines) console.log(line);
mkdirSync(RESULTS, { recursive: true });
const out = join(RESULTS, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
console.log(`written ${out}`);
console.log(`the Zipf trace for libCacheSim: ${files.zipfTxt} (cachesim ${files.zipfTxt} txt lru ${lruAt1.frames} --ignore-obj-size 1)`);
