import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { faultsAtFrames, fittedSplit, fittingStep, framesForFaultRate, MAX_PLAN_CELLS, optimalSplit, optimalSplitByProgramme, planCells, PlanWorkspace, type PlanClaim } from '../../src/analysis/plan.js';
import { largestRemainder, maxMinShares } from '../../src/schedulers/shares.js';

/** The least cost over every split x_1..x_n with sum = F (or every VM at its limit when they add up to less), lo <= x <= hi. */
function bruteForce(claims: PlanClaim[], frames: number): number {
  const total = Math.min(frames, claims.reduce((s, c) => s + c.hi, 0));
  let best = Infinity;
  const x: number[] = [];
  const walk = (i: number, left: number): void => {
    if (i === claims.length) {
      if (left !== 0) return;
      let cost = 0;
      claims.forEach((c, k) => (cost += c.weight * faultsAtFrames(c.faults, x[k]!)));
      best = Math.min(best, cost);
      return;
    }
    const c = claims[i]!;
    for (let v = c.lo; v <= Math.min(c.hi, left); v++) {
      x[i] = v;
      walk(i + 1, left - v);
    }
  };
  walk(0, total);
  return best;
}

/**
 * The least cost on the grid of `step`: VM i gets min(lo_i + u_i K, hi_i) frames, with
 * sum u_i <= floor((F - sum lo) / K) steps of K frames.
 */
function bruteForceGrid(claims: PlanClaim[], frames: number, step: number): number {
  const budget = Math.floor((frames - claims.reduce((s, c) => s + c.lo, 0)) / step);
  let best = Infinity;
  const x: number[] = [];
  const walk = (i: number, left: number): void => {
    if (i === claims.length) {
      let cost = 0;
      claims.forEach((c, k) => (cost += c.weight * faultsAtFrames(c.faults, x[k]!)));
      best = Math.min(best, cost);
      return;
    }
    const c = claims[i]!;
    for (let u = 0; u <= left; u++) {
      x[i] = Math.min(c.lo + u * step, c.hi);
      walk(i + 1, left - u);
      if (x[i] === c.hi) break;
    }
  };
  walk(0, budget);
  return best;
}

/**
 * The documented choice among equal optima, by brute force: each VM between its reserve and the
 * size where its curve stops dropping (or its limit), at most F in all, least cost; equal costs:
 * the fewest frames for the last VM, then the one before, ...; then the frames left (up to F)
 * shared by weight within the limits, largest remainder.
 */
function bruteForceChoice(claims: PlanClaim[], frames: number): number[] {
  const useful = claims.map((c) => {
    let x = c.faults.length - 1;
    while (x > 0 && c.faults[x - 1] === c.faults[x]) x--;
    return Math.min(c.hi, Math.max(c.lo, x));
  });
  let best: number[] | null = null;
  let bestCost = Infinity;
  const x: number[] = [];
  const better = (cost: number): boolean => {
    if (cost !== bestCost) return cost < bestCost;
    for (let i = claims.length - 1; i >= 0; i--) if (x[i] !== best![i]) return x[i]! < best![i]!;
    return false;
  };
  const walk = (i: number, left: number): void => {
    if (i === claims.length) {
      let cost = 0;
      claims.forEach((c, k) => (cost += c.weight * faultsAtFrames(c.faults, x[k]!)));
      if (better(cost)) {
        best = x.slice();
        bestCost = cost;
      }
      return;
    }
    for (let v = claims[i]!.lo; v <= Math.min(useful[i]!, left); v++) {
      x[i] = v;
      walk(i + 1, left - v);
    }
  };
  walk(0, frames);
  const split = best!;
  const room = claims.map((c, i) => c.hi - split[i]!);
  const spare = Math.min(frames - split.reduce((a, b) => a + b, 0), room.reduce((a, b) => a + b, 0));
  if (spare > 0) {
    const extra = largestRemainder(maxMinShares(spare, claims.map((c, i) => ({ weight: c.share ?? c.weight, lo: 0, hi: room[i]! }))), room);
    extra.forEach((e, i) => (split[i]! += e));
  }
  return split;
}

/** A non-increasing curve from a start value and drops. */
const curveArb = fc
  .record({ start: fc.integer({ min: 0, max: 40 }), drops: fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 8 }) })
  .map(({ start, drops }) => {
    const faults = [start + drops.reduce((a, b) => a + b, 0)];
    for (const d of drops) faults.push(faults[faults.length - 1]! - d);
    return faults;
  });

