/**
 * Byte-level number parsing for the fast paths of the text readers. Each returns false (and
 * the caller falls back to the string parser, which gives the exact error) on anything it does
 * not handle; none of them ever accepts what the string parsers would reject.
 */
import { parsed } from './address.js';

const TWO32 = 4294967296;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** Hex digits buf[start, end) into `parsed` (up to 16 significant digits). */
export function scanHex(buf: Buffer, start: number, end: number): boolean {
  if (start >= end) return false;
  while (start < end - 1 && buf[start] === 48) start++;
  const digits = end - start;
  if (digits > 16) return false;
  let hi = 0;
  let lo = 0;
  const split = end - 8;
  for (let i = start; i < end; i++) {
    const d = hexValue(buf[i]!);
    if (d < 0) return false;
    if (i < split) hi = hi * 16 + d;
    else lo = lo * 16 + d;
  }
  parsed.hi = hi >>> 0;
  parsed.lo = lo >>> 0;
  return true;
}

/** Decimal digits buf[start, end) as a number, or -1 (not digits, or 16 digits and more). */
export function scanDecimal(buf: Buffer, start: number, end: number): number {
  if (start >= end || end - start > 15) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** An address as csv and plain write it: 0x-hex, decimal, or bare hex. */
export function scanAddress(buf: Buffer, start: number, end: number, bareHex: boolean): boolean {
  if (end - start > 2 && buf[start] === 48 && (buf[start + 1]! | 32) === 120) return scanHex(buf, start + 2, end);
  if (bareHex) return scanHex(buf, start, end);
  const v = scanDecimal(buf, start, end);
  if (v < 0) return false;
  parsed.hi = Math.floor(v / TWO32);
  parsed.lo = v % TWO32 >>> 0;
  return true;
}
