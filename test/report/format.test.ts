import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupThousands } from '../../src/report/format.js';

describe('groupThousands (tables only)', () => {
  it('puts a comma between groups of three digits, from the right', () => {
    expect(groupThousands('846945')).toBe('846,945');
    expect(groupThousands('1141869')).toBe('1,141,869');
    expect(groupThousands('1000')).toBe('1,000');
    expect(groupThousands('999')).toBe('999');
    expect(groupThousands('0')).toBe('0');
    expect(groupThousands('-12345')).toBe('-12,345');
  });

  it('leaves decimals, percentages, names and addresses as they are', () => {
    for (const text of ['46192.621', '74.17%', '0.413667', 'TOTAL', '0x10000000', '', '1e21', '12 34']) expect(groupThousands(text)).toBe(text);
  });

  it('any whole number: removing the commas gives it back, every group but the first has three digits', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), (n) => {
        const text = groupThousands(String(n));
        expect(text.replace(/,/g, '')).toBe(String(n));
        expect(text).toMatch(/^\d{1,3}(,\d{3})*$/);
      }),
      { numRuns: 300 },
    );
  });
});