const claimsArb = fc
  .record({ frames: fc.integer({ min: 0, max: 14 }), n: fc.integer({ min: 1, max: 4 }) })
  .chain(({ frames, n }) =>
    fc.record({
      frames: fc.constant(frames),
      claims: fc.array(
        fc.record({
          faults: curveArb,
          weight: fc.constantFrom(1, 2, 3, 0.5),
          lo: fc.integer({ min: 0, max: 3 }),
          extra: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
        }),
        { minLength: n, maxLength: n },
      ),
    }),
  )
  .map(({ frames, claims }) => ({
    frames,
    claims: claims.map((c) => ({ faults: c.faults, weight: c.weight, lo: c.lo, hi: c.extra === undefined ? Infinity : c.lo + c.extra })),
  }))
  .filter(({ frames, claims }) => claims.reduce((s, c) => s + c.lo, 0) <= frames);

function checkSplit(claims: PlanClaim[], frames: number, split: number[]): void {
  const sumHi = claims.reduce((s, c) => s + c.hi, 0);
  expect(split.reduce((a, b) => a + b, 0)).toBe(Math.min(frames, sumHi));
  claims.forEach((c, i) => {
    expect(split[i]).toBeGreaterThanOrEqual(c.lo);
    expect(split[i]).toBeLessThanOrEqual(c.hi);
    expect(Number.isInteger(split[i])).toBe(true);
  });
}

describe('optimalSplit', () => {
  it('equals a brute force over every split on random curves, with reserves, limits and weights', () => {
    fc.assert(
      fc.property(claimsArb, ({ frames, claims }) => {
        const s = optimalSplit(claims, frames);
        checkSplit(claims, frames, s.frames);
        expect(s.cost).toBeCloseTo(bruteForce(claims, frames), 9);
      }),
      { numRuns: 400 },
    );
  });

  it('plans in a row over one workspace (as balance makes them) equal the brute force each, whatever the plans before left in it', () => {
    const workspace = new PlanWorkspace();
    fc.assert(
      fc.property(claimsArb, ({ frames, claims }) => {
        const s = optimalSplit(claims, frames, 1, workspace);
        checkSplit(claims, frames, s.frames);
        expect(s.frames).toEqual(bruteForceChoice(claims, frames));
      }),
      { numRuns: 300 },
    );
  });

  it('fittedSplit (balance\'s) is optimalSplit on the step fittingStep picks', () => {
    fc.assert(
      fc.property(claimsArb, ({ frames, claims }) => {
        expect(fittedSplit(claims, frames)).toEqual(optimalSplit(claims, frames, fittingStep(claims, frames)));
      }),
      { numRuns: 200 },
    );
  });

  it('among equal optima picks the documented split (brute force of the rule), frame for frame', () => {
    fc.assert(
      fc.property(claimsArb, ({ frames, claims }) => {
        expect(optimalSplit(claims, frames).frames).toEqual(bruteForceChoice(claims, frames));
      }),
      { numRuns: 400 },
    );
  });

  it('with --step K, equals the brute force over the grid (and is never better than the exact optimum)', () => {
    fc.assert(
      fc.property(claimsArb, fc.integer({ min: 2, max: 4 }), ({ frames, claims }, step) => {
        const s = optimalSplit(claims, frames, step);
        checkSplit(claims, frames, s.frames);
        // the grid optimum, then the few frames off the grid can only help
        expect(s.cost).toBeLessThanOrEqual(bruteForceGrid(claims, frames, step) + 1e-9);
        expect(s.cost).toBeGreaterThanOrEqual(bruteForce(claims, frames) - 1e-9);
      }),
      { numRuns: 200 },
    );
  });

  it('gives a loop all its pages beside a Zipf-like VM, where marginal gains would not', () => {
    // A loop over 6 pages, 60 accesses: LRU faults on every access below 6 frames, only the
    // 6 cold misses at 6. A skewed VM gains most from its first frames.
    const loop = [60, 60, 60, 60, 60, 60, 6];
    const zipf = [60, 30, 20, 15, 12, 10, 9, 8, 7, 6];
    const claims: PlanClaim[] = [
      { faults: loop, weight: 1, lo: 0, hi: Infinity },
      { faults: zipf, weight: 1, lo: 0, hi: Infinity },
    ];
    // 8 frames: loop 6 + zipf 2 = 6 + 20 = 26; every other split costs more (loop 0 + zipf 8 = 60 + 8 = 68)
    const s = optimalSplit(claims, 8);
    expect(s.frames).toEqual([6, 2]);
    expect(s.cost).toBe(26);
    // Greedy by marginal gain gives every frame to zipf (the loop gains nothing from one frame).
    const greedy = [0, 0];
    for (let f = 0; f < 8; f++) {
      const gain = claims.map((c, i) => faultsAtFrames(c.faults, greedy[i]!) - faultsAtFrames(c.faults, greedy[i]! + 1));
      greedy[gain[1]! > gain[0]! ? 1 : 0]!++;
    }
    expect(greedy).toEqual([0, 8]);
    // 5 frames: the loop cannot be served, so zipf takes all: 60 + 10 = 70
    expect(optimalSplit(claims, 5).frames).toEqual([0, 5]);
    expect(optimalSplit(claims, 5).cost).toBe(70);
  });

  it('weighted: a heavy VM wins the frames a light one would otherwise get', () => {
    const a = [10, 0];
    const b = [12, 0];
    expect(optimalSplit([{ faults: a, weight: 1, lo: 0, hi: Infinity }, { faults: b, weight: 1, lo: 0, hi: Infinity }], 1).frames).toEqual([0, 1]);
    expect(optimalSplit([{ faults: a, weight: 2, lo: 0, hi: Infinity }, { faults: b, weight: 1, lo: 0, hi: Infinity }], 1).frames).toEqual([1, 0]);
  });

  it('reserves and limits bind: the loop at its limit of 4 gains nothing, so its reserve is all it gets', () => {
    const loop = [60, 60, 60, 60, 60, 60, 6];
    const zipf = [60, 30, 20, 15, 12, 10, 9, 8, 7, 6];
    const s = optimalSplit(
      [
        { faults: loop, weight: 1, lo: 2, hi: 4 },
        { faults: zipf, weight: 1, lo: 1, hi: Infinity },
      ],
      8,
    );
    expect(s.frames).toEqual([2, 6]);
    expect(s.cost).toBe(60 + 9);
  });

  it('equal optima: the VM listed first gets more', () => {
    const same = [4, 3, 2, 1, 0];
    expect(optimalSplit([{ faults: same, weight: 1, lo: 0, hi: Infinity }, { faults: same, weight: 1, lo: 0, hi: Infinity }], 3).frames).toEqual([3, 0]);
  });

  it('frames above every footprint are spare, shared by weight within the limits', () => {
    const s = optimalSplit(
      [
        { faults: [5, 2, 1], weight: 1, lo: 0, hi: Infinity, share: 1 },
        { faults: [3, 1], weight: 1, lo: 0, hi: 4, share: 3 },
      ],
      12,
    );
    // needed: 2 + 1 = 3 frames; 9 spare by weight 1:3 within room (inf, 3): b gets its 3, a the other 6
    expect(s.frames).toEqual([8, 4]);
    expect(s.spare).toBe(9);
    expect(s.cost).toBe(1 + 1);
  });

  it('limits adding up to less than F: every VM at most its limit', () => {
    const s = optimalSplit([{ faults: [5, 2, 1], weight: 1, lo: 0, hi: 1 }], 10);
    expect(s.frames).toEqual([1]);
  });
});

