/**
 * Addresses -> pages (SPEC 1.1): exact page numbers for every unsigned 64-bit address, and an
 * access that crosses a page boundary touches every page it covers. Expected pages are computed
 * here with BigInt, never through a double.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageExpander } from '../../src/pages/expand.js';
import { PageIds } from '../../src/pages/page-ids.js';
import { createReader, DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { cli, tempFile, textSource } from '../helpers.js';

/** The page numbers a plain trace touches, in order, one per page access. */
async function pagesOf(text: string, pageSize = 4096, hex = false): Promise<bigint[]> {
  const ids = new PageIds();
  const pages: bigint[] = [];
  const expander = new PageExpander(pageSize, ids, (batch) => {
    for (let i = 0; i < batch.length; i++) {
      const id = batch.page[i]!;
      pages.push((BigInt(ids.hiOf[id]!) << 32n) | BigInt(ids.loOf[id]!));
    }
  });
  const reader = createReader(textSource(text, 'plain', 'vm', 'test.plain'), { ...DEFAULT_READ_OPTIONS, hex });
  for await (const rows of reader.batches()) expander.rows(rows);
  expander.flush();
  return pages;
}

describe('page numbers of 64-bit addresses', () => {
  it('0xffffffffffffffff is page 0xfffffffffffff with 4 KiB pages (not 2^52)', async () => {
    expect(await pagesOf('R 0xffffffffffffffff\n')).toEqual([0xfffffffffffffn]);
  });

  it('0x20000000001fff is page 0x20000000001 (a double would round it into the next page)', async () => {
    // As a double, 2^53 + 0x1fff rounds to 2^53 + 0x2000, whose page is 0x20000000002.
    expect(Number(0x20000000001fffn)).toBe(2 ** 53 + 0x2000);
    expect(await pagesOf('R 0x20000000001fff\n')).toEqual([0x20000000001n]);
  });

  it('decimal addresses above 2^53 are exact', async () => {
    // 2^53 and 2^53 + 1 are the same double but two pages of 1 byte.
    expect(await pagesOf('R 9007199254740992\nR 9007199254740993\n', 1)).toEqual([2n ** 53n, 2n ** 53n + 1n]);
    expect(await pagesOf('R 18446744073709551615\n')).toEqual([0xfffffffffffffn]);
  });

  it('bare hex with --hex is exact too', async () => {
    expect(await pagesOf('R ffffffffffffffff\n', 4096, true)).toEqual([0xfffffffffffffn]);
  });

  it('an access may end on the last byte of the address space (bad addresses: test/robustness)', async () => {
    expect(await pagesOf('R 0xfffffffffffffff8 8\n')).toEqual([0xfffffffffffffn]);
  });
});

describe('accesses that cross page boundaries', () => {
  it('8 bytes at 0x1ffc touch pages 1 and 2 and count two accesses', async () => {
    expect(await pagesOf('R 0x1ffc 8\n')).toEqual([1n, 2n]);
    const file = tempFile('cross.plain', 'R 0x1ffc 8\nR 0x1000 4096\n');
    const res = cli(['simulate', file, '--format', 'json']);
    expect(res.status).toBe(0);
    const total = JSON.parse(res.stdout).rows.at(-1);
    // pages 1, 2, then 1 again (0x1000-0x1fff, within page 1): 3 accesses, 2 faults, 1 hit
    expect(total.accesses).toBe(3);
    expect(total.faults).toBe(2);
    expect(total.hits).toBe(1);
  });

  it('a page-number carry across 32 bits is exact', async () => {
    expect(await pagesOf('R 0xffffffff 2\n', 1)).toEqual([0xffffffffn, 0x100000000n]);
    expect(await pagesOf('R 0xfffffffffff 2\n', 4096)).toEqual([0xffffffffn, 0x100000000n]);
  });

  it('every page from the first byte to the last, for any address, size and page size (BigInt model)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.integer({ min: 1, max: 20000 }),
        fc.integer({ min: 0, max: 30 }),
        async (addr, size, shift) => {
          const text = `R 0x${addr.toString(16)} ${size}\n`;
          const last = addr + BigInt(size) - 1n;
          if (last >= 2n ** 64n) {
            await expect(pagesOf(text, 2 ** shift)).rejects.toThrow(/past the end/);
            return;
          }
          const expected: bigint[] = [];
          for (let p = addr >> BigInt(shift); p <= last >> BigInt(shift); p++) expected.push(p);
          expect(await pagesOf(text, 2 ** shift)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
