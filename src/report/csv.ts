import { formatCell } from './format.js';
import type { CommandResult } from './result.js';

function quote(field: string): string {
  return /[",\n\r]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** CSV with a header row and the documented columns, in order (SPEC 3.1). */
export function toCsv(result: CommandResult): string {
  const lines = [result.columns.map((c) => c.key).join(',')];
  for (const row of result.rows) {
    const total = typeof row.accesses === 'number' ? row.accesses : undefined;
    lines.push(result.columns.map((c) => quote(formatCell(row[c.key] ?? null, c, total))).join(','));
  }
  return `${lines.join('\n')}\n`;
}
