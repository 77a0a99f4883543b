/**
 * opt's two forms (src/policies/opt.ts: the bitmap over positions for a run's one instance, the
 * heap for an instance per VM) against each other and against a scan of the resident pages'
 * next uses, on random traces: every victim the same, with and without a filter, through frees.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { opt } from '../../src/policies/opt.js';
import type { PolicyDefinition } from '../../src/policies/policy.js';
import { nextUseOf } from '../helpers.js';

const definition: PolicyDefinition = opt;


describe('opt: bitmap and heap forms', () => {
  it('name the same victims as a scan for the furthest next use (never used again: least recently used first)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 3000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 9 }),
        (pages, frames, salt) => {
          const nextUse = nextUseOf(pages);
          const bits = definition.create({ seed: 1, nextUse });
          const heap = definition.create({ seed: 1, nextUse, perGroup: true });
          bits.resize(61);
          heap.resize(61);
          // the model: resident page -> its key (next use, or NEVER - last access)
          const NEVER = 2 ** 52;
          const resident = new Map<number, number>();
          const keyAt = (i: number): number => (nextUse[i]! >= 0 ? nextUse[i]! : NEVER - i);
          const best = (accept: (p: number) => boolean): number => {
            let page = -1;
            let key = -Infinity;
            for (const [p, k] of resident) if (k > key && accept(p)) [page, key] = [p, k];
            return page;
          };
          pages.forEach((p, i) => {
            if (resident.has(p)) {
              bits.hit(p, i, false);
              heap.hit(p, i, false);
              resident.set(p, keyAt(i));
            } else {
              if (resident.size >= frames) {
                // now and then with a filter (as when swap is full), now and then a free instead
                const filtered = (i + salt) % 5 === 0;
                const accept = filtered ? (q: number): boolean => (q + i) % 3 !== 0 : null;
                const want = best(accept ?? (() => true));
                expect(bits.victim(accept)).toBe(want);
                expect(heap.victim(accept)).toBe(want);
                const gone = want >= 0 ? want : [...resident.keys()][0]!;
                bits.remove(gone);
                heap.remove(gone);
                resident.delete(gone);
              }
              bits.insert(p, i, false);
              heap.insert(p, i, false);
              resident.set(p, keyAt(i));
            }
            if ((i * 7 + salt) % 23 === 0 && resident.size > 1) {
              // a free (F): the page leaves without being a victim
              const q = [...resident.keys()][(i + salt) % resident.size]!;
              bits.remove(q);
              heap.remove(q);
              resident.delete(q);
            }
            expect(bits.size).toBe(resident.size);
            expect(heap.size).toBe(resident.size);
          });
          expect(bits.victim(null)).toBe(best(() => true));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('by hand: 3 frames over a b c d a b e a b c d e (Belady: 7 faults)', () => {
    // positions 0..11; the textbook trace, with frames for 3 pages
    const trace = [0, 1, 2, 3, 0, 1, 4, 0, 1, 2, 3, 4];
    const nextUse = nextUseOf(trace);
    const p = definition.create({ seed: 1, nextUse });
    p.resize(5);
    const resident = new Set<number>();
    let faults = 0;
    const victims: number[] = [];
    trace.forEach((page, i) => {
      if (resident.has(page)) return p.hit(page, i, false);
      faults++;
      if (resident.size === 3) {
        const v = p.victim(null);
        victims.push(v);
        p.remove(v);
        resident.delete(v);
      }
      p.insert(page, i, false);
      resident.add(page);
    });
    expect(faults).toBe(7);
    // d (3) evicts c (next use 9, furthest); e (4) evicts d (10, against a's 7, b's 8); then c
    // (9) evicts a (never again, least recently used of a and b), d (10) evicts b (never again)
    expect(victims).toEqual([2, 3, 0, 1]);
  });
});
