import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jainIndex, largestRemainder, maxMinShares, maxMinSharesBySearch } from '../../src/schedulers/shares.js';

describe('weighted max-min fair shares', () => {
  it('split in proportion to weight when no bound binds', () => {
    expect(maxMinShares(12, [{ weight: 1, lo: 0, hi: Infinity }, { weight: 2, lo: 0, hi: Infinity }, { weight: 3, lo: 0, hi: Infinity }])).toEqual([2, 4, 6]);
  });

  it('give what a limited VM cannot hold to the others by weight', () => {
    // 12 frames, weights 1 1 2, the last limited to 3: it gets 3, the other 9 split 1:1.
    expect(maxMinShares(12, [{ weight: 1, lo: 0, hi: Infinity }, { weight: 1, lo: 0, hi: Infinity }, { weight: 2, lo: 0, hi: 3 }])).toEqual([4.5, 4.5, 3]);
  });

  it('never cut a reserve', () => {
    // 10 frames, equal weights, one reserve 6: it gets 6, the others 2 each.
    expect(maxMinShares(10, [{ weight: 1, lo: 6, hi: Infinity }, { weight: 1, lo: 0, hi: Infinity }, { weight: 1, lo: 0, hi: Infinity }])).toEqual([6, 2, 2]);
  });

  it('give every VM its limit when the limits add up to less than memory', () => {
    expect(maxMinShares(100, [{ weight: 1, lo: 0, hi: 10 }, { weight: 5, lo: 2, hi: 20 }])).toEqual([10, 20]);
  });

  it('add up to the memory (or the limits), stay in bounds, and are proportional between bounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.record({ weight: fc.integer({ min: 1, max: 9 }), lo: fc.integer({ min: 0, max: 50 }), extra: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        (total, drafts) => {
          let left = total;
          const claims = drafts.map((d) => {
            const lo = Math.min(d.lo, left);
            left -= lo;
            return { weight: d.weight, lo, hi: d.extra === undefined ? Infinity : lo + d.extra };
          });
          const shares = maxMinShares(total, claims);
          const sumHi = claims.reduce((s, c) => s + c.hi, 0);
          const sum = shares.reduce((a, b) => a + b, 0);
          expect(sum).toBeCloseTo(Math.min(total, sumHi), 6);
          claims.forEach((c, i) => {
            expect(shares[i]!).toBeGreaterThanOrEqual(c.lo - 1e-9);
            expect(shares[i]!).toBeLessThanOrEqual(c.hi + 1e-9);
          });
          // strictly between its bounds, share / weight is the same lambda for every VM
          const free = claims.map((c, i) => ({ c, s: shares[i]! })).filter(({ c, s }) => s > c.lo + 1e-9 && s < c.hi - 1e-9);
          for (const { c, s } of free) expect(s / c.weight).toBeCloseTo(free[0]!.s / free[0]!.c.weight, 6);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('weighted max-min fair shares without reserves (the shortcut past the sort)', () => {
  it('are exactly what sorting and searching the breakpoints gives, number for number', () => {
    const claim = fc.record({
      weight: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 5 }), fc.double({ min: 0.1, max: 8, noNaN: true })),
      lo: fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 5 })),
      hi: fc.oneof(fc.constant(Infinity), fc.constant(0), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 400, max: 5000 })),
    });
    fc.assert(
      fc.property(fc.array(claim, { minLength: 1, maxLength: 30 }), fc.oneof(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0.5, max: 1e4, noNaN: true })), fc.boolean(), (raw, total, reserves) => {
        // mostly without reserves (the shortcut's case), sometimes with
        const claims = raw.map((c) => ({ ...c, lo: reserves ? c.lo : 0, hi: Math.max(c.hi, reserves ? c.lo : 0) }));
        expect(maxMinShares(total, claims)).toEqual(maxMinSharesBySearch(total, claims));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('largest remainder', () => {
  it('rounds 10/3 x 3 to 4 3 3: equal remainders go to the first', () => {
    expect(largestRemainder([10 / 3, 10 / 3, 10 / 3], [Infinity, Infinity, Infinity])).toEqual([4, 3, 3]);
  });

  it('gives the leftover frames to the largest remainders', () => {
    // 5 frames, weights 2:1 -> 3.33 and 1.67 -> 3 and 1, one left over -> the .67 -> 3 and 2.
    expect(largestRemainder([10 / 3, 5 / 3], [Infinity, Infinity])).toEqual([3, 2]);
    // Hamilton on 4.6 3.7 1.7: floors 4 3 1, two left -> .7 (second), .7 (third)
    expect(largestRemainder([4.6, 3.7, 1.7], [Infinity, Infinity, Infinity])).toEqual([4, 4, 2]);
  });

  it('keeps whole shares whole despite rounding error', () => {
    expect(largestRemainder([(10 / 3) * 3, 0.1 + 0.2 + 2.7], [Infinity, Infinity])).toEqual([10, 3]);
  });

  it('stays within one of each share and adds up', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 300 }), (weights, total) => {
        const w = weights.reduce((a, b) => a + b, 0);
        const shares = weights.map((x) => (total * x) / w);
        const whole = largestRemainder(shares, weights.map(() => Infinity));
        expect(whole.reduce((a, b) => a + b, 0)).toBe(total);
        whole.forEach((n, i) => {
          expect(n).toBeGreaterThanOrEqual(Math.floor(shares[i]! + 1e-9));
          expect(n).toBeLessThanOrEqual(Math.ceil(shares[i]! - 1e-9));
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe("Jain's fairness index", () => {
  it('is 1 when all are equal and 1/n when one has everything', () => {
    expect(jainIndex([2, 2, 2])).toBe(1);
    expect(jainIndex([3, 0, 0])).toBeCloseTo(1 / 3, 12);
    // (1 + 2)^2 / (2 (1 + 4)) = 0.9
    expect(jainIndex([1, 2])).toBeCloseTo(0.9, 12);
  });
});
