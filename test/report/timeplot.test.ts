import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { renderLevelsPlot, renderTimePlot } from '../../src/report/timeplot.js';

describe('time plot of frames per VM', () => {
  it('stacks each VM as a band of its frames, samples spread over the columns', () => {
    // 4 frames, 4 rows: a row per frame. 13 columns: samples 0 and 1 take 6 and 7 of them.
    // Sample 0 (t = 10): a 1, b 1 -> bottom row a, the next b. Sample 1 (t = 20): a 2, b 0.
    const text = renderTimePlot(
      { t: [10, 20], names: ['a', 'b'], values: [[1, 2], [1, 0]], yMax: 4 },
      new Chalk({ level: 0 }),
      16,
      4,
    );
    expect(text.split('\n')).toEqual([
      '4 ┤',
      '  ┤',
      '2 ┤▒▒▒▒▒▒███████',
      '0 ┤█████████████',
      '  └─────────────',
      '   0 20 accesses',
      '   frames held per VM over time (stacked): █ a  ▒ b',
      '',
    ]);
  });

  it("marks balance's targets '-' where each VM's stacked target ends", () => {
    // 4 frames, 4 rows; a and b hold 1 frame each (bottom rows), their targets are 2 and 2: a's
    // stacked target ends at 2 frames (row 2 from the top), b's at 4 (the top row)
    const text = renderTimePlot({ t: [10], names: ['a', 'b'], values: [[1], [1]], yMax: 4, targets: [[2], [2]] }, new Chalk({ level: 0 }), 16, 4);
    expect(text.split('\n')).toEqual([
      '4 ┤-------------',
      '  ┤',
      '2 ┤-------------',
      '0 ┤█████████████',
      '  └─────────────',
      '   0 10 accesses',
      '   frames held per VM over time (stacked): █ a  ▒ b  - targets (stacked)',
      '',
    ]);
  });

  it('colours each VM on a colour terminal', () => {
    const text = renderTimePlot({ t: [1], names: ['a', 'b'], values: [[1], [1]], yMax: 2 }, new Chalk({ level: 1 }), 20, 2);
    expect(text).toContain('\u001b[36m'); // cyan: the first VM
    expect(text).toContain('\u001b[35m'); // magenta: the second
  });

  it('draws nothing without samples', () => {
    expect(renderTimePlot({ t: [], names: ['a'], values: [[]], yMax: 4 }, new Chalk({ level: 0 }))).toBe('');
  });
});

describe('time plot of two levels', () => {
  it('draws per VM guest resident, backed and balloon as step lines from t = 0', () => {
    // t = 2, 4: resident 1, 2; backed 1, 1; balloon 0, 1; G = 2. 10 columns at x = 4c/9, 3 rows
    // (2, 1, 0 frames). Up to x = 2 (columns 0-4) all three are 0: '#'. From x = 2 resident and
    // backed are 1 ('#', row 1) and the balloon 0 ('+', row 0); at x = 4 (column 9) resident is
    // 2 ('*', top row), backed and balloon 1 (both on row 1: '#').
    const text = renderLevelsPlot(
      { t: [2, 4], names: ['v'], resident: [[1, 2]], backed: [[1, 1]], balloon: [[0, 1]], guestFrames: [2] },
      new Chalk({ level: 0 }),
      14,
      3,
    );
    expect(text.split('\n')).toEqual([
      'v: guest and host frames over time (G = 2 guest frames)',
      '2 |         *',
      '1 |     #####',
      '0 |#####++++ ',
      '  +----------',
      '   0   2    4',
      '   accesses replayed',
      '   * guest resident   o backed   + balloon   # overlap',
      '',
    ]);
  });

  it('one panel per VM, with the targets of balance as a fourth line', () => {
    const text = renderLevelsPlot(
      { t: [10], names: ['a', 'b'], resident: [[3], [1]], backed: [[2], [1]], balloon: [[1], [0]], targets: [[2], [2]] },
      new Chalk({ level: 0 }),
      20,
      4,
    );
    const titles = text.split('\n').filter((l) => /^[ab]: /.test(l));
    // without guest frames the top is the largest value drawn
    expect(titles).toEqual(['a: guest and host frames over time', 'b: guest and host frames over time']);
    expect(text.match(/x target/g)).toHaveLength(2);
    // 16 columns at x = 10c/15: only the last reaches the sample. a: resident 3 on the top row;
    // b's top is 2, its target, alone there (labels 2, 1, 0: narrower)
    expect(text.split('\n')[1]).toBe(`  3 |${' '.repeat(15)}*`);
    expect(text.split('\n').filter((l) => /^ *2 \|/.test(l))).toEqual([`2 |${' '.repeat(15)}x`]);
  });

  it('draws nothing without samples', () => {
    expect(renderLevelsPlot({ t: [], names: ['a'], resident: [[]], backed: [[]], balloon: [[]] }, new Chalk({ level: 0 }))).toBe('');
  });
});
