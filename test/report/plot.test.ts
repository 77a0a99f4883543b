import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { plot } from '../../src/report/plot.js';

const plain = new Chalk({ level: 0 });

describe('plot', () => {
  it('draws a step curve with its drop connected, axes and labels', () => {
    const text = plot([{ name: 'a', points: [[1, 1], [3, 0]] }], { width: 9, height: 3, xLabel: 'x', yMax: 1 }, plain);
    // x at columns 1, 1.25, ..., 3: y = 1 until x reaches 3, then 0: a drop from row 0 to row 2.
    expect(text).toBe(
      [
        '  1 |******** ',
        '0.5 |        *',
        '  0 |        *',
        '    +---------',
        '     1   2   3',
        '     x',
        '     * a',
        '',
      ].join('\n'),
    );
  });

  it('marks where two curves meet, on a log x axis', () => {
    const text = plot(
      [
        { name: 'a', points: [[1, 0.5], [100, 0.5]] },
        { name: 'b', points: [[1, 0.5], [10, 0]] },
      ],
      { width: 11, height: 2, logX: true, yMax: 0.5 },
      plain,
    );
    // columns at x = 100^(c/10): a stays at the top; b is there below x = 10 (column 5), then at 0.
    expect(text.split('\n').slice(0, 2)).toEqual(['0.5 |#####******', '  0 |     oooooo']);
    expect(text).toMatch(/\* a {3}o b {3}# overlap/);
    expect(text).toMatch(/\n {5}1 {3}10 {2}100\n/);
  });
});
