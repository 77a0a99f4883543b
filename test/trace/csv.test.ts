/**
 * csv reader details. Bad csv input (headers, columns, addresses, quotes, line numbers):
 * test/robustness/bad-input.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run/simulate.js';
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
});
