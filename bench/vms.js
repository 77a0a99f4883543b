#!/usr/bin/env node
// The VM-count sweep of `npm run bench` (SPEC 2.2: every scheduler picks its victim VM in
// O(log n), so that 10,000 VMs replay at close to one VM's speed). The same total work at every
// VM count: A accesses (5,000,000; BENCH_QUICK=1: 500,000) over n VMs of A/n zipf pages and A/n
// accesses each, interleaved round robin, on A/10 frames (at 10,000 VMs: 500 pages and 500
// accesses per VM, 500,000 frames). Each scheduler's time is the median of BENCH_RUNS runs,
// taken in turns (global, weight, ... , global, weight, ...) so that a busy machine slows all
// of them alike; the ratio to global at the same VM count is the number to read.
// Run alone: node bench/vms.js (after npm run build); inputs are generated once into bench/data/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'bench', 'data');
const BIN = join(ROOT, 'bin', 'vmmem.js');
const CHILD = join(ROOT, 'bench', 'child.js');

export const VM_COUNTS = [1, 100, 1000, 10000];
export const SCHEDULERS = [
  ['global', ['--scheduler', 'global']],
  ['weight', ['--scheduler', 'weight']],
  ['weight+tax', ['--scheduler', 'weight', '--idle-tax', '0.75']],
  ['highest', ['--scheduler', 'highest']],
  ['lowest', ['--scheduler', 'lowest']],
  ['partition', ['--scheduler', 'partition']],
  ['balance', ['--scheduler', 'balance']],
];
/** the SPEC's goal, read as: every scheduler within this factor of global's time */
export const TARGET_RATIO = 2;

/** the trace of `vms` VMs (generated once) */
function traceFor(vms, total, quick) {
  mkdirSync(DATA, { recursive: true });
  const file = join(DATA, `vms-${vms}${quick ? '-quick' : ''}.vmt`);
  if (!existsSync(file)) {
    const each = String(total / vms);
    const names = Array.from({ length: vms }, (_, i) => `v${i}`).join(',');
    const r = spawnSync(process.execPath, [BIN, 'generate', '--vms', names, '--pattern', 'zipf', '--pages', each, '--accesses', each, '--seed', '1', '-o', file, '-q'], {
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (r.status !== 0) throw new Error(`generating ${file} failed (${r.status}): ${r.stderr}`);
  }
  return file;
}

function once(file, frames, args) {
  const r = spawnSync(process.execPath, [CHILD, 'cli', 'simulate', file, '--frames', String(frames), ...args, '--format', 'json', '-q'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`bench child simulate ${file} ${args.join(' ')} failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout);
  if (out.result.code !== 0) throw new Error(`vmmem simulate ${file} ${args.join(' ')} exited ${out.result.code}`);
  return out;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Measures the sweep; returns { entries, lines }: one entry per (VMs, scheduler) with seconds,
 * runs and ratio to global, and the table as lines of text.
 */
export function vmSweep({ quick = false, runs = 3, counts = VM_COUNTS } = {}) {
  const total = quick ? 5e5 : 5e6;
  const frames = total / 10;
  const entries = [];
  for (const vms of counts) {
    const file = traceFor(vms, total, quick);
    const times = SCHEDULERS.map(() => []);
    const rss = SCHEDULERS.map(() => 0);
    for (let run = 0; run < runs; run++) {
      SCHEDULERS.forEach(([, args], i) => {
        const m = once(file, frames, args);
        times[i].push(m.seconds);
        rss[i] = Math.max(rss[i], m.maxRssBytes);
      });
    }
    const base = median(times[0]);
    SCHEDULERS.forEach(([name], i) => {
      const seconds = median(times[i]);
      entries.push({ vms, scheduler: name, accesses: total, frames, seconds, runs: times[i], ratioToGlobal: seconds / base, maxRssBytes: rss[i] });
    });
  }
  const lines = [];
  const head = ['VMs', ...SCHEDULERS.map(([name]) => name)];
  const rows = counts.map((vms) => [
    vms.toLocaleString('en-US'),
    ...SCHEDULERS.map(([name]) => {
      const e = entries.find((x) => x.vms === vms && x.scheduler === name);
      return name === 'global' ? `${e.seconds.toFixed(2)} s` : `${e.seconds.toFixed(2)} s (${e.ratioToGlobal.toFixed(2)}x)`;
    }),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  lines.push(`VM-count sweep: A = ${total.toLocaleString('en-US')} zipf accesses over n VMs of A/n pages and A/n accesses each, ${frames.toLocaleString('en-US')} frames, lru; median of ${runs} in turns (x global's time)`);
  for (const r of [head, ...rows]) lines.push(r.map((c, i) => (i === 0 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  '));
  const last = counts.at(-1);
  const worst = entries.filter((e) => e.vms === last).reduce((a, b) => (b.ratioToGlobal > a.ratioToGlobal ? b : a));
  const ok = worst.ratioToGlobal <= TARGET_RATIO;
  lines.push(`at ${last.toLocaleString('en-US')} VMs the slowest is ${worst.scheduler}, ${worst.ratioToGlobal.toFixed(2)}x global: ${ok ? 'ok' : 'MISSED'} (target <= ${TARGET_RATIO}x)`);
  return { entries, lines, ok };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.env.BENCH_QUICK === '1';
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const counts = process.env.BENCH_VMS ? process.env.BENCH_VMS.split(',').map(Number) : VM_COUNTS;
  const { lines, ok } = vmSweep({ quick, runs, counts });
  for (const line of lines) console.log(line);
  process.exitCode = ok ? 0 : 1;
}
