/**
 * firstRepeat (src/trace/first-repeat.ts), the check of a paged vmt header's promise of distinct
 * pages: the same answer as an obviously right scan (a Map from each key to its first index),
 * on small tables of few keys (many repeats) and on tables of thousands of pages (several
 * buckets) with planted repeats and planted keys of equal hashes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstRepeat, keyHash } from '../../src/trace/first-repeat.js';
import { mulberry32 } from '../../src/rng.js';

interface Key {
  vm: number;
  hi: number;
  lo: number;
}

/** The first index whose key an earlier index has, with that earlier one's first index. */
function reference(keys: Key[]): [number, number] | null {
  const first = new Map<string, number>();
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const name = `${k.vm}:${k.hi}:${k.lo}`;
    const a = first.get(name);
    if (a !== undefined) return [a, i];
    first.set(name, i);
  }
  return null;
}

/**
 * A page table as the decoder keeps it ([lo, hi, vm, id] per index, stored as Int32), with
 * `spare` entries past the end (as the decoder's table has room to grow) that repeat earlier
 * keys: firstRepeat must not look at them, nor at the id words (random here).
 */
function tableOf(keys: Key[], spare: number, random: () => number): Int32Array {
  const table = new Int32Array(4 * (keys.length + spare));
  for (let i = 0; i < keys.length + spare; i++) {
    const k = keys[i < keys.length ? i : Math.floor(random() * keys.length)] ?? { vm: 0, hi: 0, lo: 0 };
    table[4 * i] = k.lo;
    table[4 * i + 1] = k.hi;
    table[4 * i + 2] = k.vm;
    table[4 * i + 3] = (random() * 2 ** 32) | 0;
  }
  return table;
}

/** A key other than `k` with the same hash: keyHash starts with lo ^ imul(hi, 0x9e3779b1) ^ ... */
function sameHash(k: Key, hi: number): Key {
  const partner = { vm: k.vm, hi, lo: (k.lo ^ Math.imul(k.hi, 0x9e3779b1) ^ Math.imul(hi, 0x9e3779b1)) >>> 0 };
  expect(keyHash(partner.vm, partner.hi, partner.lo)).toBe(keyHash(k.vm, k.hi, k.lo));
  return partner;
}

const HIS = [0, 1, 0x80000000, 0xffffffff];
const VMS = [0, 1, 7, 65535];

describe('firstRepeat', () => {
  it('small tables of few distinct keys: the reference pair', () => {
    const key = fc.record({
      vm: fc.constantFrom(...VMS),
      hi: fc.constantFrom(...HIS),
      lo: fc.oneof(fc.nat(6), fc.constantFrom(0x7fffffff, 0x80000000, 0xffffffff)),
    });
    fc.assert(
      fc.property(fc.array(key, { maxLength: 40 }), fc.nat(3), fc.integer(), (keys, spare, seed) => {
        expect(firstRepeat(tableOf(keys, spare, mulberry32(seed)), keys.length)).toEqual(reference(keys));
      }),
      { numRuns: 500 },
    );
  });

  it('thousands of pages of several VMs, consecutive-ish page numbers in shuffled order, planted repeats and equal hashes', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer(),
          n: fc.integer({ min: 1, max: 20000 }),
          vms: fc.integer({ min: 1, max: 6 }),
          repeats: fc.nat(3),
          collisions: fc.nat(3),
          spare: fc.nat(100),
        }),
        ({ seed, n, vms, repeats, collisions, spare }) => {
          const random = mulberry32(seed);
          const pick = (m: number): number => Math.floor(random() * m);
          // distinct keys: each VM's page numbers go up, from a random start, by 1 or a jump
          const vmOf = Array.from({ length: vms }, (_, v) => (v === vms - 1 && v > 0 ? 65535 : v * 3));
          const hiOf = vmOf.map(() => HIS[pick(HIS.length)]!);
          const next = vmOf.map(() => pick(2 ** 31));
          const keys: Key[] = [];
          for (let i = 0; i < n; i++) {
            const v = pick(vms);
            keys.push({ vm: vmOf[v]!, hi: hiOf[v]!, lo: next[v]! >>> 0 });
            next[v]! += random() < 0.9 ? 1 : 1 + pick(1000);
          }
          for (let i = n - 1; i > 0; i--) {
            const j = pick(i + 1);
            [keys[i], keys[j]] = [keys[j]!, keys[i]!];
          }
          // planted: a later index repeats an earlier key, or takes another key of the same hash
          for (let r = 0; r < repeats + collisions; r++) {
            const to = pick(n);
            const from = pick(to + 1);
            keys[to] = r < repeats ? { ...keys[from]! } : sameHash(keys[from]!, (keys[from]!.hi + 1 + pick(3)) >>> 0);
          }
          expect(firstRepeat(tableOf(keys, spare, random), n)).toEqual(reference(keys));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the smallest repeating index wins over a repeat found in another bucket first', () => {
    // 10000 distinct pages: buckets by hash; repeats planted at indices 9000 (of 5) and 6000 (of 10)
    const keys: Key[] = Array.from({ length: 10000 }, (_, i) => ({ vm: i % 3, hi: 0, lo: 0x1000 + i }));
    keys[9000] = { ...keys[5]! };
    keys[6000] = { ...keys[10]! };
    keys[7000] = { ...keys[10]! };
    const table = tableOf(keys, 0, mulberry32(1));
    expect(firstRepeat(table, keys.length)).toEqual([10, 6000]);
    expect(firstRepeat(table, 6000)).toBeNull();
    expect(firstRepeat(table, 0)).toBeNull();
  });
});