describe('optimalSplit when every useful frame fits', () => {
  /** Curves with long flat tails, and costs that round (weights such as 0.1 and 1/3). */
  const fitArb = fc
    .record({
      n: fc.integer({ min: 1, max: 6 }),
      step: fc.integer({ min: 1, max: 4 }),
      extra: fc.integer({ min: -6, max: 30 }),
    })
    .chain(({ n, step, extra }) =>
      fc.record({
        step: fc.constant(step),
        extra: fc.constant(extra),
        claims: fc.array(
          fc.record({
            faults: fc
              .tuple(curveArb, fc.integer({ min: 0, max: 12 }))
              .map(([f, tail]) => [...f, ...Array.from({ length: tail }, () => f[f.length - 1]!)]),
            weight: fc.constantFrom(1, 2, 0.5, 0.1, 1 / 3, 7.25),
            share: fc.option(fc.constantFrom(1, 2, 3, 0.3), { nil: undefined }),
            lo: fc.integer({ min: 0, max: 4 }),
            extra: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
          }),
          { minLength: n, maxLength: n },
        ),
      }),
    )
    .map(({ step, extra, claims }) => {
      const cs: PlanClaim[] = claims.map((c) => ({ faults: c.faults, weight: c.weight, share: c.share, lo: c.lo, hi: c.extra === undefined ? Infinity : c.lo + c.extra }));
      // around the frames where every VM's useful size fits: sum lo + sum (useful - lo), +- a few
      const useful = cs.reduce((sum, c) => {
        let x = c.faults.length - 1;
        while (x > 0 && c.faults[x - 1] === c.faults[x]) x--;
        return sum + Math.min(c.hi, Math.max(c.lo, x));
      }, 0);
      const sumLo = cs.reduce((a, c) => a + c.lo, 0);
      return { step, claims: cs, frames: Math.max(sumLo, useful + extra) };
    });

  it('the shortcut gives the split, cost and spare of the programme, frame for frame (ties, rounding, steps, spare sharing)', () => {
    let shortcut = 0;
    fc.assert(
      fc.property(fitArb, ({ step, claims, frames }) => {
        const fast = optimalSplit(claims, frames, step);
        const slow = optimalSplitByProgramme(claims, frames, step);
        expect(fast).toEqual(slow);
        if (fast.spare > 0) shortcut++;
      }),
      { numRuns: 1000 },
    );
    // most cases were ones the shortcut takes (frames to spare)
    expect(shortcut).toBeGreaterThan(300);
  });

  it('equals the documented choice (brute force) where the budget holds every useful frame', () => {
    fc.assert(
      fc.property(fitArb, ({ claims, frames }) => {
        fc.pre(claims.length <= 4 && frames <= 24);
        expect(optimalSplit(claims, frames).frames).toEqual(bruteForceChoice(claims, frames));
      }),
      { numRuns: 300 },
    );
  });
});

