/**
 * The object `--format json` prints, as the library returns it: JSON.parse of the CLI's bytes,
 * so that `await simulate(o)` deep-equals the parsed output (Infinity is `"unlimited"` there).
 */
import { toJson } from '../report/json.js';
import type { Cell, CommandResult, Row } from '../report/result.js';
import { stamped, type InputFile } from '../report/stamp.js';

export type { Cell, Row, InputFile };

/** A command's result: what `vmmem COMMAND --format json` prints, parsed. */
export interface ResultDocument<Command extends string = string> {
  /** `vmmem/1` */
  schema: string;
  command: Command;
  /** the configuration that produced it; ends with `version` and `inputs` (the traces read) */
  config: Record<string, unknown> & { version: string; inputs: InputFile[] };
  /** one object per row, the CSV columns as members (snake_case) */
  rows: Row[];
  /** warnings (skipped lines, OOM kills) the CLI writes to standard error */
  notes: string[];
  /** the command's further members (`host`, `intervals`, `traces`, ...; see docs/output.md) */
  [member: string]: unknown;
}

export function toDocument<C extends string>(result: CommandResult, inputs?: readonly InputFile[]): ResultDocument<C> {
  return JSON.parse(toJson(stamped(result, inputs))) as ResultDocument<C>;
}
