/**
 * The few typed errors of vmmem. Only `cli/main.ts` turns them into messages and exit codes
 * (sysexits.h): a user's mistake never shows a stack trace.
 */

export const EXIT = {
  ok: 0,
  regression: 1,
  /** simulated host out of memory with --on-oom=error */
  oom: 3,
  usage: 64,
  data: 65,
  noInput: 66,
  internal: 70,
  /** an output file cannot be created or written (EX_CANTCREAT) */
  cantCreate: 73,
} as const;

export abstract class VmmemError extends Error {
  abstract readonly exitCode: number;
}

/** Bad command line: unknown option, bad size, conflicting options. Exit 64. */
export class UsageError extends VmmemError {
  readonly exitCode = EXIT.usage;
}

/** Bad configuration (scenario file, --vm, reserves that do not fit). Exit 64. */
export class ConfigError extends VmmemError {
  readonly exitCode = EXIT.usage;
}

/** A trace file that cannot be opened or read. Exit 66. */
export class InputError extends VmmemError {
  readonly exitCode = EXIT.noInput;
}

/** Bad trace data, reported as `FILE:LINE: reason (text)`. Exit 65. */
export class TraceError extends VmmemError {
  readonly exitCode = EXIT.data;
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
    readonly text?: string,
  ) {
    super(formatTraceMessage(file, line, reason, text));
  }
}

/** An output file (a converted or generated trace) cannot be created or written. Exit 73. */
export class OutputError extends VmmemError {
  readonly exitCode = EXIT.cantCreate;
}

/** A run is worse than its baseline beyond the tolerance (`--baseline`, `vmmem diff`). Exit 1. */
export class RegressionError extends VmmemError {
  readonly exitCode = EXIT.regression;
}

/** The simulated host ran out of memory and swap under --on-oom=error. Exit 3. */
export class OutOfMemoryError extends VmmemError {
  readonly exitCode = EXIT.oom;
}

/**
 * Part of the work failed after the rest was printed (e.g. some `compare` cells): the message
 * goes to standard error and the run exits with `exitCode`.
 */
export class PartialFailure extends VmmemError {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Longest excerpt of an offending line that goes into a message. */
const MAX_EXCERPT = 80;

/**
 * Control characters (random bytes) would garble the terminal, and a newline (a quoted CSV field
 * spanning lines) would split the one-line message: show them escaped.
 */
function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex -- meant: the control characters of a quoted trace line are escaped
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Longest reason that goes into a message (a reason quoting part of a huge line is cut). */
const MAX_REASON = 200;

/**
 * `text` with control characters escaped, cut to `max` characters of the result (never inside
 * an escape), with `...` where it was cut: random bytes quadruple in length when escaped.
 */
function clip(text: string, max: number): string {
  const escaped = escapeControls(text);
  if (escaped.length <= max) return escaped;
  let cut = max;
  const lastEscape = escaped.lastIndexOf('\\x', cut);
  if (lastEscape >= 0 && lastEscape > cut - 4) cut = lastEscape;
  return `${escaped.slice(0, cut)}...`;
}

/** A field of a trace line quoted in a reason, cut short: `'Q'`, `'QQQQ...'`. */
export function quoted(field: string, max = 24): string {
  return `'${clip(field, max)}'`;
}

export function formatTraceMessage(file: string, line: number, reason: string, text?: string): string {
  const where = line > 0 ? `${file}:${line}` : file;
  if (text === undefined) return `${where}: ${clip(reason, MAX_REASON)}`;
  return `${where}: ${clip(reason, MAX_REASON)} (${clip(text.replace(/[\r\n]+$/, ''), MAX_EXCERPT)})`;
}

/**
 * Names for a message, quoted and cut short: `'a', 'b' and 61 more`. A trace may name 65535
 * VMs; a message stays one short line.
 */
export function nameList(names: readonly string[], max = 6, quote = true): string {
  const shown = names.slice(0, max).map((n) => (quote ? quoted(n, 40) : clip(n, 40)));
  return names.length > max ? `${shown.join(', ')} and ${names.length - max} more` : shown.join(', ');
}
