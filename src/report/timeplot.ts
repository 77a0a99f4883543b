/**
 * A terminal plot of frames per VM over time: a stacked area chart, one glyph (and, on a colour
 * terminal, one colour) per VM, so the height of each band is the frames that VM holds and the
 * whole stack is the host's memory in use. With two levels (renderLevelsPlot), one small line plot
 * per VM instead: its guest's resident pages, the guest frames the host backs, and its balloon.
 */
import type { ChalkInstance } from 'chalk';
import { plot, type PlotSeries } from './plot.js';

export interface TimePlot {
  /** sample times (accesses) */
  t: number[];
  names: string[];
  /** per VM (same order as names), per sample: frames held */
  values: number[][];
  /** the top of the y axis (the host's frames) */
  yMax: number;
  /** per VM, per sample: its target frames (`balance`), drawn as '-' where the stacked targets end */
  targets?: number[][];
}

const GLYPHS = ['█', '▒', '░', '▓', '#', '+', '=', 'o', '~', ':'];
const COLOURS = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'red', 'white', 'cyanBright', 'magentaBright', 'yellowBright'] as const;

export function renderTimePlot(plot: TimePlot, chalk: ChalkInstance, width = 72, height = 12): string {
  const n = plot.t.length;
  if (n === 0 || plot.names.length === 0) return '';
  const yMax = Math.max(1, plot.yMax);
  const labelWidth = String(yMax).length;
  const columns = Math.max(10, width - labelWidth - 2);
  const paint = (j: number, text: string): string => chalk[COLOURS[j % COLOURS.length]!](text);
  // grid[row][x] = VM index or -1; row 0 = top
  const grid: number[][] = Array.from({ length: height }, () => new Array<number>(columns).fill(-1));
  for (let x = 0; x < columns; x++) {
    const i = Math.min(n - 1, Math.floor(((x + 0.5) * n) / columns));
    let below = 0;
    let sum = 0;
    for (let j = 0; j < plot.names.length; j++) {
      sum += plot.values[j]![i] ?? 0;
      // band boundaries from cumulative sums, so bands never overlap or leave gaps
      const top = Math.min(height, Math.round((sum / yMax) * height));
      for (let r = below; r < top; r++) grid[height - 1 - r]![x] = j;
      below = Math.max(below, top);
    }
  }
  // target[row][x] = VM whose stacked target ends in that cell, or -1
  const target: number[][] = Array.from({ length: height }, () => new Array<number>(columns).fill(-1));
  if (plot.targets) {
    for (let x = 0; x < columns; x++) {
      const i = Math.min(n - 1, Math.floor(((x + 0.5) * n) / columns));
      let sum = 0;
      for (let j = 0; j < plot.names.length; j++) {
        sum += plot.targets[j]?.[i] ?? 0;
        const top = Math.round((sum / yMax) * height);
        if (top >= 1 && top <= height) target[height - top]![x] = j;
      }
    }
  }
  const lines: string[] = [];
  for (let r = 0; r < height; r++) {
    const label = r === 0 ? String(yMax) : r === height - 1 ? '0' : r === Math.floor(height / 2) ? String(Math.round(yMax / 2)) : '';
    let line = `${label.padStart(labelWidth)} ┤`;
    let x = 0;
    const row = grid[r]!;
    while (x < columns) {
      if (target[r]![x]! >= 0) {
        line += paint(target[r]![x]!, '-');
        x++;
        continue;
      }
      const j = row[x]!;
      let end = x + 1;
      while (end < columns && row[end] === j && target[r]![end]! < 0) end++;
      line += j < 0 ? ' '.repeat(end - x) : paint(j, GLYPHS[j % GLYPHS.length]!.repeat(end - x));
      x = end;
    }
    lines.push(line.trimEnd());
  }
  lines.push(`${' '.repeat(labelWidth)} └${'─'.repeat(columns)}`);
  const first = '0';
  const last = `${plot.t[n - 1]} accesses`;
  lines.push(`${' '.repeat(labelWidth + 2)}${first}${last.padStart(columns - first.length)}`);
  const legend = plot.names.map((name, j) => `${paint(j, GLYPHS[j % GLYPHS.length]!)} ${name}`).join('  ');
  lines.push(`${' '.repeat(labelWidth + 2)}frames held per VM over time (stacked): ${legend}${plot.targets ? '  - targets (stacked)' : ''}`);
  return `${lines.join('\n')}\n`;
}

export interface LevelsPlot {
  /** sample times (accesses) */
  t: number[];
  names: string[];
  /** per VM (same order as names), per sample: guest resident pages, backed guest frames, balloon size */
  resident: number[][];
  backed: number[][];
  balloon: number[][];
  /** per VM: its guest frames G (the top of its y axis); default the largest value drawn */
  guestFrames?: number[];
  /** per VM, per sample: its target host frames (`balance`) */
  targets?: number[][];
}

/**
 * Two levels over time: per VM a line plot (plot.ts: one marker per series, '#' where two meet)
 * of guest resident, backed and balloon, from t = 0 (nothing held) to the last sample; a value
 * holds from its sample to the next.
 */
export function renderLevelsPlot(p: LevelsPlot, chalk: ChalkInstance, width = 72, height = 8): string {
  if (p.t.length === 0 || p.names.length === 0) return '';
  const pad = 1 + String(Math.max(1, ...(p.guestFrames ?? []), ...p.resident.flat(), ...p.backed.flat(), ...p.balloon.flat())).length;
  const columns = Math.max(10, width - pad - 2);
  const line = (values: readonly number[]): [number, number][] => [[0, 0], ...p.t.map((t, i): [number, number] => [t, values[i] ?? 0])];
  const panels: string[] = [];
  p.names.forEach((name, j) => {
    const series: PlotSeries[] = [
      { name: 'guest resident', points: line(p.resident[j]!) },
      { name: 'backed', points: line(p.backed[j]!) },
      { name: 'balloon', points: line(p.balloon[j]!) },
    ];
    if (p.targets) series.push({ name: 'target', points: line(p.targets[j]!) });
    const g = p.guestFrames?.[j];
    const top = Math.max(1, g ?? 0, ...series.flatMap((s) => s.points.map(([, y]) => y)));
    panels.push(
      `${name}: guest and host frames over time${g === undefined ? '' : ` (G = ${g} guest frames)`}\n` +
        plot(series, { width: columns, height, yMax: top, xLabel: 'accesses replayed' }, chalk),
    );
  });
  return panels.join('\n');
}
