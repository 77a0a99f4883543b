/**
 * The one result type every command produces. Every output format (table, csv, json) is a
 * function of it, so they never disagree. Reports know nothing of the engine.
 */
import type { PlotOptions, PlotSeries } from './plot.js';

export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

export interface Column {
  /** CSV/JSON name (snake_case, SPEC 3.1) */
  key: string;
  /** table heading; columns without one are left out of the table view */
  heading?: string;
  /** how a number is printed in csv and table */
  kind?: 'int' | 'rate' | 'ns' | 'float' | 'number' | 'text';
}

export interface CommandResult {
  command: string;
  /** the configuration that produced it (JSON `config`, table caption) */
  config: Record<string, unknown>;
  columns: Column[];
  rows: Row[];
  /** further JSON members (host statistics, events) */
  extra?: Record<string, unknown>;
  /** lines shown under the table (and in JSON as `notes`) */
  summary?: string[];
  /** warnings for standard error: skipped lines, OOM kills */
  notes?: string[];
  /** the row index to emphasise per group (e.g. the best policy per size) */
  highlight?: Set<number>;
  /** per row: shown green (`good`) or red (`bad`) in a coloured table (e.g. a figure better or worse than its baseline) */
  tones?: (Tone | undefined)[];
  /** the rows before --columns chose some members (the table's TOTAL and tones read them) */
  originalRows?: Row[];
  /**
   * Columns that CSV alone prints after `columns` (not the table, not JSON, whose document holds
   * the same facts in its own members): `values` gives row i's cells, from the result as printed
   * (its config stamped). `--columns` drops them. Used by `compare --shard` (docs/sweeps.md).
   */
  csvTail?: { keys: string[]; values: (result: CommandResult, i: number) => string[] };
  /** a plot drawn above the table (table view only) */
  chart?: { series: PlotSeries[]; options: PlotOptions };
}

export type Tone = 'good' | 'bad';

export const SCHEMA = 'vmmem/1';
