/**
 * Choosing and fitting columns: `--columns LIST` (any format; CSV and JSON in the order given)
 * and a table cut to the terminal's width (the leftmost columns are the most useful: a table
 * keeps them and leaves out columns from the right).
 */
import type { Column, CommandResult, Row } from './result.js';

/** The names a column answers to in --columns: its CSV name and its table heading. */
function names(c: Column): string[] {
  return c.heading === undefined ? [c.key] : [c.key, c.heading.toLowerCase()];
}

/**
 * The result with only the columns `wanted` names (CSV names or table headings, any case), in
 * that order; each keeps or gets a table heading (its CSV name when it had none). Returns the
 * names that match no column instead when there are any.
 */
export function chooseColumns(result: CommandResult, wanted: readonly string[]): CommandResult | { unknown: string[]; known: string[] } {
  const chosen: Column[] = [];
  const unknown: string[] = [];
  for (const w of wanted) {
    const c = result.columns.find((col) => names(col).includes(w.toLowerCase()));
    if (c === undefined) unknown.push(w);
    else if (!chosen.includes(c)) chosen.push({ ...c, heading: c.heading ?? c.key });
  }
  if (unknown.length > 0) return { unknown, known: result.columns.map((c) => c.key) };
  const keys = chosen.map((c) => c.key);
  // JSON rows carry the chosen members in the order given; the table's TOTAL styling reads `vm`
  const rows: Row[] = result.rows.map((r) => Object.fromEntries(keys.map((k) => [k, r[k] ?? null])));
  return { ...result, columns: chosen, rows, originalRows: result.rows, csvTail: undefined };
}

/** Printable width of a rendered line (colour codes take no room). */
export function visibleWidth(line: string): number {
  // eslint-disable-next-line no-control-regex
  return [...line.replace(/\x1b\[[0-9;]*m/g, '')].length;
}
