/**
 * docs/library.md: every ```js example followed by an output block runs (as a module in the
 * repository's root, where `import ... from 'vmmem'` resolves to this package) and prints what
 * the page shows.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const page = readFileSync(join(ROOT, 'docs/library.md'), 'utf8');
const examples = [...page.matchAll(/```js\n([\s\S]*?)```\n\n```\n([\s\S]*?)```/g)].map((m) => ({ code: m[1]!, shown: m[2]! }));

it('docs/library.md has its examples', () => expect(examples.length).toBeGreaterThanOrEqual(4));

it.each(examples.map((e, i) => [i + 1, e] as const))('docs/library.md example %i prints what is shown', (_i, { code, shown }) => {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
  expect(out).toBe(shown);
});
