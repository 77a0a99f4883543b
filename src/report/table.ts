import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import { formatCell, groupThousands } from './format.js';
import { plot } from './plot.js';
import type { Column, CommandResult } from './result.js';
import { visibleWidth } from './columns.js';

/**
 * A terminal table of the columns that have a heading, then the summary lines. With `maxWidth`
 * (a terminal's width), columns are left out from the right until the table fits (the first is
 * always kept); `left` receives the CSV names of those left out.
 */
export function toTable(result: CommandResult, chalk: ChalkInstance, maxWidth?: number, left?: string[]): string {
  const all = result.columns.filter((c) => c.heading !== undefined);
  let shown = all.length;
  let text = tableText(result, chalk, all);
  while (maxWidth !== undefined && shown > 1 && visibleWidth(text.split('\n', 1)[0]!) > maxWidth) {
    shown--;
    text = tableText(result, chalk, all.slice(0, shown));
  }
  if (left) left.push(...all.slice(shown).map((c) => c.key));
  const lines = result.chart ? [plot(result.chart.series, result.chart.options, chalk).trimEnd(), ''] : [];
  lines.push(text);
  for (const s of result.summary ?? []) lines.push(s);
  return `${lines.join('\n')}\n`;
}

function tableText(result: CommandResult, chalk: ChalkInstance, columns: Column[]): string {
  // cli-table3 colours heads and borders itself unless told not to: colour goes through chalk.
  // Emphasised rows also get a `*` in a first column, so that they show without colour too.
  const marks = result.highlight !== undefined;
  const table = new Table({
    head: [...(marks ? [''] : []), ...columns.map((c) => chalk.bold(c.heading!))],
    style: { head: [], border: [] },
    colAligns: [...(marks ? ['left' as const] : []), ...columns.map((c) => (c.kind === 'text' ? 'left' : 'right') as 'left' | 'right')],
  });
  result.rows.forEach((row, i) => {
    const accesses = (result.originalRows?.[i] ?? row).accesses;
    const total = typeof accesses === 'number' ? accesses : undefined;
    const cells = columns.map((c) => {
      let text = formatCell(row[c.key] ?? null, c, total);
      if (c.kind === 'rate' && text !== '') text = `${(Number(text) * 100).toFixed(2)}%`;
      // counts (frames, accesses, faults, bytes, times in accesses) get thousands separators
      else if (c.kind === undefined || c.kind === 'int' || c.kind === 'number') text = groupThousands(text);
      return text;
    });
    const isTotal = (result.originalRows?.[i] ?? row).vm === 'TOTAL';
    const highlighted = result.highlight?.has(i) === true;
    if (marks) cells.unshift(highlighted ? '*' : '');
    const tone = result.tones?.[i];
    if (tone) table.push(cells.map((t) => (tone === 'good' ? chalk.green(t) : chalk.red(t))));
    else table.push(isTotal || highlighted ? cells.map((t) => (isTotal ? chalk.bold(t) : chalk.green(t))) : cells);
  });
  return table.toString();
}
