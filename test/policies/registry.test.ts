/**
 * The policy registry (STYLE.md): a policy is one file plus one line in src/policies/index.ts.
 * This walks the registry so a new policy cannot go unnamed, undocumented or misnamed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policies, POLICY_NAMES } from '../../src/policies/index.js';
import { cli, ROOT } from '../helpers.js';

const DIR = join(ROOT, 'src/policies');

describe('the policy registry', () => {
  it('names every policy after its file, src/policies/<name>.ts, which exports it under that name', async () => {
    for (const [key, definition] of Object.entries(policies)) {
      expect(definition.name, key).toBe(key);
      const module = (await import(join(DIR, `${key}.ts`))) as Record<string, unknown>;
      expect(module[key], `src/policies/${key}.ts exports ${key}`).toBe(definition);
    }
  });

  it('holds every policy defined in src/policies', async () => {
    for (const file of readdirSync(DIR).filter((f) => f.endsWith('.ts') && f !== 'index.ts')) {
      const module = (await import(join(DIR, file))) as Record<string, unknown>;
      for (const value of Object.values(module)) {
        const looksLikePolicy = typeof value === 'object' && value !== null && 'create' in value && 'needsFuture' in value;
        if (looksLikePolicy) expect(POLICY_NAMES, `${file} defines a policy that is not registered`).toContain((value as unknown as { name: string }).name);
      }
    }
  });

  it('lists every policy with its summary in `vmmem simulate --help`', () => {
    const help = cli(['simulate', '--help']);
    expect(help.status).toBe(0);
    const text = help.stdout.replace(/\s+/g, ' ');
    for (const name of POLICY_NAMES) {
      expect(text).toContain(`${name} ${policies[name].summary}`.replace(/\s+/g, ' '));
    }
  });

  it("lists every policy in docs/engine.md's policy table", () => {
    const readme = readFileSync(join(ROOT, 'docs/engine.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Replacement policies'));
    const table = section.slice(0, section.indexOf('\n\n', section.indexOf('|')));
    for (const name of POLICY_NAMES) expect(table, name).toMatch(new RegExp(`^\\| \`${name}\` \\|`, 'm'));
    // and no row for a policy that does not exist
    const rows = [...table.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual([...POLICY_NAMES].sort());
  });

  it('gives every policy a section in docs/policies.md (the operating systems\' in docs/os-policies.md)', () => {
    const docs = readFileSync(join(ROOT, 'docs/policies.md'), 'utf8') + readFileSync(join(ROOT, 'docs/os-policies.md'), 'utf8');
    for (const name of POLICY_NAMES) expect(docs, name).toMatch(new RegExp(`^#+ \`${name}\`(:.*)?$`, 'm'));
  });
});
