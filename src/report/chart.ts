/**
 * A terminal area chart of a series y(x): block characters in eighths of a cell, a y axis from 0
 * to the maximum, the x range under it. Several points per column show their maximum, so a peak
 * is never averaged away.
 */
const EIGHTHS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

export interface ChartOptions {
  /** columns of the plotting area (default 60) */
  width?: number;
  /** rows of the plotting area (default 8) */
  height?: number;
  title?: string;
  /** what x counts, printed under the axis */
  xLabel?: string;
}

export function areaChart(xs: readonly number[], ys: readonly number[], opts: ChartOptions = {}): string[] {
  const height = opts.height ?? 8;
  const lines: string[] = [];
  if (opts.title) lines.push(opts.title);
  if (ys.length === 0) {
    lines.push('(no data)');
    return lines;
  }
  const width = Math.max(1, Math.min(opts.width ?? 60, ys.length));
  const columns = new Array<number>(width).fill(0);
  for (let i = 0; i < ys.length; i++) {
    const c = Math.min(width - 1, Math.floor((i * width) / ys.length));
    if (ys[i]! > columns[c]!) columns[c] = ys[i]!;
  }
  const top = Math.max(...columns);
  const labelWidth = Math.max(String(top).length, 1);
  for (let row = height - 1; row >= 0; row--) {
    let text = '';
    for (const value of columns) {
      // eighths of a cell filled in this row
      const filled = top === 0 ? 0 : Math.round((value / top) * height * 8) - row * 8;
      text += EIGHTHS[Math.max(0, Math.min(8, filled))];
    }
    const label = row === height - 1 ? String(top) : row === 0 ? '0' : '';
    lines.push(`${label.padStart(labelWidth)} ┤${text.replace(/\s+$/, '')}`);
  }
  const from = String(xs[0] ?? 0);
  const to = String(xs[xs.length - 1] ?? 0);
  lines.push(`${' '.repeat(labelWidth)} └${'─'.repeat(width)}`);
  const gap = Math.max(1, width - from.length - to.length);
  lines.push(`${' '.repeat(labelWidth + 2)}${from}${' '.repeat(gap)}${to}${opts.xLabel ? `  ${opts.xLabel}` : ''}`);
  return lines;
}
