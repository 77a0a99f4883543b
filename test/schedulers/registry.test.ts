/**
 * Every scheduler in the registry is named like its file, documented in --help and docs/scheduling.md,
 * and has hand-worked tests (a describe block named after it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schedulers, SCHEDULER_NAMES } from '../../src/schedulers/index.js';
import { cli, ROOT } from '../helpers.js';

describe('the scheduler registry', () => {
  const help = cli(['simulate', '--help']).stdout;
  const readme = readFileSync(join(ROOT, 'docs/scheduling.md'), 'utf8');
  const handWorked = readFileSync(join(ROOT, 'test/schedulers/hand-worked.test.ts'), 'utf8');

  it.each(SCHEDULER_NAMES)('%s is named like its file, documented and tested', (name) => {
    const s = schedulers[name];
    expect(s.name).toBe(name);
    expect(existsSync(join(ROOT, 'src/schedulers', `${name}.ts`))).toBe(true);
    expect(s.summary.length).toBeGreaterThan(10);
    expect(help).toContain(`${name.padEnd(9)} ${s.summary}`);
    expect(readme).toMatch(new RegExp(`^\\| \`${name}\` \\|`, 'm'));
    expect(handWorked).toContain(`describe('${name}'`);
  });
});
