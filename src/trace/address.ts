/**
 * Exact 64-bit addresses as two unsigned 32-bit halves. A JavaScript double holds integers only
 * up to 2^53, so addresses are parsed digit-group by digit-group, never through Number() whole.
 */

/** Result slots of the last parse; read right after a successful call. */
export const parsed = { hi: 0, lo: 0 };

/** Why the last parse failed. */
export let parseFailure = '';

const TWO32 = 4294967296;

function isHexDigits(s: string, from: number): boolean {
  if (from >= s.length) return false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
    if (!ok) return false;
  }
  return true;
}

/** Hex digits from `from` on (no prefix) into `parsed`; false if not hex or over 64 bits. */
export function parseHex(s: string, from = 0): boolean {
  if (!isHexDigits(s, from)) {
    parseFailure = 'address is not a hexadecimal number';
    return false;
  }
  while (from < s.length - 1 && s.charCodeAt(from) === 48) from++;
  const digits = s.length - from;
  if (digits > 16) {
    parseFailure = 'address is over 64 bits';
    return false;
  }
  if (digits <= 8) {
    parsed.hi = 0;
    parsed.lo = parseInt(s.slice(from), 16) >>> 0;
  } else {
    parsed.hi = parseInt(s.slice(from, s.length - 8), 16) >>> 0;
    parsed.lo = parseInt(s.slice(s.length - 8), 16) >>> 0;
  }
  return true;
}

const MAX_U64 = (1n << 64n) - 1n;

/** Decimal digits into `parsed`; false if not a non-negative integer or over 64 bits. */
export function parseDecimal(s: string): boolean {
  if (s.length === 0 || !/^\d+$/.test(s)) {
    parseFailure = s.startsWith('-') ? 'address is negative' : 'address is not a number';
    return false;
  }
  if (s.length <= 15) {
    const v = Number(s);
    parsed.hi = Math.floor(v / TWO32);
    parsed.lo = v % TWO32 >>> 0;
    return true;
  }
  const v = BigInt(s);
  if (v > MAX_U64) {
    parseFailure = 'address is over 64 bits';
    return false;
  }
  parsed.hi = Number(v >> 32n);
  parsed.lo = Number(v & 0xffffffffn);
  return true;
}

/**
 * An address as written in csv and plain traces: `0x…` hex, or decimal, or bare hex when
 * `bareHex` is set (`--hex`).
 */
export function parseAddress(s: string, bareHex: boolean): boolean {
  if (s.length > 2 && s.charCodeAt(0) === 48 && (s.charCodeAt(1) | 32) === 120) return parseHex(s, 2);
  if (bareHex) return parseHex(s, 0);
  return parseDecimal(s);
}

/** The 64-bit value as a BigInt (for output and tests, not for hot paths). */
export function toBigInt(hi: number, lo: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Lower-case hex without prefix. */
export function toHex(hi: number, lo: number): string {
  if (hi === 0) return (lo >>> 0).toString(16);
  return (hi >>> 0).toString(16) + (lo >>> 0).toString(16).padStart(8, '0');
}

/** True when the `size` bytes from hi:lo all lie below 2^64. */
export function spanFits(hi: number, lo: number, size: number): boolean {
  if (hi < 0xffe00000) return true; // at least 2^53 bytes above: any safe-integer size fits
  const room = (0xffffffff - hi) * TWO32 + (0xffffffff - lo); // exact below 2^53
  return size - 1 <= room;
}

/** The most bytes one row (an access, an allocation, a free) may cover: 64 GiB. */
export const MAX_ROW_BYTES = 2 ** 36;

/**
 * A row's size as written in a trace (decimal, or 0x hex): the number of bytes, or the reason
 * it is refused (a string).
 */
export function parseSize(text: string): number | string {
  if (!/^(\d+|0[xX][0-9a-fA-F]+)$/.test(text)) return 'size is not a positive whole number';
  const size = Number(text);
  if (size < 1) return 'size is not a positive whole number';
  if (size > MAX_ROW_BYTES) return 'size is over 64 GiB, the most one row may cover';
  return size;
}
