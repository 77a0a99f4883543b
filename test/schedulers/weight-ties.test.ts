/**
 * weight: ratios equal but for floating-point rounding are a tie (the faulting VM replaces its
 * own page). Weights 1:3:1 over 4 frames give entitlements 0.8, 2.4000000000000004 and 0.8.
 */
import { describe, expect, it } from 'vitest';
import { cli, tempFile } from '../helpers.js';

describe('weight ties', () => {
  it('a tie in rounding still goes to the faulting VM', () => {
    const trace = tempFile('w.csv', 'vm,op,addr\nb,R,2\nb,R,0\nc,R,1\na,R,0\nc,R,0\nb,R,1\nc,R,0\n');
    const r = cli([
      'simulate', trace, '--page-size', '1', '--frames', '4', '--scheduler', 'weight',
      '--vm', 'name=a,weight=1', '--vm', 'name=b,weight=3', '--vm', 'name=c,weight=1', '--format', 'json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout).rows as Record<string, number | string>[];
    const by = Object.fromEntries(rows.map((row) => [row.vm, row]));
    // b2 b0 c1 a0 fill the 4 frames (4 faults). c0: ratios b 2/2.4, c (2)/0.8, a 1/0.8: c is the
    // most over and replaces its own c1 (5). b1: b (3)/2.4 = c 1/0.8 = a 1/0.8 = 1.25, a tie:
    // the faulting b replaces its own least recent page, b2 (6). c0: a hit.
    expect(by.TOTAL!.faults).toBe(6);
    expect([by.a!.stolen, by.b!.stolen, by.c!.stolen]).toEqual([0, 0, 0]);
    expect([by.b!.evictions, by.c!.evictions]).toEqual([1, 1]);
  });
});
