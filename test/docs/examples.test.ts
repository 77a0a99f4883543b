/**
 * Every example in README.md and docs/*.md runs as written and prints what the page shows
 * (scripts/docs-examples-lib.js says what an example is; `node scripts/docs-examples.js`
 * writes the real output back after a change).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain JS module shared with the script
import { ROOT, docPages, exampleDir, findExamples, runExample } from '../../scripts/docs-examples-lib.js';

type Example = { kind: 'sh' | 'generated'; script: string; exit?: number; shown: string | null };

const pages = (docPages as () => string[])();

describe('the docs examples', () => {
  it('the README has a first run before its command table, and the docs have examples', () => {
    const readme = readFileSync(join(ROOT as string, 'README.md'), 'utf8');
    const examples = (findExamples as (t: string) => Example[])(readme);
    expect(examples.length).toBeGreaterThanOrEqual(3);
    const first = examples[0]!.script.trim();
    expect(first).toMatch(/^npx vmmem simulate traces\//);
    expect(readme.indexOf(first)).toBeLessThan(readme.indexOf('## Commands'));
  });

  it.each(pages)('%s: every example runs as written and prints what is shown', (page) => {
    const text = readFileSync(join(ROOT as string, page), 'utf8');
    const { dir, remove } = (exampleDir as () => { dir: string; remove: () => void })();
    try {
      for (const ex of (findExamples as (t: string) => Example[])(text)) {
        const r = (runExample as (s: string, d: string) => { status: number; output: string })(ex.script, dir);
        const what = `${page}: ${ex.script.trim().split('\n')[0]}`;
        expect(r.status, `${what}\n${r.output}`).toBe(ex.kind === 'sh' ? ex.exit : 0);
        if (ex.shown !== null) expect(r.output.split('\n'), what).toEqual(ex.shown.split('\n'));
      }
    } finally {
      remove();
    }
  }, 300_000);
});
