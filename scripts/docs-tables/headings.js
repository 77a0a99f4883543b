#!/usr/bin/env node
// docs/output.md, "Table headings": where a table heading differs from the CSV column name, and
// which columns a table leaves out, read from what the commands print (each column asked for
// alone with --columns, which gives it its heading, or its CSV name when it has none).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { markdown } from './lib.js';

const ROOT = join(import.meta.dirname, '..', '..');
process.chdir(ROOT);
const { main } = await import(pathToFileURL(join(ROOT, 'dist', 'cli', 'main.js')).href);

async function run(args) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stdoutIsTty: false, stderrIsTty: false, env: {} };
  const code = await main([...args, '-q'], io);
  if (code !== 0) throw new Error(`vmmem ${args.join(' ')}: exit ${code}: ${stderr}`);
  return stdout;
}

/** The headings of a table's first row, without compare's mark column. */
function headings(table) {
  const line = table.split('\n').find((l) => l.startsWith('│'));
  return line.split('│').slice(1, -1).map((c) => c.trim()).filter((c) => c !== '');
}

// [what the docs call it, arguments]; together they print every kind of column
const baseline = join(process.env.TMPDIR ?? '/tmp', `vmmem-headings-${process.pid}.json`);
const RUNS = [
  ['simulate', ['simulate', 'traces/web.csv', '--frames', '16', '--translation', 'nested,shadow', '--dedup', 'ksm', '--host-page', '2MiB']],
  ['simulate', ['simulate', '--config', 'traces/three-vms/scenario.json']],
  ['simulate', ['simulate', 'traces/web.csv', '--frames', '16', '--guest-memory', '128KiB', '--reclaim', 'balloon,compress,swap']],
  ['compare', ['compare', 'traces/web.csv', '--policies', 'lru', '--frames', '8']],
  ['mrc', ['mrc', 'traces/web.csv', '--frames', '8,16', '--sample-rate', '0.5', '--no-plot']],
  ['plan', ['plan', 'traces/web.csv', 'traces/db.csv', '--frames', '64', '--verify']],
  ['inspect', ['inspect', 'traces/web.csv']],
  ['inspect --report reuse', ['inspect', 'traces/web.csv', '--report', 'reuse']],
  ['generate', ['generate', '--pattern', 'zipf', '--pages', '10', '--accesses', '20', '-o', `${baseline}.csv`]],
  ['convert', ['convert', 'traces/web.csv', `${baseline}.vmt`]],
  ['diff', ['diff', baseline, baseline]],
];

const { writeFileSync, rmSync } = await import('node:fs');
writeFileSync(baseline, await run(['simulate', 'traces/web.csv', '--frames', '16', '--format', 'json']));
/** per command: CSV name -> its heading, or null when the table leaves it out */
const found = new Map();
try {
  for (const [name, args] of RUNS) {
    if (!found.has(name)) found.set(name, new Map());
    const map = found.get(name);
    const keys = (await run([...args, '--format', 'csv'])).split('\n', 1)[0].split(',');
    // what the wide table shows, as a multiset: a heading that is not its CSV name is one the
    // column has; the rest of the table's headings are CSV names shown as they are
    const shown = headings(await run([...args, '--format', 'table', '--wide']));
    const alone = [];
    for (const key of keys) alone.push([key, headings(await run([...args, '--format', 'table', '--columns', key]))[0]]);
    const take = (heading) => {
      const i = shown.indexOf(heading);
      if (i >= 0) shown.splice(i, 1);
      return i >= 0;
    };
    for (const [key, heading] of alone) if (heading !== key && !map.has(key)) map.set(key, take(heading) ? heading : null);
    for (const [key, heading] of alone) if (heading === key && !map.has(key)) map.set(key, take(heading) ? heading : null);
  }
} finally {
  for (const f of [baseline, `${baseline}.csv`, `${baseline}.vmt`]) rmSync(f, { force: true });
}
const rows = [...found].map(([name, map]) => {
  const differ = [...map].filter(([key, heading]) => heading !== null && heading !== key).map(([key, heading]) => `\`${key}\` ${heading}`);
  const left = [...map].filter(([, heading]) => heading === null).map(([key]) => `\`${key}\``);
  return [name, differ.join(', ') || '(none)', left.join(', ') || '(none)'];
});
console.log(markdown(['command', 'CSV column and its table heading, where they differ', 'CSV columns the table leaves out'], rows));
