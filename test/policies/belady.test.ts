import { describe, expect, it } from 'vitest';
import { run } from '../helpers.js';

const BELADY = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];

describe('textbook reference strings', () => {
  it.each([
    ['fifo', 3, 9],
    ['fifo', 4, 10],
    ['lru', 3, 10],
    ['lru', 4, 8],
    ['opt', 3, 7],
    ['opt', 4, 6],
  ] as const)('%s with %i frames on 1 2 3 4 1 2 5 1 2 3 4 5 faults %i times', async (policy, frames, faults) => {
    const out = await run(BELADY, { policy, frames });
    expect(out.total.counters.faults).toBe(faults);
    expect(out.total.counters.accesses).toBe(12);
  });

  it('FIFO shows Belady\'s anomaly: more frames, more faults', async () => {
    const three = await run(BELADY, { policy: 'fifo', frames: 3 });
    const four = await run(BELADY, { policy: 'fifo', frames: 4 });
    expect(four.total.counters.faults).toBeGreaterThan(three.total.counters.faults);
  });

  it("OSTEP's LRU example (3 frames, 0 1 2 0 1 3 0 3 1 2 1) faults 5 times", async () => {
    const out = await run([0, 1, 2, 0, 1, 3, 0, 3, 1, 2, 1], { policy: 'lru', frames: 3 });
    expect(out.total.counters.faults).toBe(5);
    expect(out.total.counters.hits).toBe(6);
  });
});
