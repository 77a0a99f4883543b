// The examples of README.md and docs/*.md, found and run the same way by the script that writes
// their output back (scripts/docs-examples.js) and by the test that checks it
// (test/docs/examples.test.ts).
//
// What counts as an example:
// - a ```sh block: run as written by bash (`vmmem` and `npx vmmem` run this checkout's
//   bin/vmmem.js), and it must exit 0 (```sh exit=N: must exit N). When the next block is a bare
//   ``` block, that block is what it prints: notes on standard error first, then standard output.
// - ```sh norun: shown, never run (a cluster, a remote host); say why beside it.
// - <!-- generated: COMMAND --> ... <!-- end generated -->: the lines between are what COMMAND
//   prints (a table made by a script from several runs, for example).
// The blocks of one page run in order in one temporary directory, where `traces` and `scripts`
// are links to the checkout's: files an example writes are there for the next one, and none
// lands in the checkout.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** README.md, then docs/*.md in name order, as paths relative to ROOT. */
export function docPages() {
  const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort();
  return ['README.md', ...docs.map((f) => `docs/${f}`)];
}

/**
 * The examples of one page's text, in order: { kind: 'sh', script, exit, shown, start, end } where
 * shown is null for a block without output and [start, end) is the output's span in the text
 * (its inside), or { kind: 'generated', script, shown, start, end }.
 */
export function findExamples(text) {
  const examples = [];
  const fence = /^```([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm;
  const generated = /^<!-- generated: (.+?) -->\n([\s\S]*?)^<!-- end generated -->$/gm;
  for (const m of text.matchAll(generated)) {
    const start = m.index + m[0].indexOf('\n') + 1;
    examples.push({ kind: 'generated', script: m[1], shown: m[2], start, end: start + m[2].length, at: m.index });
  }
  const blocks = [...text.matchAll(fence)].map((m) => ({
    info: m[1].trim(),
    body: m[2],
    at: m.index,
    bodyStart: m.index + m[0].indexOf('\n') + 1,
    after: m.index + m[0].length,
  }));
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    const words = b.info.split(/\s+/);
    if (words[0] !== 'sh' || words.includes('norun')) continue;
    const exitWord = words.find((w) => w.startsWith('exit='));
    const exit = exitWord ? Number(exitWord.slice(5)) : 0;
    const next = blocks[i + 1];
    const between = next ? text.slice(b.after, next.at) : '';
    if (next && next.info === '' && between.trim() === '') {
      examples.push({ kind: 'sh', script: b.body, exit, shown: next.body, start: next.bodyStart, end: next.bodyStart + next.body.length, at: b.at });
      i++;
    } else {
      examples.push({ kind: 'sh', script: b.body, exit, shown: null, at: b.at });
    }
  }
  return examples.sort((a, b) => a.at - b.at);
}

/** A temporary directory for one page's examples; call the returned function to remove it. */
export function exampleDir() {
  const dir = mkdtempSync(join(tmpdir(), 'vmmem-docs-'));
  symlinkSync(join(ROOT, 'traces'), join(dir, 'traces'));
  symlinkSync(join(ROOT, 'scripts'), join(dir, 'scripts'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs an example's script in dir: { status, output } with output = stderr then stdout, trimmed at the end. */
export function runExample(script, dir) {
  const bin = join(ROOT, 'bin', 'vmmem.js');
  const prelude = [
    'set -o pipefail',
    `vmmem() { ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} "$@"; }`,
    'npx() { if [ "$1" = vmmem ]; then shift; vmmem "$@"; else command npx "$@"; fi; }',
    '',
  ].join('\n');
  const env = { ...process.env };
  for (const name of ['NO_COLOR', 'FORCE_COLOR', 'COLUMNS', 'VMMEM_DEBUG']) delete env[name];
  const r = spawnSync('bash', ['-c', prelude + script], { cwd: dir, encoding: 'utf8', env, maxBuffer: 64 << 20 });
  return { status: r.status, output: `${(r.stderr + r.stdout).trimEnd()}\n` };
}

/** The text of a page with every example's output replaced by what it prints now. */
export function refreshPage(page, onExample) {
  const text = readFileSync(join(ROOT, page), 'utf8');
  const { dir, remove } = exampleDir();
  const edits = [];
  try {
    for (const ex of findExamples(text)) {
      const r = runExample(ex.script, dir);
      onExample?.(ex, r);
      if (ex.shown !== null && r.output !== ex.shown) edits.push({ start: ex.start, end: ex.end, output: r.output });
    }
  } finally {
    remove();
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.output + out.slice(e.end);
  return { text: out, changed: edits.length };
}