describe('framesForFaultRate', () => {
  it('is the least size at or under the rate', () => {
    const f = [10, 6, 3, 3, 1];
    expect(framesForFaultRate(f, 10, 1)).toBe(0);
    expect(framesForFaultRate(f, 10, 0.6)).toBe(1);
    expect(framesForFaultRate(f, 10, 0.3)).toBe(2);
    expect(framesForFaultRate(f, 10, 0.29)).toBe(4);
    expect(framesForFaultRate(f, 10, 0.05)).toBe(null);
  });
});

describe('fittingStep', () => {
  // n VMs, each with a curve that drops at every one of its `length` sizes (one array, shared).
  const many = (n: number, length: number): PlanClaim[] => {
    const faults = Array.from({ length: length + 1 }, (_, x) => length - x);
    return Array.from({ length: n }, () => ({ faults, weight: 1, share: 1, lo: 0, hi: length }));
  };

  it('is the given step when the plan fits', () => {
    expect(fittingStep(many(3, 10), 20)).toBe(1);
    expect(fittingStep(many(3, 10), 20, 4)).toBe(4);
  });

  it('with thousands of active VMs, fits where cells / limit does not (each VM keeps a cell more than its units)', () => {
    const claims = many(14000, 10000);
    const frames = 14000 * 10000;
    const cells = planCells(claims, frames, 1);
    // By hand: 14000 VMs x (1.4e8 + 1) cells; the old estimate ceil(cells / 2^27) = 14,604 gives
    // floor(1.4e8 / 14604) = 9586 units, so 14000 x 9587 = 134,218,000 cells, over 2^27 = 134,217,728.
    expect(cells).toBe(14000 * (frames + 1));
    const estimate = Math.ceil(cells / MAX_PLAN_CELLS);
    expect(estimate).toBe(14604);
    expect(planCells(claims, frames, estimate)).toBe(14000 * 9587);
    expect(planCells(claims, frames, estimate)).toBeGreaterThan(MAX_PLAN_CELLS);
    const step = fittingStep(claims, frames);
    expect(planCells(claims, frames, step)).toBeLessThanOrEqual(MAX_PLAN_CELLS);
    // the finest such grid: one frame finer is over the limit
    expect(planCells(claims, frames, step - 1)).toBeGreaterThan(MAX_PLAN_CELLS);
    // by hand: the least s with 14000 x (floor(1.4e8 / s) + 1) <= 2^27 (14000 x 9586 fits,
    // 14000 x 9587 does not), i.e. floor(1.4e8 / s) <= 9585: s = floor(1.4e8 / 9586) + 1 = 14605
    expect(step).toBe(14605);
  });

  it('is the least fitting step, from any start (a scan over the steps agrees)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 9000 }), fc.integer({ min: 10000, max: 40000 }), fc.integer({ min: 1, max: 30000 }), (n, length, start) => {
        const claims = many(n, length);
        const frames = n * length;
        const step = fittingStep(claims, frames, start);
        expect(step).toBeGreaterThanOrEqual(start);
        expect(planCells(claims, frames, step)).toBeLessThanOrEqual(MAX_PLAN_CELLS);
        if (step > start) expect(planCells(claims, frames, step - 1)).toBeGreaterThan(MAX_PLAN_CELLS);
      }),
      { numRuns: 30 },
    );
  });
});
