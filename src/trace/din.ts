/**
 * DineroIV `din` traces: `LABEL ADDR [SIZE]`, address in hex (an optional 0x), size decimal.
 * Label 0 = read, 1 = write, 2 = instruction fetch (skipped unless --ifetch); other labels
 * (3 escape, 4 cache flush) are counted as skipped.
 */
import { parseHex, parsed, parseFailure, parseSize, spanFits } from './address.js';
import { OP_READ, OP_WRITE } from './rows.js';
import { quoted } from '../errors.js';
import { badLine, type LineParser } from './text.js';

export function dinParser(display: string, ifetch: boolean): LineParser {
  return (line, lineNo, out, skipped) => {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 2 || fields.length > 3) badLine(display, lineNo, 'expected "LABEL ADDRESS [SIZE]"', line);
    const label = fields[0]!;
    if (!/^\d+$/.test(label)) badLine(display, lineNo, `label ${quoted(label)} is not a number`, line);
    const addr = fields[1]!;
    const prefixed = addr.length > 2 && addr[0] === '0' && (addr[1] === 'x' || addr[1] === 'X');
    if (!parseHex(addr, prefixed ? 2 : 0)) badLine(display, lineNo, parseFailure, line);
    let size = 1;
    if (fields.length === 3) {
      const parsedSize = parseSize(fields[2]!);
      if (typeof parsedSize === 'string') badLine(display, lineNo, parsedSize, line);
      size = parsedSize;
    }
    if (!spanFits(parsed.hi, parsed.lo, size)) badLine(display, lineNo, 'access runs past the end of the 64-bit address space', line);
    switch (Number(label)) {
      case 0:
        out.push(OP_READ, 0, parsed.hi, parsed.lo, size, NaN, lineNo);
        return;
      case 1:
        out.push(OP_WRITE, 0, parsed.hi, parsed.lo, size, NaN, lineNo);
        return;
      case 2:
        if (ifetch) out.push(OP_READ, 0, parsed.hi, parsed.lo, size, NaN, lineNo);
        else skipped.ifetch++;
        return;
      default:
        skipped.other++;
    }
  };
}
