/**
 * The library's options: the CLI's options in camelCase, where a value option also takes a
 * number (`frames: 100` is `--frames 100`). They are turned into the strings the command line
 * gives and checked by the same parsers, so the library and the CLI share one set of defaults,
 * rules and messages (a message names the option by its flag, e.g. `--frames`).
 */

/** A value option: its text as on the command line, or a number (a bigint for large sizes). */
export type OptionValue = string | number | bigint;

/**
 * `Raw` (the strings commander gives) with each string option widened to OptionValue and the
 * terminal-only options (`Omit`ted by the caller) left out.
 */
export type Library<Raw> = {
  [K in keyof Raw]?: NonNullable<Raw[K]> extends string ? OptionValue : Raw[K];
};

/** What the library hands the CLI's parsers: numbers written as the command line would. */
export function toRaw<Raw>(options: object): Raw {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    raw[key] = typeof value === 'number' || typeof value === 'bigint' ? String(value) : value;
  }
  return raw as Raw;
}

/** Told how far a run has got: the pass (`replay`, `look-ahead`) and the rows read so far. */
export interface ProgressCallback {
  (event: { pass: string; rows: number }): void;
}
