import { describe, expect, it } from 'vitest';
import { tempFile } from '../helpers.js';
import { vmmem } from './in-process.js';

type JsonRow = Record<string, number | string | null>;

async function json(args: string[]): Promise<{ rows: JsonRow[]; doc: Record<string, unknown> }> {
  const r = await vmmem([...args, '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout) as Record<string, unknown>;
  return { rows: doc.rows as JsonRow[], doc };
}

async function simulatedFaults(traces: string[], policy: string, frames: number, extra: string[] = []): Promise<number> {
  const { rows } = await json(['simulate', ...traces, '--policy', policy, '--frames', String(frames), ...extra]);
  return rows[rows.length - 1]!.faults as number;
}

describe('mrc', () => {
  it('LRU and OPT curves equal simulate at the sizes printed (zipf.csv)', async () => {
    const { rows, doc } = await json(['mrc', 'traces/zipf.csv', '--policy', 'lru,opt', '--points', '8']);
    expect(doc.distinct_pages).toBe(200);
    expect(rows.map((r) => r.policy)).toEqual([...new Array(8).fill('lru'), ...new Array(8).fill('opt')]);
    // 8 points from 1 to 200: 200^(k/7) rounded (200^(1/7) = 2.13, 200^(6/7) = 93.8).
    expect(rows.slice(0, 8).map((r) => r.frames)).toEqual([1, 2, 5, 10, 21, 44, 94, 200]);
    for (const r of rows) {
      expect(r.faults, `${r.policy} ${r.frames}`).toBe(await simulatedFaults(['traces/zipf.csv'], String(r.policy), r.frames as number));
      expect(r.miss_ratio).toBe((r.faults as number) / 5000);
      expect(r.memory_bytes).toBe((r.frames as number) * 4096);
    }
  });

  it('several traces share one memory, interleaved as in simulate', async () => {
    const traces = ['traces/web.csv', 'traces/db.csv'];
    const { rows } = await json(['mrc', ...traces, '--frames', '50,100,150', '--policy', 'lru,opt']);
    for (const r of rows) expect(r.faults).toBe(await simulatedFaults(traces, String(r.policy), r.frames as number));
  });

  it('takes --memory lists and --page-size', async () => {
    const { rows } = await json(['mrc', 'traces/zipf.csv', '--memory', '64KiB..256KiBx2', '--page-size', '8KiB']);
    expect(rows.map((r) => r.frames)).toEqual([8, 16, 32]);
    for (const r of rows) expect(r.faults).toBe(await simulatedFaults(['traces/zipf.csv'], 'lru', r.frames as number, ['--page-size', '8KiB']));
  });

  it('--points all gives every size from 1 to the footprint', async () => {
    const file = tempFile('five.plain', 'R 1\nR 2\nR 3\nR 4\nR 5\nR 1\n');
    const { rows } = await json(['mrc', file, '--page-size', '1', '--points', 'all']);
    expect(rows.map((r) => `${r.frames}:${r.faults}`)).toEqual(['1:6', '2:6', '3:6', '4:6', '5:5']);
  });

  it('SHARDS with --exact-too reports its error against the exact curve', async () => {
    const { rows, doc } = await json(['mrc', 'traces/ls.lackey.gz', '--sample-rate', '0.5', '--exact-too', '--points', '6']);
    const exact = rows.filter((r) => r.sample_rate === 1);
    const sampled = rows.filter((r) => r.sample_rate === 0.5);
    expect(exact).toHaveLength(6);
    expect(sampled).toHaveLength(6);
    const [error] = doc.shards_error as { mean_abs_error: number; max_abs_error: number; sample_rate: number }[];
    let sum = 0;
    let max = 0;
    let sizes = 0;
    exact.forEach((e, i) => {
      // a sample at rate 0.5 resolves 2 frames and up: 1 frame is not estimated, nor counted
      if ((e.frames as number) < 2) return;
      const d = Math.abs((e.miss_ratio as number) - (sampled[i]!.miss_ratio as number));
      sum += d;
      max = Math.max(max, d);
      sizes++;
    });
    expect(sizes).toBe(5);
    expect(error!.sample_rate).toBe(0.5);
    expect(error!.mean_abs_error).toBeCloseTo(sum / sizes, 12);
    expect(error!.max_abs_error).toBeCloseTo(max, 12);
    const one = await json(['mrc', 'traces/ls.lackey.gz', '--sample-rate', '1', '--exact-too', '--points', '6']);
    expect((one.doc.shards_error as { max_abs_error: number }[])[0]!.max_abs_error).toBe(0);
  });

  it('draws a plot on a terminal or with --plot, never in CSV or with --no-plot', async () => {
    const args = ['mrc', 'traces/zipf.csv', '--policy', 'lru,opt', '--points', '6'];
    const onTty = await vmmem([...args, '--no-color'], true);
    expect(onTty.stdout).toMatch(/frames \(log scale\)\n\s+\* lru {3}o opt/);
    expect(onTty.stdout.indexOf('miss ratio')).toBeLessThan(onTty.stdout.indexOf('┌'));
    expect((await vmmem([...args, '--plot'])).stdout).toMatch(/log scale/);
    expect((await vmmem(args)).stdout).not.toMatch(/log scale/);
    expect((await vmmem([...args, '--no-plot'], true)).stdout).not.toMatch(/log scale/);
    expect((await vmmem([...args, '--format', 'csv'], true)).stdout).not.toMatch(/log scale/);
    const bad = await vmmem([...args, '--plot', '--format', 'csv']);
    expect(bad.code).toBe(64);
  });

  it.each([
    [['--policy', 'nope'], /unknown policy 'nope'/],
    [['--sample-rate', '0.1', '--sample-size', '10'], /use one/],
    [['--seed', '3'], /applies with --sample-rate or --sample-size only/],
    [['--policy', 'opt', '--sample-size', '10'], /fixed rate only/],
    [['--sample-rate', '1.5'], /at most 1/],
    [['--exact-too'], /give --sample-rate/],
    [['--points', '5', '--frames', '4'], /use one/],
    [['--frames', '4..8'], /needs a step/],
  ])('refuses %j', async (extra, message) => {
    const r = await vmmem(['mrc', 'traces/zipf.csv', ...extra]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(message);
  });
});
