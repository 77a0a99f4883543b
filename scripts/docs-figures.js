#!/usr/bin/env node
// The figures shown in the docs (docs/figures/*.svg), drawn by vmmem's --plot-out. Run after a
// change to the figures; test/report/figure.test.ts checks that the committed files are what
// these commands draw now. Usage: node scripts/docs-figures.js [DIR] (default docs/figures).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DOC_FIGURES = [
  ['mrc-ls.svg', ['mrc', 'traces/ls.lackey.gz', '--policy', 'lru,opt', '--points', '20']],
  ['compare-zipf.svg', ['compare', 'traces/zipf.csv', '--policies', 'lru,fifo,clock,lfu,opt', '--frames', '10..160x2', '--jobs', '1']],
  ['policies-ls.svg', ['compare', 'traces/ls.lackey.gz', '--policies', 'all', '--frames', '8..128x2', '--jobs', '1']],
  ['plan-web-db.svg', ['plan', 'traces/web.csv', 'traces/db.csv', '--frames', '140']],
  ['two-levels-ls.svg', ['simulate', '--vm', 'name=a,trace=traces/ls.lackey.gz,memory=64,balloon=0', '--vm', 'name=b,trace=traces/ls.lackey.gz,memory=64', '--frames', '85', '--reclaim', 'balloon,swap', '--interval', '8000']],
];

const dir = resolve(process.argv[2] ?? join(ROOT, 'docs', 'figures'));
mkdirSync(dir, { recursive: true });
for (const [name, args] of DOC_FIGURES) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'vmmem.js'), ...args, '--plot-out', join(dir, name), '-q', '--format', 'csv'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`${name}: exit ${r.status}: ${r.stderr}`);
    process.exitCode = 1;
  }
}
