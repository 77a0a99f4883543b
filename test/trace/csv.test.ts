import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/engine/simulate.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { config, textSource } from '../helpers.js';

const run = (text: string) => simulate({ sources: [textSource(text, 'csv', 't')], read: DEFAULT_READ_OPTIONS, config: config({ frames: 8, pageSize: 4096 }) });

describe('csv traces', () => {
  it('a RESET row needs no address', async () => {
    // Regression: an empty addr on a RESET row was "address is not a number".
    // web: R p1 (minor), RESET, R p1 (minor again); db untouched: R p1, R p1 (hit)
    const out = await run('vm,op,addr\nweb,R,0x1000\ndb,R,0x1000\nweb,RESET,\nweb,R,0x1000\ndb,R,0x1000\n');
    expect(out.vms.map((v) => [v.name, v.counters.accesses, v.counters.faults, v.counters.resets])).toEqual([
      ['web', 2, 2, 1],
      ['db', 2, 1, 0],
    ]);
  });

  it('other rows still need one', async () => {
    await expect(run('op,addr\nR,\n')).rejects.toThrow(/t\.csv:2: address is not a number \(R,\)/);
  });

  it('report the line of the bad row, counting comment lines', async () => {
    await expect(run('# one\nop,addr\n# two\nR,0x1\nQ,0x2\n')).rejects.toThrow(/^t\.csv:5: unknown op 'Q'/);
  });

  it('a header without addr is an error', async () => {
    await expect(run('op,where\nR,0x1\n')).rejects.toThrow(/t\.csv:1: header has no 'addr' column/);
  });
});
