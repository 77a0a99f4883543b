/**
 * The scheduling parts of a whole simulation: static partitions over VMs that a csv names late,
 * entitlements and fairness in the outcome, the time series at exact access boundaries.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run/simulate.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { cli, config, tempFile, textSource } from '../helpers.js';
import { runAccesses, seq } from '../schedulers/harness.js';

describe('partition over a trace that names its VMs as it goes', () => {
  // a alone for 4 rows, then b: without a first pass over the trace, a's partition would be all
  // 4 frames. With it: 2 and 2, so a's 4 pages cycle through 2 frames.
  const csv = 'vm,addr\na,0\na,1\na,2\na,3\na,0\na,1\nb,0\nb,1\n';

  it('splits memory among all VMs before the replay', async () => {
    const out = await simulate({ sources: [textSource(csv, 'csv', 'x')], read: DEFAULT_READ_OPTIONS, config: config({ frames: 4, scheduler: 'partition' }) });
    expect(out.vms.map((v) => [v.name, v.entitlement, v.counters.faults, v.counters.resident])).toEqual([
      ['a', 2, 6, 2],
      ['b', 2, 2, 2],
    ]);
  });

  it('reads standard input twice for it', () => {
    const r = cli(['simulate', '-', '--page-size', '1', '--frames', '4', '--scheduler', 'partition', '--format', 'csv'], { input: csv });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('\na,lru,partition,4,6,6,0,0,6,');
  });
});

describe('the scheduling outcome', () => {
  it("reports entitlements and Jain's index of resident / entitlement", async () => {
    // F = 6, weights 2:1 -> entitlements 4 and 2. a touches 6 pages, b 6 pages, alternating;
    // plain weight ends at a 4, b 2 (each at its entitlement): Jain 1.
    const csv = 'vm,addr\n' + Array.from({ length: 24 }, (_, i) => `${i % 2 ? 'b' : 'a'},${Math.floor(i / 2) % 6}`).join('\n') + '\n';
    const out = await simulate({
      sources: [textSource(csv, 'csv', 'x')],
      read: DEFAULT_READ_OPTIONS,
      config: config({
        frames: 6,
        scheduler: 'weight',
        vms: [{ name: 'a', origin: 'test', priority: 0, weight: 2, reserve: 0, limit: Infinity }],
      }),
    });
    expect(out.vms.map((v) => [v.name, v.entitlement, v.counters.resident])).toEqual([
      ['a', 4, 4],
      ['b', 2, 2],
    ]);
    expect(out.scheduling!.jainIndex).toBe(1);
  });

  it('samples the time series after exactly every N accesses, with the faults of each interval', async () => {
    // one VM, 3 frames, pages 0 1 2 3 0 1 2 3 0 (LRU: every access faults), N = 4
    const out = await simulate({
      sources: [textSource('0\n1\n2\n3\n0\n1\n2\n3\n0\n', 'plain', 'vm')],
      read: DEFAULT_READ_OPTIONS,
      config: config({ frames: 3 }),
      interval: 4,
    });
    expect(out.series!.t).toEqual([4, 8, 9]);
    expect(out.series!.faults).toEqual([[4, 4, 1]]);
    expect(out.series!.resident).toEqual([[3, 3, 3]]);
  });
});

describe('no frame for a VM', () => {
  const dir = tempFile('hi.plain', '0\n1\n2\n3\n');
  const lo = tempFile('lo.plain', '0\n1\n2\n3\n');

  it('is reported as an OOM kill with its reason', () => {
    // F = 2, hi priority 2 and lo 1 in turn: hi0 lo0 fill; hi1 takes lo0; lo1: lo holds nothing
    // and may not take from hi -> OOM-killed.
    const r = cli(['simulate', '--page-size', '1', '--frames', '2', '--scheduler', 'highest', '--vm', `name=hi,trace=${dir},priority=2`, '--vm', `name=lo,trace=${lo},priority=1`, '--format', 'csv']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("out of memory: VM 'lo' was OOM-killed at access 4: scheduler highest left it no frame it may take");
  });

  it('stops with exit 3 under --on-oom error', () => {
    const r = cli(['simulate', '--page-size', '1', '--frames', '2', '--scheduler', 'highest', '--on-oom', 'error', '--vm', `name=hi,trace=${dir},priority=2`, '--vm', `name=lo,trace=${lo},priority=1`]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/scheduler highest leaves it no frame it may take/);
    expect(r.stdout).toBe('');
  });
});

describe('the cause of an OOM kill', () => {
  it('is the full swap when every frame holds a dirty page', () => {
    // F = 2, no swap: a writes a0 and a1; b's fault finds only dirty pages -> b is killed.
    const h = runAccesses(seq('a0w a1w b0'), { frames: 2, scheduler: 'global', swapSlots: 0 });
    expect(h.engine.oomEvents).toEqual([{ vm: 1, position: 2, framesFreed: 0, cause: 'swap-full' }]);
  });

  it('is the scheduler when clean pages exist but the VM may not take them', () => {
    // Same, no swap, but hi's pages are clean: lo (priority 1) holds nothing and may not take
    // a frame from hi (priority 2) - the scheduler, not the swap, leaves it without a frame.
    const h = runAccesses(seq('hi0 hi1 lo0'), {
      frames: 2,
      scheduler: 'highest',
      swapSlots: 0,
      vms: [
        { name: 'hi', priority: 2 },
        { name: 'lo', priority: 1 },
      ],
    });
    expect(h.engine.oomEvents).toEqual([{ vm: 1, position: 2, framesFreed: 0, cause: 'no-frame' }]);
  });
});
