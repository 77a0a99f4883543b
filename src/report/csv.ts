import { formatCell } from './format.js';
import type { CommandResult } from './result.js';

function quote(field: string): string {
  return /[",\n\r]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** CSV with a header row and the documented columns, in order (SPEC 3.1). */
export function toCsv(result: CommandResult): string {
  const lines = [result.columns.map((c) => c.key).join(',')];
  result.rows.forEach((row, i) => {
    // a rate is printed with the digits its count needs, also when --columns left accesses out
    const accesses = (result.originalRows?.[i] ?? row).accesses;
    const total = typeof accesses === 'number' ? accesses : undefined;
    lines.push(result.columns.map((c) => quote(formatCell(row[c.key] ?? null, c, total))).join(','));
  });
  return `${lines.join('\n')}\n`;
}
