/**
 * Plain traces: `[OP] ADDR [SIZE]` per line. OP is R, W, A, F or RESET (default R); ADDR is
 * `0x…` hex, decimal, or bare hex with --hex; SIZE (decimal, default 1) gives the bytes an
 * access touches or an allocation commits. `#` starts a comment line.
 */
import { parseAddress, parsed, parseFailure, parseSize, spanFits } from './address.js';
import { scanAddress } from './bytes.js';
import { OP_READ, OP_RESET, OP_WRITE, opFromText } from './rows.js';
import { quoted } from '../errors.js';
import { badLine, type FastLineParser, type LineParser } from './text.js';

export function plainParser(display: string, bareHex: boolean): LineParser {
  return (line, lineNo, out) => {
    const fields = line.trim().split(/\s+/);
    if (fields[0]!.startsWith('#')) return;
    let op = 0;
    let i = 0;
    if (/^[A-Za-z]/.test(fields[0]!) && !(bareHex && /^[0-9a-fA-F]+$/.test(fields[0]!) && fields.length === 1)) {
      op = opFromText(fields[0]!);
      if (op < 0 || fields[0]!.length > 5 || /^[LS]$/i.test(fields[0]!)) badLine(display, lineNo, `unknown op ${quoted(fields[0]!)} (R, W, A, F or RESET)`, line);
      i = 1;
    }
    if (op === OP_RESET && fields.length === 1) {
      out.push(OP_RESET, 0, 0, 0, 1, NaN, lineNo);
      return;
    }
    if (fields.length <= i || fields.length > i + 2) badLine(display, lineNo, 'expected "[OP] ADDRESS [SIZE]"', line);
    if (!parseAddress(fields[i]!, bareHex)) badLine(display, lineNo, parseFailure, line);
    let size = 1;
    if (fields.length === i + 2) {
      const s = fields[i + 1]!;
      const parsedSize = parseSize(s);
      if (typeof parsedSize === 'string') badLine(display, lineNo, parsedSize, line);
      size = parsedSize;
    }
    if (!spanFits(parsed.hi, parsed.lo, size)) badLine(display, lineNo, 'access runs past the end of the 64-bit address space', line);
    out.push(op, 0, parsed.hi, parsed.lo, size, NaN, lineNo);
  };
}

/**
 * The fast path for the common plain line, `R|W ADDR` or `ADDR` (single spaces or tabs), on
 * bytes. Anything else goes to plainParser.
 */
export function fastPlainParser(bareHex: boolean): FastLineParser {
  return (buf, start, end, lineNo, out) => {
    let op = 0;
    let i = start;
    if (i + 1 < end) {
      const c = buf[i]! | 32;
      const next = buf[i + 1];
      if ((c === 114 || c === 119) && (next === 32 || next === 9)) {
        op = c === 119 ? OP_WRITE : OP_READ;
        i += 2;
        while (i < end && (buf[i] === 32 || buf[i] === 9)) i++;
      }
    }
    let e = end;
    while (e > i && (buf[e - 1] === 32 || buf[e - 1] === 9)) e--;
    if (!scanAddress(buf, i, e, bareHex)) return false;
    out.push(op, 0, parsed.hi, parsed.lo, 1, NaN, lineNo);
    return true;
  };
}
