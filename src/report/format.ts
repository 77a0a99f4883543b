/**
 * Number formatting shared by csv and table. Rates carry enough significant digits to recover
 * the counts they were computed from (SPEC 3.1: at least 6).
 */
import type { Cell, Column } from './result.js';

/** `count / total` printed so that round(value * total) = count. */
export function formatRate(value: number, total: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const digits = Math.min(17, Math.max(6, Math.ceil(Math.log10(Math.max(total, 1))) + 2));
  return String(Number(value.toPrecision(digits)));
}

export function formatCell(value: Cell, column: Column, total?: number): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  switch (column.kind) {
    case 'rate':
      return formatRate(value, total ?? 1e12);
    case 'ns':
    case 'float':
      return String(Math.round(value * 1000) / 1000);
    case 'number':
      // whole numbers as they are, others to 10 significant digits (columns that mix counts and times)
      return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(10)));
    default:
      return String(value);
  }
}

/**
 * A whole number in a table cell with a comma between groups of three digits (846945 ->
 * 846,945): tables only, never CSV or JSON. A fixed comma, not the locale's separator, so that
 * the same run prints the same table on every machine (docs, logs and tests compare them).
 * Anything but a whole number (decimals, rates, names) is returned as it is.
 */
export function groupThousands(text: string): string {
  if (!/^-?\d{4,}$/.test(text)) return text;
  return text.replace(/\B(?=(\d{3})+$)/g, ',');
}
