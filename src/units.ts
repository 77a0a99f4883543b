import { UsageError } from './errors.js';

/**
 * Sizes on the command line: a whole number of bytes with an optional binary unit.
 * K, KB, KiB = 1024; M, MB, MiB = 1024^2; G, GB, GiB; T, TB, TiB (memory convention: a "KB" of
 * RAM is 1024 bytes). Case-insensitive; "B" alone means bytes.
 */
const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

const SIZE_RE = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/;

/** Parses `64MiB`, `4k`, `4096` into bytes; `what` names the option in the error. */
export function parseBytes(text: string, what: string): number {
  const m = SIZE_RE.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new UsageError(`${what}: '${text}' is not a size (examples: 4096, 64KiB, 512MiB, 2GiB)`);
  }
  const bytes = Number(m[1]) * unit;
  if (bytes > Number.MAX_SAFE_INTEGER) throw new UsageError(`${what}: '${text}' is too large (at most ${Number.MAX_SAFE_INTEGER} bytes)`);
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`${what}: '${text}' is not a whole number of bytes`);
  return bytes;
}

/** Parses a positive whole count such as `--frames 256`. */
/** A whole number from `min` to `max` (at most 2^53 - 1, the largest a double holds exactly). */
export function parseCount(text: string, what: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\s*\d+\s*$/.test(text)) throw new UsageError(`${what}: '${text}' is not a whole number`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n > max) throw new UsageError(`${what}: at most ${max}, got ${text.trim()}`);
  if (n < min) throw new UsageError(`${what}: must be at least ${min}, got '${text}'`);
  return n;
}

/** Durations for the latency model: `100ns`, `2us`, `50us`, `1ms`, `0.5s`; returns nanoseconds. */
export function parseDuration(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s)?\s*$/.exec(text);
  if (!m) throw new UsageError(`${what}: '${text}' is not a duration (examples: 100ns, 2us, 50us, 1ms)`);
  const scale = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9 }[(m[2] ?? 'ns') as 'ns'];
  return Number(m[1]) * scale;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/** Human size for tables: 4096 -> "4 KiB". */
export function formatBytes(bytes: number): string {
  const names = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = bytes;
  while (v >= 1024 && i < names.length - 1 && v % 1024 === 0) {
    v /= 1024;
    i++;
  }
  return `${v} ${names[i]}`;
}
