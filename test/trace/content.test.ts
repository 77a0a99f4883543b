import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { TraceError } from '../../src/errors.js';
import { ContentNames } from '../../src/trace/content.js';
import { createReader } from '../../src/trace/reader.js';
import { RowBatch } from '../../src/trace/rows.js';
import type { TraceSource } from '../../src/trace/source.js';
import { vmtHeader, vmtRecords } from '../../src/trace/vmt.js';
import { textSource } from '../helpers.js';

async function rows(source: TraceSource, fastPath = true, contents = new ContentNames()) {
  const reader = createReader(source, { ifetch: false, hex: false, skipBadLines: false, fastPath, contents });
  const out: string[] = [];
  for await (const b of reader.batches()) for (let i = 0; i < b.length; i++) out.push(`${b.op[i]} ${b.addrLo[i]} ${contents.names[b.content[i]!]}`);
  return out;
}

describe('content tokens', () => {
  const text = 'op,addr,content\nW,0x1000,abc\nR,0x2000,\nA,0x3000,abc\nW,0x4000,"q,uoted"\nW,0x5000,\n';

  it('csv: interned per run, equal on both parsing paths; none is the empty token', async () => {
    const fast = await rows(textSource(text, 'csv'));
    expect(fast).toEqual(['1 4096 abc', '0 8192 ', '2 12288 abc', '1 16384 q,uoted', '1 20480 ']);
    expect(await rows(textSource(text, 'csv'), false)).toEqual(fast);
  });

  it('csv: a content token on a read, free or reset row is bad data naming file and line', async () => {
    for (const op of ['R', 'F']) {
      const err = await rows(textSource(`op,addr,content\nW,0x0,a\n${op},0x1000,b\n`, 'csv')).catch((e) => e);
      expect(err).toBeInstanceOf(TraceError);
      expect(err.message).toMatch(/vm\.csv:3: content on a/);
    }
  });

  it('vmt: content ids and their token table round-trip; old files without the flag read as before', async () => {
    const contents = new ContentNames();
    const batch = new RowBatch(3);
    batch.push(1, 0, 0, 4096, 1, NaN, 1, contents.id('img'));
    batch.push(0, 0, 0, 8192, 1, NaN, 2, 0);
    batch.push(2, 0, 0, 12288, 4096, NaN, 3, contents.id('zero?'));
    const file = Buffer.concat([vmtHeader(['vm'], false, undefined, contents.names.slice(1)), vmtRecords(batch, false, undefined, true)]);
    const src: TraceSource = { ...textSource('', 'vmt'), bytes: file.length, chunks: () => Readable.from([file]) };
    // another run's interner: tokens, not ids, carry over
    const other = new ContentNames();
    other.id('unrelated');
    expect(await rows(src, true, other)).toEqual(['1 4096 img', '0 8192 ', '2 12288 zero?']);
    const old = Buffer.concat([vmtHeader(['vm'], false), vmtRecords(batch, false)]);
    const oldSrc: TraceSource = { ...src, bytes: old.length, chunks: () => Readable.from([old]) };
    expect(await rows(oldSrc)).toEqual(['1 4096 ', '0 8192 ', '2 12288 ']);
  });
});
