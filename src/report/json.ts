import { SCHEMA, type CommandResult } from './result.js';

/** One JSON document: schema, command, config, rows (the csv columns as numbers), extras. */
export function toJson(result: CommandResult): string {
  const doc = {
    schema: SCHEMA,
    command: result.command,
    config: result.config,
    rows: result.rows,
    ...result.extra,
    notes: result.notes ?? [],
  };
  return `${JSON.stringify(doc, (_k, v: unknown) => (v === Infinity ? 'unlimited' : v), 2)}\n`;
}
