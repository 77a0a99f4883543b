/** --tick, --aging-bits and --tau: accepted with the policies that read them, refused (64) with the others, also in --config. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cli, ROOT, tempFile } from '../helpers.js';

const TRACE = tempFile('policy-options.plain', 'W 0\nR 1\nR 2\nR 0\nR 3\nR 1\nR 4\nR 0\nR 2\nR 5\n');
const ZIPF = join(ROOT, 'traces/zipf.csv');
const faults = (args: string[], trace = ZIPF): number => {
  const r = cli(['simulate', trace, '--frames', '64', '--format', 'json', ...args]);
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { rows: { vm: string; faults: number }[] }).rows.find((row) => row.vm === 'TOTAL')!.faults;
};

describe('policy options', () => {
  it('refuses each option with a policy that does not read it, naming the ones that do', () => {
    for (const [args, message] of [
      [['--policy', 'lru', '--tick', '5'], '--tick: applies with --policy nru or aging only (not lru)'],
      [['--policy', 'nru', '--aging-bits', '4'], '--aging-bits: applies with --policy aging only (not nru)'],
      [['--policy', 'aging', '--tau', '4'], '--tau: applies with --policy wsclock only (not aging)'],
      [['--policy', 'aging', '--aging-bits', '32'], '--aging-bits: at most 31'],
      [['--policy', 'nru', '--tick', '0'], '--tick'],
    ] as const) {
      const r = cli(['simulate', TRACE, ...args]);
      expect(r.status, args.join(' ')).toBe(64);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('changes the run when given, and the defaults equal not giving it', () => {
    expect(faults(['--policy', 'nru', '--tick', '1000'])).toBe(faults(['--policy', 'nru']));
    expect(faults(['--policy', 'wsclock', '--tau', '10000'])).toBe(faults(['--policy', 'wsclock']));
    expect(faults(['--policy', 'aging', '--aging-bits', '8', '--tick', '1000'])).toBe(faults(['--policy', 'aging']));
    expect(faults(['--policy', 'nru', '--tick', '10'])).not.toBe(faults(['--policy', 'nru']));
    expect(faults(['--policy', 'aging', '--aging-bits', '1', '--tick', '10'])).not.toBe(faults(['--policy', 'aging', '--tick', '10']));
    expect(faults(['--policy', 'wsclock', '--tau', '50'])).not.toBe(faults(['--policy', 'wsclock']));
  });

  it('is taken from --config, and refused there with a policy that does not read it', () => {
    const ok = tempFile('policy-options-ok.json', JSON.stringify({ policy: 'aging', tick: 2, aging_bits: 3 }));
    expect(faults(['--config', ok])).toBe(faults(['--policy', 'aging', '--tick', '2', '--aging-bits', '3']));
    const bad = tempFile('policy-options-bad.json', JSON.stringify({ policy: 'lru', tau: 5 }));
    const r = cli(['simulate', TRACE, '--config', bad]);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('--tau: applies with --policy wsclock only');
    const badValue = tempFile('policy-options-value.json', JSON.stringify({ policy: 'nru', tick: 'often' }));
    const v = cli(['simulate', TRACE, '--config', badValue]);
    expect(v.status).toBe(64);
    expect(v.stderr).toContain('tick');
  });

  it('compare accepts an option when one of its policies reads it', () => {
    const r = cli(['compare', TRACE, '--page-size', '1', '--policies', 'lru,wsclock', '--frames', '3', '--tau', '2', '--format', 'csv']);
    expect(r.status, r.stderr).toBe(0);
    expect(cli(['compare', TRACE, '--policies', 'lru,fifo', '--frames', '3', '--tau', '2']).status).toBe(64);
  });
});
