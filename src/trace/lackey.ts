/**
 * valgrind `--tool=lackey --trace-mem=yes` output:
 *   `I  0023C790,2`  instruction fetch (skipped unless --ifetch)
 *   ` L 1FFEFFF8,8`  load  -> read
 *   ` S 04222CAC,4`  store -> write
 *   ` M 0421FAF8,4`  modify -> read then write (two accesses)
 * Every other line (`==pid==` banners, program output) is counted as skipped, not an error.
 */
import { MAX_ROW_BYTES, parseHex, parsed, parseFailure, parseSize, spanFits } from './address.js';
import { OP_READ, OP_WRITE } from './rows.js';
import { scanDecimal, scanHex } from './bytes.js';
import { badLine, type FastLineParser, type LineParser } from './text.js';

export function lackeyParser(display: string, ifetch: boolean): LineParser {
  return (line, lineNo, out, skipped) => {
    // A record is a kind letter in column 0 (`I`) or 1 (` L`), then spaces, then ADDR,SIZE.
    let kind: string;
    if (line.charCodeAt(0) === 73 /* I */ && line.charCodeAt(1) === 32) kind = 'I';
    else if (line.charCodeAt(0) === 32 && line.charCodeAt(2) === 32) kind = line[1]!;
    else {
      skipped.other++;
      return;
    }
    if (kind !== 'I' && kind !== 'L' && kind !== 'S' && kind !== 'M') {
      skipped.other++;
      return;
    }
    const body = line.slice(2).trim();
    const comma = body.indexOf(',');
    if (comma < 0) badLine(display, lineNo, 'lackey record without ",SIZE"', line);
    if (!parseHex(body.slice(0, comma))) badLine(display, lineNo, parseFailure, line);
    const sizeText = body.slice(comma + 1);
    const size = parseSize(sizeText);
    if (typeof size === 'string') badLine(display, lineNo, size, line);
    if (!spanFits(parsed.hi, parsed.lo, size)) badLine(display, lineNo, 'access runs past the end of the 64-bit address space', line);
    if (kind === 'I') {
      if (!ifetch) {
        skipped.ifetch++;
        return;
      }
      out.push(OP_READ, 0, parsed.hi, parsed.lo, size, NaN, lineNo);
    } else if (kind === 'L') out.push(OP_READ, 0, parsed.hi, parsed.lo, size, NaN, lineNo);
    else if (kind === 'S') out.push(OP_WRITE, 0, parsed.hi, parsed.lo, size, NaN, lineNo);
    else {
      out.push(OP_READ, 0, parsed.hi, parsed.lo, size, NaN, lineNo);
      out.push(OP_WRITE, 0, parsed.hi, parsed.lo, size, NaN, lineNo);
    }
  };
}

/** The fast path for well-formed lackey records, on bytes; anything else goes to lackeyParser. */
export function fastLackeyParser(ifetch: boolean): FastLineParser {
  return (buf, start, end, lineNo, out, skipped) => {
    if (end - start < 6 || buf[start + 2] !== 32) return false;
    const c0 = buf[start]!;
    const c1 = buf[start + 1]!;
    let op: number;
    if (c0 === 32 && c1 === 76 /* L */) op = 0;
    else if (c0 === 32 && c1 === 83 /* S */) op = 1;
    else if (c0 === 32 && c1 === 77 /* M */) op = 2;
    else if (c0 === 73 /* I */ && c1 === 32) op = 3;
    else return false;
    const comma = buf.indexOf(44, start + 3);
    if (comma < 0 || comma >= end) return false;
    const size = scanDecimal(buf, comma + 1, end);
    if (size < 1 || size > MAX_ROW_BYTES) return false;
    if (!scanHex(buf, start + 3, comma)) return false;
    if (!spanFits(parsed.hi, parsed.lo, size)) return false;
    if (op === 3) {
      if (!ifetch) {
        skipped.ifetch++;
        return true;
      }
      op = 0;
    }
    if (op === 2) {
      out.push(OP_READ, 0, parsed.hi, parsed.lo, size, NaN, lineNo);
      out.push(OP_WRITE, 0, parsed.hi, parsed.lo, size, NaN, lineNo);
    } else out.push(op, 0, parsed.hi, parsed.lo, size, NaN, lineNo);
    return true;
  };
}
