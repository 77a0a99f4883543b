/**
 * What JSON `config` says produced a result from what: vmmem's version and the input files with
 * the format each was read as (the CLI and the library stamp every result alike).
 */
import type { CommandResult } from './result.js';
import { version } from './version.js';

/** An input file as JSON `config.inputs` shows it: its path and the format it was read as. */
export interface InputFile {
  path: string;
  /** the format detected (or given by --trace-format); null for a trace this shard did not open */
  format: string | null;
  gzip?: boolean;
}

/** What JSON `config.inputs` holds for these trace sources (`paths` for those not opened). */
export function inputsOf(sources: readonly ({ display: string; format: string; gzip: boolean } | null)[], paths?: readonly string[]): InputFile[] {
  return sources.map((s, i) => (s === null ? { path: paths?.[i] ?? '', format: null } : { path: s.display, format: s.format, gzip: s.gzip }));
}

/**
 * The result with `config.version` (vmmem's) and, when given, `config.inputs` at the end of its
 * config: JSON says what produced it from what. Tables and CSV do not show config.
 */
export function stamped(result: CommandResult, inputs?: readonly InputFile[]): CommandResult {
  const { version: _v, inputs: kept, ...config } = result.config;
  return { ...result, config: { ...config, version: version(), inputs: inputs ?? kept ?? [] } };
}
