import { formatCell } from './format.js';
import type { CommandResult } from './result.js';

function quote(field: string): string {
  return /[",\n\r]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** CSV with a header row and the documented columns, in order (SPEC 3.1), then any csvTail. */
export function toCsv(result: CommandResult): string {
  const tail = result.csvTail;
  const lines = [[...result.columns.map((c) => c.key), ...(tail?.keys ?? [])].join(',')];
  result.rows.forEach((row, i) => {
    // a rate is printed with the digits its count needs, also when --columns left accesses out
    const accesses = (result.originalRows?.[i] ?? row).accesses;
    const total = typeof accesses === 'number' ? accesses : undefined;
    const fields = result.columns.map((c) => formatCell(row[c.key] ?? null, c, total));
    if (tail) fields.push(...tail.values(result, i));
    lines.push(fields.map(quote).join(','));
  });
  return `${lines.join('\n')}\n`;
}

/**
 * The records of a CSV text as toCsv writes it (RFC 4180: fields in double quotes may hold commas,
 * quotes doubled, and line breaks); a final line break ends the last record. `bad(line, why)` is
 * called with the 1-based line where a quoted field is not closed.
 */
export function parseCsv(text: string, bad: (line: number, why: string) => never): { fields: string[]; line: number }[] {
  const records: { fields: string[]; line: number }[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) bad(start, 'a quoted field is not closed');
          const ch = text[i]!;
          if (ch === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === '\n') line++;
          field += ch;
          i++;
        }
      } else {
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
      }
      fields.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (i < n && text[i] !== '\n') bad(line, 'text after a closing quote');
    i++;
    line++;
    records.push({ fields, line: start });
  }
  return records;
}
