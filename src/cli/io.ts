/**
 * Where results go: the result alone on standard output, notes on standard error. Colour only
 * on a terminal and never with NO_COLOR set (chalk does not check NO_COLOR itself).
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { render } from '../report/index.js';
import type { CommandResult } from '../report/result.js';
import { outputFormat, type RawOptions } from './options.js';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
  env: NodeJS.ProcessEnv;
}

export function processIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdoutIsTty: process.stdout.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
    env: process.env,
  };
}

/** `tty`: whether the stream the text goes to is a terminal (standard output unless said). */
export function chalkFor(io: Io, color: boolean | undefined, tty = io.stdoutIsTty): ChalkInstance {
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  // --color forces colour on, --no-color (color === false) and NO_COLOR force it off.
  const on = !noColor && color !== false && (color === true ? true : tty);
  return new Chalk({ level: on ? 1 : 0 });
}

export function emit(io: Io, result: CommandResult, raw: RawOptions): void {
  const format = outputFormat(raw);
  // --color declared before --no-color: undefined by default, true or false when given.
  const chalk = chalkFor(io, raw.color);
  const text = render(result, format, chalk);
  if (!raw.quiet) for (const n of result.notes ?? []) io.stderr(`vmmem: ${n}\n`);
  io.stdout(text);
}
