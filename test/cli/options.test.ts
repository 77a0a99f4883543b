/**
 * Command-line sizes and settings -> engine configuration (table-driven argv -> config). Bad
 * sizes and settings through the CLI: test/robustness/bad-input.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { engineConfig, type RawOptions } from '../../src/options/options.js';
import { cli, tempFile } from '../helpers.js';

const cfg = (raw: RawOptions) => engineConfig(raw, 'lru');

describe('engine options', () => {
  it.each([
    [{}, 256, 4096, Infinity],
    [{ frames: '8' }, 8, 4096, Infinity],
    [{ memory: '10KiB' }, 2, 4096, Infinity], // floor(10240 / 4096)
    [{ memory: '1M', pageSize: '64k' }, 16, 65536, Infinity],
    [{ memory: '512MiB' }, 131072, 4096, Infinity],
    [{ frames: '3', swap: '6KiB' }, 3, 4096, 1], // floor(6144 / 4096)
    [{ frames: '3', swap: '0' }, 3, 4096, 0],
    [{ frames: '3', swap: 'unlimited' }, 3, 4096, Infinity],
    [{ frames: '3', pageSize: '1', swap: '5' }, 3, 1, 5],
    [{ frames: '3', pageSize: '1GiB' }, 3, 2 ** 30, Infinity],
  ] as [RawOptions, number, number, number][])('%j -> %i frames of %i bytes, %d swap slots', (raw, frames, pageSize, swapSlots) => {
    const c = cfg(raw);
    expect([c.frames, c.pageSize, c.swapSlots]).toEqual([frames, pageSize, swapSlots]);
  });

  it('--latency overrides only what it names', () => {
    const c = cfg({ latency: 'major=1ms,hit=5ns' });
    expect(c.latency).toEqual({ hitNs: 5, minorNs: 2000, majorNs: 1e6, swapoutNs: 50000, walkrefNs: 100, vmexitNs: 0 });
  });
});

describe('--seed through the CLI', () => {
  const file = tempFile('loop.plain', Array.from({ length: 600 }, (_, i) => `R ${(i * 7) % 13}`).join('\n') + '\n');
  const faults = (seed: string) => {
    const r = cli(['simulate', file, '--policy', 'random', '--page-size', '1', '--frames', '5', '--seed', seed, '--format', 'csv']);
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split('\n')[1]!.split(',')[8];
  };

  it('the same seed gives the same result, and the default is seed 1', () => {
    expect(faults('42')).toBe(faults('42'));
    expect(faults('1')).toBe(cli(['simulate', file, '--policy', 'random', '--page-size', '1', '--frames', '5', '--format', 'csv']).stdout.split('\n')[1]!.split(',')[8]);
  });
});
