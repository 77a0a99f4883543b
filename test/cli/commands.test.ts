import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { processIo } from '../../src/cli/io.js';
import { cli, ROOT } from '../helpers.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const COMMANDS = buildProgram(processIo()).commands.map((c) => c.name());

describe('commands', () => {
  it('include the trace tools and the regression check', () => {
    expect(COMMANDS).toEqual(expect.arrayContaining(['simulate', 'diff', 'generate', 'convert', 'inspect']));
  });

  it.each(COMMANDS)('%s is in the README command table and in vmmem --help, and has --help of its own', (name) => {
    expect(README).toMatch(new RegExp(`^\\| \`vmmem ${name}[ \`]`, 'm'));
    const top = cli(['--help']);
    expect(top.stdout).toMatch(new RegExp(`^\\s+${name}\\b`, 'm'));
    const own = cli([name, '--help']);
    expect(own.status).toBe(0);
    expect(own.stdout).toMatch(/Exit codes:/);
  });

  it('every option of the new commands is in the README', () => {
    const program = buildProgram(processIo());
    for (const name of ['diff', 'generate', 'convert', 'inspect']) {
      const cmd = program.commands.find((c) => c.name() === name)!;
      for (const option of cmd.options) {
        if (['--format', '--columns', '--wide', '--output', '--color', '--no-color', '--quiet', '--trace-format', '--hex', '--ifetch', '--skip-bad-lines', '--page-size'].includes(option.long!)) continue;
        expect(README, `${name} ${option.long}`).toContain(option.long!);
      }
    }
    expect(README).toContain('--baseline');
    expect(README).toContain('--tolerance');
  });
});
