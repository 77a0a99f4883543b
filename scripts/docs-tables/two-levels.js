#!/usr/bin/env node
// docs/two-levels.md, "A study: ballooning against host swapping" (issue #15 item 6): three VMs
// replaying three different real traces (valgrind lackey of sort, gzip and sqlite3, traces/),
// 64 guest frames each, on hosts overcommitted 1.0, 1.25, 1.5 and 2.0 (sum of guest memory /
// host memory) under four reclamation ladders. Disk I/O = guest swap-ins + swap-outs + host
// swap-ins + swap-outs, per VM and in total. The three traces are converted once into one vmt
// file of three VMs (in a temporary directory; the same interleaving as three --vm traces) and
// the 16 runs go two at a time, to keep npm test's docs check short (about 10 s of CPU).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markdown } from './lib.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'vmmem.js');
const G = 64;
const VMS = ['sort', 'gzip', 'sqlite'];
const RATIOS = [1.0, 1.25, 1.5, 2.0];
const LADDERS = ['swap', 'balloon,swap', 'compress,swap', 'balloon,compress,swap'];

const dir = mkdtempSync(join(tmpdir(), 'vmmem-study-'));
try {
  const all = join(dir, 'three.vmt');
  const r = spawnSync(process.execPath, [BIN, 'convert', ...VMS.map((vm) => `traces/${vm}.lackey.gz`), all, '-q'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`convert: ${r.stderr}`);
  const cases = RATIOS.flatMap((ratio) => LADDERS.map((ladder) => ({ ratio, ladder, frames: Math.floor((VMS.length * G) / ratio) })));
  const run = (c) =>
    new Promise((resolve, reject) => {
      const args = [all, '--guest-memory', `${(G * 4096) / 1024}KiB`, '--frames', String(c.frames), '--reclaim', c.ladder];
      const child = spawn(process.execPath, [BIN, 'simulate', ...args, '--format', 'json', '-q'], { cwd: ROOT });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`vmmem simulate ${args.join(' ')}: exit ${code}: ${err}`))));
    });
  const results = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      results[i] = await run(cases[i]);
    }
  };
  await Promise.all([worker(), worker()]);
  const io = (r) => r.swap_ins + r.swap_outs + r.host_swap_ins + r.host_swap_outs;
  const rows = cases.map((c, i) => {
    const byVm = Object.fromEntries(results[i].rows.map((r) => [r.vm, r]));
    const t = byVm.TOTAL;
    return [
      c.ratio.toFixed(2),
      c.frames,
      c.ladder,
      ...VMS.map((vm) => io(byVm[vm])),
      t.swap_ins + t.swap_outs,
      t.host_swap_ins + t.host_swap_outs,
      io(t),
      t.double_paging,
      t.false_reads,
      VMS.map((vm) => byVm[vm].balloon_end).join(' / '),
      t.eat_ns.toFixed(1),
    ];
  });
  console.log(
    markdown(
      ['overcommit', 'host frames', '`--reclaim`', ...VMS.map((vm) => `${vm} disk I/O`), 'guest swap I/O', 'host swap I/O', 'all disk I/O', 'double paging', 'false reads', 'balloons (end)', '`eat_ns`'],
      rows,
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
