import type { ChalkInstance } from 'chalk';
import { toCsv } from './csv.js';
import { toJson } from './json.js';
import type { CommandResult } from './result.js';
import { toTable } from './table.js';

export const OUTPUT_FORMATS = ['table', 'csv', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** `maxWidth`, `left`: see toTable (table format only). */
export function render(result: CommandResult, format: OutputFormat, chalk: ChalkInstance, maxWidth?: number, left?: string[]): string {
  switch (format) {
    case 'csv':
      return toCsv(result);
    case 'json':
      return toJson(result);
    default:
      return toTable(result, chalk, maxWidth, left);
  }
}
