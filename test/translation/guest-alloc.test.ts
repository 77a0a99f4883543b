import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run/simulate.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { RandomAllocator, SeqAllocator } from '../../src/translation/guest-alloc.js';
import { config, textSource } from '../helpers.js';
import { translation } from './harness.js';
import type { GuestAlloc } from '../../src/translation/config.js';

/** A "random" source that replays the given numbers. */
function scripted(values: number[]): () => number {
  let i = 0;
  return () => values[i++]!;
}

describe('guest-physical allocation', () => {
  it('seq hands out the lowest free guest-physical page', () => {
    const a = new SeqAllocator();
    expect([a.take(), a.take(), a.take(), a.take()]).toEqual([0, 1, 2, 3]);
    a.free(2);
    a.free(0);
    expect([a.take(), a.take(), a.take()]).toEqual([0, 2, 4]);
    expect(a.inUse).toBe(5);
  });

  it('seq matches "lowest free" on random take/free sequences', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1, max: 20 }), { maxLength: 200 }), (ops) => {
        const a = new SeqAllocator();
        const used = new Set<number>();
        for (const op of ops) {
          if (op < 0 || used.size === 0 || !used.has(op)) {
            let lowest = 0;
            while (used.has(lowest)) lowest++;
            expect(a.take()).toBe(lowest);
            used.add(lowest);
          } else {
            a.free(op);
            used.delete(op);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('random picks uniformly among the free pages (hand-worked with scripted draws)', () => {
    // space of 4: free [0 1 2 3]; draw 0.5 -> index 2 -> page 2, the last (3) moves in: [0 1 3]
    // draw 0.99 -> index 2 -> page 3: [0 1]; draw 0 -> page 0: [1]
    const a = new RandomAllocator(4, scripted([0.5, 0.99, 0, 0.3, 0.6]));
    expect([a.take(), a.take(), a.take()]).toEqual([2, 3, 0]);
    a.free(3); // [1 3]
    expect(a.take()).toBe(1); // 0.3 * 2 -> index 0
    expect(a.take()).toBe(3); // [3]
    expect(a.size).toBe(4);
  });

  it('random doubles its space when the guest runs out (memory hot-add)', () => {
    const a = new RandomAllocator(2, () => 0);
    expect([a.take(), a.take()].sort()).toEqual([0, 1]);
    expect(a.take()).toBeGreaterThanOrEqual(2);
    expect(a.size).toBe(4);
  });

  async function layout(alloc: GuestAlloc, seed = 1) {
    // 600 distinct 4 KiB pages, each touched once; a 2 MiB region holds 512 of them
    const text = 'op,addr\n' + Array.from({ length: 600 }, (_, i) => `R,${i * 4096}`).join('\n') + '\n';
    const out = await simulate({
      sources: [textSource(text, 'csv')],
      read: DEFAULT_READ_OPTIONS,
      config: config({ frames: 1024, pageSize: 4096, seed }),
      translation: translation({ guestAlloc: alloc, guestPhysicalPages: 1024 * 512 }),
    });
    return out.translation!.layouts[0]!;
  }

  it('seq packs 600 pages into 2 guest-physical 2 MiB regions; random scatters them', async () => {
    const seq = await layout('seq');
    expect(seq).toEqual({ mappedPages: 600, span: 600, regions2MiB: 2, pagesPerRegion: 512 });
    const random = await layout('random');
    expect(random.mappedPages).toBe(600);
    // 600 pages at random among 1024 regions occupy about 1024 (1 - e^(-600/1024)) = 455 of them
    expect(random.regions2MiB).toBeGreaterThan(350);
    expect(random.span).toBeLessThanOrEqual(1024 * 512);
  });

  it('random is reproducible with the same seed and differs with another', async () => {
    expect(await layout('random', 7)).toEqual(await layout('random', 7));
    expect((await layout('random', 7)).span).not.toBe((await layout('random', 8)).span);
  });
});
