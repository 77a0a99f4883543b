/**
 * A small terminal line plot (ASCII, so that it survives any terminal, pipe or README): one
 * marker per series, a step curve through each series' points, linear y from 0, and a linear
 * or logarithmic x axis. Knows nothing of what it plots.
 */
import type { ChalkInstance } from 'chalk';

export interface PlotSeries {
  name: string;
  /** (x, y) with x ascending */
  points: readonly (readonly [number, number])[];
}

export interface PlotOptions {
  /** plot area in characters (default 64 x 16) */
  width?: number;
  height?: number;
  /** logarithmic x axis (needs x > 0) */
  logX?: boolean;
  xLabel?: string;
  yLabel?: string;
  /** top of the y axis (default: the largest y, rounded up to a tenth) */
  yMax?: number;
  /** vertical marks ':' at x in the colour of series k (e.g. a planned size), drawn where no curve is */
  marks?: readonly { x: number; series: number }[];
  /** what the marks are, for the legend */
  marksLabel?: string;
}

const MARKERS = ['*', 'o', '+', 'x', '@', '%'];
const OVERLAP = '#';

function label(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return v >= 100 ? String(Math.round(v)) : String(Number(v.toPrecision(3)));
}

/** The y of a step curve at x: the last point at or before x (the first point before it). */
function stepAt(points: PlotSeries['points'], x: number): number {
  let lo = 0;
  let hi = points.length - 1;
  if (x < points[0]![0]) return points[0]![1];
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (points[mid]![0] <= x) lo = mid;
    else hi = mid - 1;
  }
  return points[lo]![1];
}

export function plot(series: readonly PlotSeries[], opts: PlotOptions, chalk: ChalkInstance): string {
  const width = opts.width ?? 64;
  const height = opts.height ?? 16;
  const drawn = series.filter((s) => s.points.length > 0);
  if (drawn.length === 0) return '';
  let xMin = Infinity;
  let xMax = -Infinity;
  let yTop = 0;
  for (const s of drawn) {
    xMin = Math.min(xMin, s.points[0]![0]);
    xMax = Math.max(xMax, s.points[s.points.length - 1]![0]);
    for (const [, y] of s.points) yTop = Math.max(yTop, y);
  }
  const yMax = opts.yMax ?? Math.max(0.1, Math.ceil(yTop * 10 - 1e-9) / 10);
  const logX = opts.logX === true && xMin > 0 && xMax > xMin;
  const xAt = (c: number): number => {
    const f = width === 1 ? 0 : c / (width - 1);
    return logX ? xMin * (xMax / xMin) ** f : xMin + (xMax - xMin) * f;
  };
  const grid: (number | null)[][] = Array.from({ length: height }, () => new Array<number | null>(width).fill(null));
  const mark = (r: number, c: number, k: number): void => {
    const cell = grid[r]![c];
    grid[r]![c] = cell === null || cell === k ? k : -1;
  };
  drawn.forEach((s, k) => {
    let previous = -1;
    for (let c = 0; c < width; c++) {
      const y = Math.min(yMax, Math.max(0, stepAt(s.points, xAt(c))));
      const row = Math.round((1 - y / yMax) * (height - 1));
      mark(row, c, k);
      // A drop of several rows between two columns is drawn too, so steep curves stay connected.
      if (previous >= 0) for (let r = Math.min(previous, row) + 1; r < Math.max(previous, row); r++) mark(r, c, k);
      previous = row;
    }
  });
  const marks: (number | null)[] = new Array<number | null>(width).fill(null);
  for (const m of opts.marks ?? []) {
    const f = logX ? Math.log(Math.max(m.x, xMin) / xMin) / Math.log(xMax / xMin) : xMax === xMin ? 0 : (m.x - xMin) / (xMax - xMin);
    const c = Math.round(Math.min(1, Math.max(0, f)) * (width - 1));
    marks[c] = marks[c] === null || marks[c] === m.series ? m.series : -1;
  }
  const paint = (k: number, text: string): string => {
    const colours = [chalk.green, chalk.yellow, chalk.cyan, chalk.magenta, chalk.blue, chalk.red];
    return k < 0 ? text : colours[k % colours.length]!(text);
  };
  const yLabels = new Map<number, string>([
    [0, label(yMax)],
    [Math.round((height - 1) / 2), label(yMax / 2)],
    [height - 1, '0'],
  ]);
  const pad = Math.max(...[...yLabels.values()].map((l) => l.length));
  const lines: string[] = [];
  if (opts.yLabel) lines.push(`${' '.repeat(pad + 1)}${opts.yLabel}`);
  for (let r = 0; r < height; r++) {
    const cells = grid[r]!.map((k, c) => (k === null ? (marks[c] === null ? ' ' : paint(marks[c]!, ':')) : paint(k, k < 0 ? OVERLAP : MARKERS[k % MARKERS.length]!)));
    lines.push(`${(yLabels.get(r) ?? '').padStart(pad)} |${cells.join('')}`);
  }
  lines.push(`${' '.repeat(pad)} +${'-'.repeat(width)}`);
  const left = label(xMin);
  const midX = logX ? Math.sqrt(xMin * xMax) : (xMin + xMax) / 2;
  // Integer axes (frames) get an integer middle label.
  const mid = label(Number.isInteger(xMin) && Number.isInteger(xMax) ? Math.round(midX) : midX);
  const right = label(xMax);
  const axis = new Array<string>(width).fill(' ');
  const put = (at: number, text: string): void => {
    for (let i = 0; i < text.length && at + i < width; i++) if (at + i >= 0) axis[at + i] = text[i]!;
  };
  put(0, left);
  put(Math.floor(width / 2 - mid.length / 2), mid);
  put(width - right.length, right);
  lines.push(`${' '.repeat(pad + 2)}${axis.join('').trimEnd()}`);
  if (opts.xLabel) lines.push(`${' '.repeat(pad + 2)}${opts.xLabel}${logX ? ' (log scale)' : ''}`);
  const legend = drawn.map((s, k) => `${paint(k, MARKERS[k % MARKERS.length]!)} ${s.name}`);
  if (drawn.length > 1) legend.push(`${OVERLAP} overlap`);
  if ((opts.marks ?? []).length > 0) legend.push(`: ${opts.marksLabel ?? 'marked'}`);
  lines.push(`${' '.repeat(pad + 2)}${legend.join('   ')}`);
  return `${lines.join('\n')}\n`;
}
