/**
 * plan's terminal plot: each VM's curve alone, its planned size marked ':' where no curve is.
 * A hand-worked two-VM plan: a loops over 3 pages four times (LRU: 12 faults below 3 frames, 3
 * at 3), b alternates 2 pages three times (6 faults with 1 frame, 2 with 2). With F = 4 the
 * splits (1,3), (2,2), (3,1) cost 14, 14 and 9 faults: the plan is a = 3, b = 1.
 */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { plot } from '../../src/report/plot.js';
import { planResult, type PlanOutcome } from '../../src/report/plan.js';

const vm = (name: string, curve: number[], frames: number, partitionFrames: number, accesses: number) => ({
  name,
  weight: 1,
  reserve: 0,
  limit: Infinity,
  accesses,
  footprint: curve.length - 1,
  frames,
  faults: curve[frames]!,
  partitionFrames,
  partitionFaults: curve[partitionFrames]!,
  curve,
});

const outcome: PlanOutcome = {
  traces: ['a.csv', 'b.csv'],
  pageSize: 4096,
  frames: 4,
  framesFrom: 'frames',
  policy: 'lru',
  objective: 'faults',
  step: 1,
  spare: 0,
  cells: 8,
  vms: [vm('a', [12, 12, 12, 3], 3, 2, 12), vm('b', [6, 6, 2], 1, 2, 6)],
  verify: false,
  targetRate: null,
  skipped: [],
};

describe("plan's terminal plot", () => {
  it('draws the hand-worked plan: the curves, and the planned sizes (a 3, b 1) marked', () => {
    const chart = planResult(outcome, true).chart!;
    expect(chart.options.marks).toEqual([{ x: 3, series: 0 }, { x: 1, series: 1 }]);
    // 4 columns at x = 0..3, 5 rows from fault rate 1 down to 0 (a quarter each). a is at 1 until
    // x = 3, then 0.25 (row 3), its drop drawn in column 3; b is at 1 until x = 2, then 1/3
    // (row 3 too), its drop in column 2. ':' marks a's 3 and b's 1 wherever no curve is.
    const text = plot(chart.series, { ...chart.options, width: 4, height: 5 }, new Chalk({ level: 0 }));
    expect(text.split('\n').slice(0, 7)).toEqual([
      '    fault rate',
      '  1 |##*:',
      '    | :o*',
      '0.5 | :o*',
      '    | :o#',
      '  0 | : :',
      '    +----',
    ]);
    expect(text).toContain('* a (3)   o b (1)   # overlap   : planned frames');
    expect(text).toContain('frames (each VM alone)');
  });

  it('no plot unless asked', () => {
    expect(planResult(outcome, false).chart).toBeUndefined();
  });
});
