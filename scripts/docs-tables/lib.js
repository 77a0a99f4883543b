// Shared by the scripts that print the docs' tables of several runs (each table sits between
// <!-- generated: node scripts/docs-tables/NAME.js --> and <!-- end generated --> in a page, and
// test/docs/examples.test.ts checks that the page shows what the script prints now).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs `vmmem ARGS --format json -q` from the checkout's root and returns the parsed result. */
export function vmmemJson(args) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'vmmem.js'), ...args, '--format', 'json', '-q'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vmmem ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** A Markdown table of header names and rows of cells. */
export function markdown(headers, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The row of VM `name` (or `TOTAL`) of a simulate result. */
export function row(result, name) {
  const r = result.rows.find((x) => x.vm === name);
  if (!r) throw new Error(`no row ${name}`);
  return r;
}
