/**
 * Where results go: the result alone on standard output, notes on standard error. Colour by
 * colorWanted's rules (chalk's own detection is not used: it ignores NO_COLOR).
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { UsageError, nameList } from '../errors.js';
import { chooseColumns } from '../report/columns.js';
import { render } from '../report/index.js';
import { didYouMean } from '../options/suggest.js';
import type { CommandResult } from '../report/result.js';
import { outputFormat, type RawOptions } from '../options/options.js';
import { stamped, type InputFile } from '../report/stamp.js';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
  env: NodeJS.ProcessEnv;
  /** the terminal's width when standard output is one */
  stdoutColumns?: number;
}

export function processIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdoutIsTty: process.stdout.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
    env: process.env,
    stdoutColumns: process.stdout.columns,
  };
}

/**
 * Whether to colour text for a stream, first rule that applies: --color or --no-color (a flag
 * overrides the environment, no-color.org); TERM=dumb: never; FORCE_COLOR (0 or false: never,
 * else always; Node's rule, it beats NO_COLOR); NO_COLOR set and not empty: never; else only on
 * a terminal. `tty`: whether the stream is a terminal.
 */
export function colorWanted(env: NodeJS.ProcessEnv, color: boolean | undefined, tty: boolean): boolean {
  if (color !== undefined) return color;
  if (env.TERM === 'dumb') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !(force === '0' || force.toLowerCase() === 'false');
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return tty;
}

/** `tty`: whether the stream the text goes to is a terminal (standard output unless said). */
export function chalkFor(io: Io, color: boolean | undefined, tty = io.stdoutIsTty): ChalkInstance {
  // --color declared before --no-color: undefined by default, true or false when given.
  return new Chalk({ level: colorWanted(io.env, color, tty) ? 1 : 0 });
}

/** The terminal's width: COLUMNS when set, else what the terminal says, else 80. */
export function terminalWidth(io: Io): number {
  const fromEnv = Number(io.env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return io.stdoutColumns ?? 80;
}

export function emit(io: Io, unstamped: CommandResult, raw: RawOptions, inputs?: readonly InputFile[]): void {
  let result = stamped(unstamped, inputs);
  const format = outputFormat(raw);
  if (raw.columns !== undefined) {
    const chosen = chooseColumns(result, raw.columns.split(',').map((s) => s.trim()).filter((s) => s !== ''));
    if ('unknown' in chosen) {
      const [first] = chosen.unknown;
      throw new UsageError(`--columns: no column ${nameList(chosen.unknown)}${didYouMean(first!, chosen.known)} (columns: ${chosen.known.join(', ')})`);
    }
    result = chosen;
  }
  // --color declared before --no-color: undefined by default, true or false when given.
  const chalk = chalkFor(io, raw.color);
  // On a terminal a table is cut to its width unless --wide or --columns says what to show.
  const width = format === 'table' && io.stdoutIsTty && raw.wide !== true && raw.columns === undefined ? terminalWidth(io) : undefined;
  const left: string[] = [];
  const text = render(result, format, chalk, width, left);
  if (!raw.quiet) for (const n of result.notes ?? []) io.stderr(`vmmem: ${n}\n`);
  if (left.length > 0) io.stderr(`vmmem: ${left.length} column${left.length > 1 ? 's' : ''} left out to fit ${width} columns: ${left.join(', ')} (--wide shows all, --columns LIST chooses)\n`);
  io.stdout(text);
}
