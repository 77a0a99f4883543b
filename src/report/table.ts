import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import { formatCell } from './format.js';
import { plot } from './plot.js';
import type { CommandResult } from './result.js';

/** A terminal table of the columns that have a heading, then the summary lines. */
export function toTable(result: CommandResult, chalk: ChalkInstance): string {
  const columns = result.columns.filter((c) => c.heading !== undefined);
  // cli-table3 colours heads and borders itself unless told not to: colour goes through chalk.
  // Emphasised rows also get a `*` in a first column, so that they show without colour too.
  const marks = result.highlight !== undefined;
  const table = new Table({
    head: [...(marks ? [''] : []), ...columns.map((c) => chalk.bold(c.heading!))],
    style: { head: [], border: [] },
    colAligns: [...(marks ? ['left' as const] : []), ...columns.map((c) => (c.kind === 'text' ? 'left' : 'right') as 'left' | 'right')],
  });
  result.rows.forEach((row, i) => {
    const total = typeof row.accesses === 'number' ? row.accesses : undefined;
    const cells = columns.map((c) => {
      let text = formatCell(row[c.key] ?? null, c, total);
      if (c.kind === 'rate' && text !== '') text = `${(Number(text) * 100).toFixed(2)}%`;
      return text;
    });
    const isTotal = row.vm === 'TOTAL';
    const highlighted = result.highlight?.has(i) === true;
    if (marks) cells.unshift(highlighted ? '*' : '');
    const tone = result.tones?.[i];
    if (tone) table.push(cells.map((t) => (tone === 'good' ? chalk.green(t) : chalk.red(t))));
    else table.push(isTotal || highlighted ? cells.map((t) => (isTotal ? chalk.bold(t) : chalk.green(t))) : cells);
  });
  const lines = result.chart ? [plot(result.chart.series, result.chart.options, chalk).trimEnd(), ''] : [];
  lines.push(table.toString());
  for (const s of result.summary ?? []) lines.push(s);
  return `${lines.join('\n')}\n`;
}
