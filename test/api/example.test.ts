/**
 * examples/sweep.mjs, run as a user would: its table holds the faults `vmmem compare` gives for
 * the same cells, and opt (Belady's MIN) has the fewest faults at every size.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { vmmem } from '../cli/in-process.js';

it('examples/sweep.mjs: the faults of compare, opt the least at each size', async () => {
  const out = execFileSync(process.execPath, [join(ROOT, 'examples/sweep.mjs'), 'traces/zipf.csv', 'lru,fifo,clock,opt', '16,64'], { cwd: ROOT, encoding: 'utf8' });
  const [header, ...lines] = out.trim().split('\n');
  expect(header).toBe('frames,lru,fifo,clock,opt');
  const cli = await vmmem(['compare', 'traces/zipf.csv', '--policies', 'lru,fifo,clock,opt', '--frames', '16,64', '--format', 'json']);
  const rows = JSON.parse(cli.stdout).rows as { policy: string; frames: number; faults: number }[];
  expect(lines).toHaveLength(2);
  for (const line of lines) {
    const [frames, ...faults] = line.split(',').map(Number);
    const policies = ['lru', 'fifo', 'clock', 'opt'];
    faults.forEach((f, i) => expect(f).toBe(rows.find((r) => r.frames === frames && r.policy === policies[i])!.faults));
    expect(Math.min(...faults)).toBe(faults[3]);
  }
});
