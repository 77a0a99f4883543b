/**
 * Every value option of a command works in the library with the CLI's check: given the same bad
 * value, the library throws the error whose message the CLI prints (or both succeed with the
 * same result). Walks commander's declarations, so that an option added to the CLI is tested
 * here too; the terminal-only options are the documented exceptions (docs/library.md).
 */
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { compare, inspect, mrc, plan, simulate } from '../../src/index.js';
import { vmmem } from '../cli/in-process.js';

const TERMINAL_ONLY = new Set(['format', 'color', 'quiet', 'output', 'columns', 'wide', 'plot', 'plotOut', 'intervalOut', 'baseline', 'tolerance', 'version', 'help']);

type Run = (options: Record<string, unknown>) => Promise<unknown>;
const COMMANDS: [string, string[], Run][] = [
  ['simulate', ['traces/web.csv'], (o) => simulate({ traces: ['traces/web.csv'], ...o })],
  ['compare', ['traces/web.csv'], (o) => compare({ traces: ['traces/web.csv'], frames: '8', ...o })],
  ['mrc', ['traces/web.csv'], (o) => mrc({ traces: ['traces/web.csv'], points: 4, ...o })],
  ['plan', ['traces/web.csv'], (o) => plan({ traces: ['traces/web.csv'], frames: 8, ...o })],
  ['inspect', ['traces/web.csv'], (o) => inspect({ traces: ['traces/web.csv'], ...o })],
];
const DEFAULT_ARGS: Record<string, string[]> = { compare: ['--frames', '8'], mrc: ['--points', '4'], plan: ['--frames', '8'] };

const program = buildProgram({ stdout() {}, stderr() {}, stdoutIsTty: false, stderrIsTty: false, env: {} });

describe.each(COMMANDS)('%s: each value option, given a bad value, fails alike in the library and the CLI', (name, traces, run) => {
  const command = program.commands.find((c) => c.name() === name)!;
  const options = command.options.filter((o) => (o.required || o.optional) && !TERMINAL_ONLY.has(o.attributeName()));
  it('has value options to test', () => expect(options.length).toBeGreaterThan(2));
  it.each(options.map((o) => [o.long!, o.attributeName()] as const))('%s', async (flag, key) => {
    const bad = 'bogus!';
    const defaults = DEFAULT_ARGS[name] ?? [];
    // an option the defaults also give replaces them
    const given = defaults.includes(flag) ? [] : defaults;
    const cli = await vmmem([name, ...traces, ...given, flag, bad, '--format', 'json']);
    const value = key === 'vm' ? [bad] : bad;
    const replaced = defaults.includes(flag) ? { frames: undefined, points: undefined } : {};
    let lib: unknown;
    try {
      lib = await run({ ...replaced, [key]: value });
    } catch (err) {
      expect(cli.code, `${flag}: the CLI accepted what the library refused`).not.toBe(0);
      expect(`vmmem: ${(err as Error).message}\n`).toBe(cli.stderr);
      return;
    }
    expect(cli.code, `${flag}: the library accepted what the CLI refused: ${cli.stderr}`).toBe(0);
    expect(lib).toEqual(JSON.parse(cli.stdout));
  });
});
