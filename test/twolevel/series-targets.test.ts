/**
 * `--interval` with two levels under `--scheduler balance` carries each VM's target (issue 16:
 * "targets appear in the --interval series"). Reduction 2 of SPEC 2.7 as the reference: with guest
 * memory for every page the host sees each guest page as one guest frame, so its window curves,
 * and so its targets, are the one-level run's; its backed frames are the one-level resident.
 */
import { describe, expect, it } from 'vitest';
import { vmmem } from '../cli/in-process.js';

async function series(args: string[]): Promise<Record<string, string>[]> {
  const r = await vmmem(['simulate', ...args, '--format', 'csv', '-q']);
  expect(r.code, r.stderr).toBe(0);
  const section = r.stdout.split('\n\n')[1]!.trimEnd().split('\n');
  const head = section[0]!.split(',');
  return section.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i]!, v])));
}

describe('two levels, balance, --interval', () => {
  it('the series has the targets of the one-level run, and backed = its resident', async () => {
    const run = ['traces/web.csv', 'traces/db.csv', '--frames', '100', '--scheduler', 'balance', '--rebalance', '1000', '--interval', '1000'];
    const one = await series(run);
    const two = await series([...run, '--guest-memory', '1MiB']);
    expect(Object.keys(two[0]!)).toEqual(['t', 'vm', 'faults', 'swap_ins', 'swap_outs', 'resident', 'target', 'backed', 'balloon']);
    expect(two.map((r) => [r.t, r.vm, r.target, r.backed])).toEqual(one.map((r) => [r.t, r.vm, r.target, r.resident]));
    // the targets move (a rebalance happened) and always split the host's 100 frames
    expect(new Set(two.map((r) => r.target)).size).toBeGreaterThan(2);
    for (let i = 0; i < two.length; i += 2) expect(Number(two[i]!.target) + Number(two[i + 1]!.target)).toBe(100);
  });

  it('without balance there is no target column', async () => {
    const two = await series(['traces/web.csv', '--frames', '20', '--guest-memory', '1MiB', '--interval', '1000']);
    expect(Object.keys(two[0]!)).toEqual(['t', 'vm', 'faults', 'swap_ins', 'swap_outs', 'resident', 'backed', 'balloon']);
  });
});
