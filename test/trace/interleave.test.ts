/**
 * Several VMs (SPEC 1.2): round robin (row i of every trace is time i; a shorter trace drops
 * out), or by the `time` column (ties: command-line order, then file order). VM names come from
 * file base names or the `vm` column; output rows follow the command line, then TOTAL.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run/simulate.js';
import { interleave, VmRegistry } from '../../src/trace/interleave.js';
import { createReader, DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import type { TraceFormat } from '../../src/trace/source.js';
import { cli, config, tempFile, textSource } from '../helpers.js';

type File = [name: string, format: TraceFormat, text: string];

const sources = (files: File[]) => files.map(([name, format, text]) => textSource(text, format, name));

/** The replay order as "vm:addr" (hex). */
async function order(files: File[]): Promise<string[]> {
  const registry = new VmRegistry();
  const readers = sources(files).map((s) => createReader(s, DEFAULT_READ_OPTIONS));
  const out: string[] = [];
  for await (const b of interleave(readers, registry, 3)) {
    for (let i = 0; i < b.length; i++) out.push(`${registry.names[b.vm[i]!]}:${b.addrLo[i]!.toString(16)}`);
  }
  return out;
}

describe('round robin', () => {
  const a: File = ['a', 'plain', 'R 0xa0\nR 0xa1\nR 0xa2\nR 0xa3\n'];
  const b: File = ['b', 'plain', 'R 0xb0\nR 0xb1\n'];
  const c: File = ['c', 'plain', 'R 0xc0\nR 0xc1\nR 0xc2\n'];

  it('takes one row of each trace in turn; a shorter trace drops out', async () => {
    expect(await order([a, b, c])).toEqual(['a:a0', 'b:b0', 'c:c0', 'a:a1', 'b:b1', 'c:c1', 'a:a2', 'c:c2', 'a:a3']);
    expect(await order([b, a])).toEqual(['b:b0', 'a:a0', 'b:b1', 'a:a1', 'a:a2', 'a:a3']);
  });

  it('the order shows in the engine: two VMs alternating over one frame fault every time', async () => {
    // a: pages 1 1 1, b: pages 2 2 2 (page size 1). Round robin a b a b a b: with one frame,
    // every access after the first evicts the other VM's page: 6 faults; a's page is taken at
    // t1, t3, t5 (3 times), b's at t2, t4 (twice).
    const out = await simulate({
      sources: sources([
        ['a', 'plain', 'R 1\nR 1\nR 1\n'],
        ['b', 'plain', 'W 2\nW 2\nW 2\n'],
      ]),
      read: DEFAULT_READ_OPTIONS,
      config: config({ frames: 1, pageSize: 1 }),
    });
    expect(out.vms.map((v) => [v.name, v.counters.faults, v.counters.stolen])).toEqual([
      ['a', 3, 3],
      ['b', 3, 2],
    ]);
    // b's page is dirty each time it is evicted: 2 swap-outs, and its 2nd and 3rd loads are major
    expect(out.vms[1]!.counters.swapOuts).toBe(2);
    expect(out.vms[1]!.counters.majorFaults).toBe(2);
  });
});

describe('by time', () => {
  const a: File = ['a', 'csv', 'time,addr\n1,0xa1\n3,0xa3\n3,0xa33\n'];
  const b: File = ['b', 'csv', 'time,addr\n2,0xb2\n3,0xb3\n5,0xb5\n'];

  it('merges by time; ties go to the earlier trace on the command line, then file order', async () => {
    expect(await order([a, b])).toEqual(['a:a1', 'b:b2', 'a:a3', 'a:a33', 'b:b3', 'b:b5']);
    expect(await order([b, a])).toEqual(['a:a1', 'b:b2', 'b:b3', 'a:a3', 'a:a33', 'b:b5']);
  });
});

describe('VM names and output order', () => {
  it('from file base names, in command-line order, then TOTAL', () => {
    const r = cli(['simulate', tempFile('zeta.plain', 'R 0x1\n'), tempFile('alpha.lackey', ' L 00001000,4\n'), '--format', 'csv']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => l.split(',')[0])).toEqual(['vm', 'zeta', 'alpha', 'TOTAL']);
  });

  it('from the vm column, in order of first appearance, after the traces before them', async () => {
    const out = await simulate({
      sources: sources([
        ['first', 'plain', 'R 0x1\n'],
        ['mixed', 'csv', 'vm,addr\ndb,0x1\nweb,0x2\ndb,0x3\n'],
        ['last', 'plain', 'R 0x1\n'],
      ]),
      read: DEFAULT_READ_OPTIONS,
      config: config({ frames: 8 }),
    });
    expect(out.vms.map((v) => [v.name, v.counters.accesses])).toEqual([
      ['first', 1],
      ['db', 2],
      ['web', 1],
      ['last', 1],
    ]);
    expect(out.total.counters.accesses).toBe(5);
  });
});
