#!/usr/bin/env node
// The study of docs/two-levels.md (issue #15 item 6): two VMs replaying traces/ls.lackey.gz
// (valgrind lackey, 136 pages, working set ~24-42 pages), each with 64 guest frames, on hosts
// overcommitted 1.0, 1.25, 1.5 and 2.0 (sum of guest memory / host memory), under four ladders.
// Prints the markdown table the page shows. Usage: node scripts/two-level-study.js
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const G = 64;
const trace = join(ROOT, 'traces/ls.lackey.gz');
const rows = ['| overcommit | host frames | `--reclaim` | guest swap I/O | host swap I/O | all disk I/O | double paging | false reads | balloon (end) | `eat_ns` |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |'];
for (const ratio of [1.0, 1.25, 1.5, 2.0]) {
  const frames = Math.floor((2 * G) / ratio);
  for (const ladder of ['swap', 'balloon,swap', 'compress,swap', 'balloon,compress,swap']) {
    const args = ['simulate', '--vm', `name=a,trace=${trace},memory=${G}`, '--vm', `name=b,trace=${trace},memory=${G}`, '--frames', String(frames), '--reclaim', ladder, '--format', 'json', '-q'];
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/vmmem.js'), ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const doc = JSON.parse(r.stdout);
    const t = doc.rows.find((row) => row.vm === 'TOTAL');
    const guestIo = t.swap_ins + t.swap_outs;
    const hostIo = t.host_swap_ins + t.host_swap_outs;
    rows.push(`| ${ratio.toFixed(2)} | ${frames} | ${ladder} | ${guestIo} | ${hostIo} | ${guestIo + hostIo} | ${t.double_paging} | ${t.false_reads} | ${t.balloon_end} | ${t.eat_ns.toFixed(1)} |`);
  }
}
console.log(rows.join('\n'));
