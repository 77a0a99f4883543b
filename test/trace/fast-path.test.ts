/**
 * Differential tests: the byte-level fast paths (csv, plain, lackey) against the general
 * parsers (csv-parse; the string line parsers) on generated and mutated traces. Both must yield
 * identical rows and identical errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TraceError } from '../../src/errors.js';
import { ContentNames } from '../../src/trace/content.js';
import { createReader } from '../../src/trace/reader.js';
import type { TraceFormat } from '../../src/trace/source.js';
import { rowTexts, textSource } from '../helpers.js';

async function readAll(text: string, format: TraceFormat, fastPath: boolean, flags: { hex?: boolean; skipBadLines?: boolean; ifetch?: boolean } = {}) {
  const contents = new ContentNames();
  const reader = createReader(textSource(text, format, 'f'), {
    ifetch: flags.ifetch ?? false,
    hex: flags.hex ?? false,
    skipBadLines: flags.skipBadLines ?? false,
    fastPath,
    contents,
  });
  const rows: string[] = [];
  try {
    for await (const b of reader.batches()) rows.push(...rowTexts(b, reader.vmNames, contents.names));
  } catch (err) {
    if (!(err instanceof TraceError)) throw err;
    return { rows, error: err.message, skipped: reader.skipped };
  }
  return { rows, error: null, skipped: reader.skipped };
}

async function same(text: string, format: TraceFormat, flags: { hex?: boolean; skipBadLines?: boolean; ifetch?: boolean } = {}) {
  const fast = await readAll(text, format, true, flags);
  const general = await readAll(text, format, false, flags);
  expect(fast.rows).toEqual(general.rows);
  expect(fast.error).toEqual(general.error);
  // csv-parse reads a whole chunk ahead: after an error its skip count may include later lines.
  if (fast.error === null) expect(fast.skipped).toEqual(general.skipped);
  return fast;
}

const hexDigits = fc.stringMatching(/^[0-9a-fA-F]{1,18}$/);
const address = fc.oneof(
  hexDigits.map((h) => `0x${h}`),
  fc.bigInt({ min: 0n, max: (1n << 66n) }).map((n) => n.toString()),
  fc.constantFrom('0xffffffffffffffff', '0x20000000001fff', '18446744073709551615', '18446744073709551616', '-5', 'zz', '', ' 0x10', '0x'),
);
const op = fc.constantFrom('R', 'W', 'r', 'w', 'A', 'F', 'RESET', 'read', 'X', '', 'L');
const size = fc.oneof(fc.integer({ min: 1, max: 9000 }).map(String), fc.constantFrom('0', '', 'x', '1.5', '0x10', '4294967296'));
const time = fc.oneof(fc.integer({ min: 0, max: 1000 }).map(String), fc.constantFrom('1.5', '', 'abc', '1e3', '-1'));
const vm = fc.constantFrom('a', 'b', 'web', ' a', 'dé');
/** Content tokens: none, plain, padded, quoted (with a comma, a quote, a newline, a #), and one only whitespace. */
const content = fc.constantFrom('', '', 'img-1', 'img-1', 'clone1-0', ' t ', '  ', '"q,t"', '"a""b"', '"x#y"', '"two\nlines"', '""', 'é');

/** A CSV row from the grammar, sometimes mutated with the characters that send a line to csv-parse. */
const mutation = fc.constantFrom('', '', '', '', '"', '#', '\r', ',', ' ', '""');

