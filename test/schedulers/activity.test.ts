/**
 * The exact active fraction against a naive reference: keep each VM's whole access history and
 * count, at any moment, its resident pages that occur among its last W accesses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExactActiveFraction, ListedActiveFraction, SampledActiveFraction, type ActiveFraction } from '../../src/schedulers/activity.js';

const windowArb = fc.integer({ min: 1, max: 8 });
/** accesses and evictions of pages 0..5 of VMs 0 and 1 (page 10 v + k belongs to VM v) */
const eventsArb = fc.array(fc.record({ vm: fc.integer({ min: 0, max: 1 }), page: fc.integer({ min: 0, max: 5 }), evict: fc.boolean() }), { maxLength: 200 });

/** The naive count: each VM's resident pages among its last W accesses, over its resident pages. */
function expectNaive(tracker: ActiveFraction, window: number, history: number[][], resident: readonly (readonly number[])[]): void {
  for (const v of [0, 1]) {
    const recent = new Set(history[v]!.slice(-window));
    const active = resident[v]!.filter((p) => recent.has(p)).length;
    const n = resident[v]!.length;
    expect(tracker.fraction(v, n)).toBeCloseTo(n > 0 ? active / n : 0, 12);
  }
}

describe('exact active fraction from an lru order', () => {
  it('equals the count of resident pages among the VM\'s last W accesses, called as the weight scheduler calls it', () => {
    fc.assert(
      fc.property(windowArb, eventsArb, (window, events) => {
        // each VM's resident pages in order of last access, least recent first (as lru keeps them)
        const order: number[][] = [[], []];
        const newer = (p: number): number => {
          const list = order[Math.floor(p / 10)]!;
          return list[list.indexOf(p) + 1] ?? -1;
        };
        const tracker = new ListedActiveFraction(window, newer);
        tracker.addVm(0);
        tracker.addVm(1);
        tracker.resize(64);
        const history: number[][] = [[], []];
        for (const e of events) {
          const page = e.vm * 10 + e.page;
          const list = order[e.vm]!;
          const at = list.indexOf(page);
          if (e.evict) {
            if (at >= 0) {
              // before the policy unlists it
              tracker.unloaded(page, e.vm);
              list.splice(at, 1);
            }
          } else if (at >= 0) {
            // a hit: before the policy moves it to the end
            tracker.accessed(page, e.vm);
            list.splice(at, 1);
            list.push(page);
          } else {
            // a load: after the policy lists it
            list.push(page);
            tracker.loaded();
            tracker.accessed(page, e.vm);
          }
          if (!e.evict) history[e.vm]!.push(page);
          expectNaive(tracker, window, history, order);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('refuses a window of 2^31 accesses or more (its stamps are modulo 2^31)', () => {
    expect(() => new ListedActiveFraction(2 ** 31, () => -1)).toThrow(/2\^31/);
  });
});

describe('exact active fraction', () => {
  it('equals the count of resident pages among the VM\'s last W accesses', () => {
    fc.assert(
      fc.property(windowArb, eventsArb, (window, events) => {
        const tracker = new ExactActiveFraction(window);
        tracker.addVm(0);
        tracker.addVm(1);
        tracker.resize(64);
        const history: number[][] = [[], []];
        const resident = [new Set<number>(), new Set<number>()];
        for (const e of events) {
          const page = e.vm * 10 + e.page; // pages belong to one VM
          if (e.evict) {
            if (resident[e.vm]!.has(page)) {
              resident[e.vm]!.delete(page);
              tracker.unloaded(page, e.vm);
            }
          } else {
            if (!resident[e.vm]!.has(page)) {
              resident[e.vm]!.add(page);
              tracker.loaded();
            }
            tracker.accessed(page, e.vm);
            history[e.vm]!.push(page);
          }
          expectNaive(tracker, window, history, resident.map((r) => [...r]));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('sampled active fraction', () => {
  it('is 1 until a period with a sample ends, then the share of sampled pages touched', () => {
    const tracker = new SampledActiveFraction(4, 2, 7);
    tracker.addVm(0);
    tracker.resize(16);
    for (const p of [0, 1, 2, 3]) {
      tracker.loaded(p, 0);
      tracker.accessed(p, 0); // 4th access ends the first period: its sample was empty
    }
    expect(tracker.fraction(0)).toBe(1);
    // 2 of the 4 resident pages are sampled now; touch every page -> both sampled pages touched
    for (const p of [0, 1, 2, 3]) tracker.accessed(p, 0);
    expect(tracker.fraction(0)).toBe(1);
    // next period touches only page 0: the estimate is 1/2 or 0 or 1 depending on the draw,
    // always a multiple of 1/2 - and the same seed gives the same draws
    for (let i = 0; i < 4; i++) tracker.accessed(0, 0);
    const f = tracker.fraction(0);
    expect([0, 0.5, 1]).toContain(f);
    const again = new SampledActiveFraction(4, 2, 7);
    again.addVm(0);
    again.resize(16);
    for (const p of [0, 1, 2, 3]) {
      again.loaded(p, 0);
      again.accessed(p, 0);
    }
    for (const p of [0, 1, 2, 3]) again.accessed(p, 0);
    for (let i = 0; i < 4; i++) again.accessed(0, 0);
    expect(again.fraction(0)).toBe(f);
  });

  it('estimates the true fraction on average', () => {
    // 100 resident pages of which 25 are ever touched again; 20 sampled per period: the mean
    // estimate over many periods is close to 0.25.
    const tracker = new SampledActiveFraction(50, 20, 3);
    tracker.addVm(0);
    tracker.resize(128);
    for (let p = 0; p < 100; p++) {
      tracker.loaded(p, 0);
      tracker.accessed(p, 0);
    }
    let sum = 0;
    const periods = 400;
    for (let k = 0; k < periods; k++) {
      for (let i = 0; i < 50; i++) tracker.accessed(i % 25, 0);
      sum += tracker.fraction(0);
    }
    expect(sum / periods).toBeGreaterThan(0.2);
    expect(sum / periods).toBeLessThan(0.3);
  });
});
