import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { renderTimePlot } from '../../src/report/timeplot.js';

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

  it('colours each VM on a colour terminal', () => {
    const text = renderTimePlot({ t: [1], names: ['a', 'b'], values: [[1], [1]], yMax: 2 }, new Chalk({ level: 1 }), 20, 2);
    expect(text).toContain('\u001b[36m'); // cyan: the first VM
    expect(text).toContain('\u001b[35m'); // magenta: the second
  });

  it('draws nothing without samples', () => {
    expect(renderTimePlot({ t: [], names: ['a'], values: [[]], yMax: 4 }, new Chalk({ level: 0 }))).toBe('');
  });
});