describe('csv fast path equals csv-parse', () => {
  it('on generated and mutated rows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(['op', 'addr', 'size', 'time', 'vm', 'content', 'extra'], { minLength: 1 }),
        fc.array(fc.tuple(op, address, size, time, vm, mutation, fc.nat(40), content), { maxLength: 30 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.boolean(),
        async (columns, rows, eol, skipBadLines, hex) => {
          const header = columns.map((c) => (c === 'addr' && rows.length % 2 ? 'Address' : c.toUpperCase() === 'OP' && rows.length % 3 === 0 ? 'OP' : c));
          const lines = [header.join(',')];
          for (const [o, a, s, t, v, m, at, c] of rows) {
            const values: Record<string, string> = { op: o, addr: a, size: s, time: t, vm: v, content: c, extra: 'x' };
            let line = columns.map((c) => values[c]!).join(',');
            if (m) line = line.slice(0, at % (line.length + 1)) + m + line.slice(at % (line.length + 1));
            lines.push(line);
          }
          await same(lines.join(eol) + (rows.length % 2 ? eol : ''), 'csv', { skipBadLines, hex });
        },
      ),
      { numRuns: Number(process.env.FAST_PATH_RUNS ?? 400) },
    );
  });

  it('on a quoted field in the middle of a file (hand-off keeps line numbers)', async () => {
    const text = 'op,addr\nR,0x1000\nW,"0x2000"\nR,0x3000\nR,0xzz\n';
    const r = await same(text, 'csv');
    expect(r.error).toBe('f.csv:5: address is not a hexadecimal number (R,0xzz)');
  });

  it('on a BOM, CRLF line ends, comments and blank lines', async () => {
    const r = await same('\uFEFFaddr,op\r\n0x10,W\r\n\r\n# note\r\n0x20,R # tail\r\n', 'csv');
    expect(r.rows).toEqual(['1 f 0 16 1 NaN 2 ""', '0 f 0 32 1 NaN 5 ""']);
    expect(r.error).toBeNull();
  });
});

describe('csv content tokens: fast path equals csv-parse', () => {
  it('on tokens of W and A rows, empty and quoted tokens, and tokens on R rows (an error)', async () => {
    const good = 'op,addr,content\nW,0x1000,img-1\nA,0x2000,"q,t"\nR,0x1000,\nW,0x3000, pad \nW,0x4000,\n';
    const rows = ['1 f 0 4096 1 NaN 2 "img-1"', '2 f 0 8192 1 NaN 3 "q,t"', '0 f 0 4096 1 NaN 4 ""', '1 f 0 12288 1 NaN 5 "pad"', '1 f 0 16384 1 NaN 6 ""'];
    expect((await same(good, 'csv')).rows).toEqual(rows);
    const text = `${good}R,0x5000,img-1\n`;
    const r = await same(text, 'csv');
    expect(r.error).toBe("f.csv:7: content on a read row (only W and A rows set a page's content) (R,0x5000,img-1)");
    const skipped = await same(text, 'csv', { skipBadLines: true });
    expect(skipped.rows).toEqual(rows);
    expect(skipped.skipped.bad).toBe(1);
  });
});

describe('plain and lackey fast paths equal the line parsers', () => {
  const plainLine = fc.tuple(fc.constantFrom('R ', 'W ', 'w\t', '', 'A ', 'RESET', 'r  ', 'X '), address, fc.constantFrom('', ' 8', '  ', ' x'), mutation);
  it('plain', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(plainLine, { maxLength: 30 }), fc.boolean(), fc.boolean(), async (lines, hex, skipBadLines) => {
        const text = lines.map(([o, a, s, m]) => `${o}${a}${s}${m}`).join('\n');
        await same(text, 'plain', { hex, skipBadLines });
      }),
      { numRuns: 300 },
    );
  });
  it('lackey', async () => {
    const lackeyLine = fc.tuple(
      fc.constantFrom('I  ', ' L ', ' S ', ' M ', '  L ', ' X ', '==12== ', 'I '),
      fc.oneof(hexDigits, fc.constantFrom('zz', '')),
      fc.constantFrom(',8', ',4', ',0', ',', '', ',x', ',99999999999999999'),
      mutation,
    );
    await fc.assert(
      fc.asyncProperty(fc.array(lackeyLine, { maxLength: 30 }), fc.boolean(), fc.boolean(), async (lines, ifetch, skipBadLines) => {
        const text = lines.map(([k, a, s, m]) => `${k}${a}${s}${m}`).join('\n') + '\n';
        await same(text, 'lackey', { ifetch, skipBadLines });
      }),
      { numRuns: 300 },
    );
  });
});
