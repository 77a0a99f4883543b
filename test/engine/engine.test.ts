/**
 * The latency model (SPEC 2.5), host statistics (SPEC 2.4) and host size, worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run/simulate.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { config, run, textSource } from '../helpers.js';

describe('effective access time', () => {
  it('= (hits x hit + minor x minor + major x major + swap-outs waited for x swapout) / accesses', async () => {
    // The sequence of test/engine/swap.test.ts: 1 hit, 8 minor, 2 major, 2 swap-outs in 11 accesses.
    const W = true;
    const R = false;
    const pages = [1, 2, 3, 4, 1, 2, 3, 1, 1, 5, 6];
    const writes = [W, R, R, R, R, R, R, R, W, R, R];
    const out = await run(pages, { frames: 2 }, writes);
    // defaults 100 ns, 2 us, 50 us, 50 us: (100 + 16000 + 100000 + 100000) / 11
    expect(out.total.eatNs).toBeCloseTo(216100 / 11, 9);
    const custom = await run(pages, { frames: 2, latency: { hitNs: 1, minorNs: 10, majorNs: 100, swapoutNs: 1000, walkrefNs: 0, vmexitNs: 0 } }, writes);
    expect(custom.total.eatNs).toBeCloseTo((1 + 80 + 200 + 2000) / 11, 9);
  });

  it("charges a swap-out to the VM whose fault waited for it, not to the page's owner", async () => {
    // One frame, round robin a: R1 R1 R1, b: W2 W2 W2 (page size 1). a's page is never written
    // (always a minor fault, evicted clean); b's page is dirty when a's faults at t2 and t4 evict
    // it: those two swap-outs are a's waits. b: 1 minor + 2 major, no waits.
    const out = await simulate({
      sources: [textSource('R 1\nR 1\nR 1\n', 'plain', 'a'), textSource('W 2\nW 2\nW 2\n', 'plain', 'b')],
      read: DEFAULT_READ_OPTIONS,
      config: config({ frames: 1, pageSize: 1 }),
    });
    const [a, b] = out.vms;
    expect(a!.eatNs).toBeCloseTo((3 * 2000 + 2 * 50000) / 3, 9);
    expect(b!.eatNs).toBeCloseTo((2000 + 2 * 50000) / 3, 9);
    expect(b!.counters.swapOuts).toBe(2);
    expect(out.total.eatNs).toBeCloseTo((3 * 2000 + 2 * 50000 + 2000 + 2 * 50000) / 6, 9);
  });
});

describe('host statistics', () => {
  it('frames in use at the end, at peak, and averaged over accesses', async () => {
    // 4 frames: R1 R2 R1 R1 -> frames in use after each access 1 2 2 2: average 7/4
    const out = await run([1, 2, 1, 1], { frames: 4 });
    expect(out.host.framesInUseEnd).toBe(2);
    expect(out.host.framesInUsePeak).toBe(2);
    expect(out.host.framesInUseAvg).toBeCloseTo(7 / 4, 12);
    expect(out.host.utilisation).toBeCloseTo(7 / 16, 12);
    expect(out.host.distinctPages).toBe(2);
  });
});

describe('host size', () => {
  it('a large host (--memory 1TiB: 2^28 frames) costs nothing until its frames are used', async () => {
    // Regression: the engine allocated two 4-byte arrays per frame up front (2 GiB here).
    const before = process.memoryUsage().arrayBuffers;
    const out = await run([1, 2, 3, 1], { frames: 2 ** 28 });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
    expect(out.total.counters.faults).toBe(3);
    expect(out.host.framesInUseEnd).toBe(3);
    expect(out.host.frames).toBe(2 ** 28);
  });

  it('frames given back are reused before never-used ones (lowest first)', async () => {
    const { runEngine } = await import('./drive.js');
    const frames: number[] = [];
    // 4 frames: pages 0 1 2 get frames 0 1 2; F 1 gives back frame 1; page 3 gets frame 1, page 4 frame 3
    const rows = [0, 1, 2].map((page) => ({ vm: 0, page, op: 'R' as const }));
    runEngine([...rows, { vm: 0, page: 1, op: 'F' }, { vm: 0, page: 3, op: 'R' }, { vm: 0, page: 4, op: 'R' }], { frames: 4, swapSlots: Infinity, policy: 'lru' }, () => ({
      access: (_p, _v, frame, kind) => void (kind !== 0 && frames.push(frame)),
      unmapped: () => {},
      reset: () => {},
    }));
    expect(frames).toEqual([0, 1, 2, 1, 3]);
  });
});
