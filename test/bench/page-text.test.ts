/** bench/page-text.js: a trace's accesses as one decimal page number a line (libCacheSim's text trace). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JS module of the bench, without types
import { writePageText } from '../../bench/page-text.js';
import { tempFile } from '../helpers.js';

describe('bench: the Zipf trace as text for cachesim', () => {
  it('writes the page number of every R and W access, in order, and nothing for A and F', async () => {
    // 4 KiB pages: 0x1000 is page 1, 0x2fff page 2, 2^64 - 1 is page 2^52 - 1 (beyond 2^32).
    const trace = tempFile('t.plain', 'R 0x1000\nW 0x2fff\nA 0x5000\nR 0xffffffffffffffff\nF 0x1000\nW 0x0\nR 0x1fff\n');
    const out = join(tempFile('x', ''), '..', 'zipf.txt');
    const lines = await writePageText(trace, out);
    expect(lines).toBe(5);
    expect(readFileSync(out, 'utf8')).toBe(`1\n2\n${2 ** 52 - 1}\n0\n1\n`);
  });
});
