import { describe, expect, it } from 'vitest';
import { refsPerMiss, walkRefsPerMiss } from '../../src/translation/walk.js';
import { run } from '../helpers.js';
import { simulate } from '../../src/run/simulate.js';
import { config, plainTrace, textSource } from '../helpers.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { translation } from './harness.js';
import type { TranslationConfig } from '../../src/translation/config.js';

const K4 = 4096;
const M2 = 2 ** 21;
const G1 = 2 ** 30;

describe('walk references per TLB miss', () => {
  it('nested 4/4 levels costs (4+1)(4+1)-1 = 24', () => {
    expect(walkRefsPerMiss('nested', 4, 4)).toBe(24);
    expect(refsPerMiss('nested', 4, 4, K4, K4)).toBe(24);
  });

  it('nested 5/5 levels costs (5+1)(5+1)-1 = 35', () => {
    expect(refsPerMiss('nested', 5, 5, K4, K4)).toBe(35);
  });

  it('guest 4 levels with host 2 MiB pages (3 host levels) costs (4+1)(3+1)-1 = 19', () => {
    expect(refsPerMiss('nested', 4, 4, K4, M2)).toBe(19);
  });

  it('host 1 GiB pages save two host levels: (4+1)(2+1)-1 = 14; guest 2 MiB too: (3+1)(2+1)-1 = 11', () => {
    expect(refsPerMiss('nested', 4, 4, K4, G1)).toBe(14);
    expect(refsPerMiss('nested', 4, 4, M2, G1)).toBe(11);
  });

  it('mixed depths: guest 5 and host 4 costs (5+1)(4+1)-1 = 29', () => {
    expect(refsPerMiss('nested', 5, 4, K4, K4)).toBe(29);
  });

  it('shadow with a 4-level guest costs 4 references, whatever the host', () => {
    expect(walkRefsPerMiss('shadow', 4, 4)).toBe(4);
    expect(refsPerMiss('shadow', 4, 4, K4, K4)).toBe(4);
    expect(refsPerMiss('shadow', 4, 5, K4, K4)).toBe(4);
    expect(refsPerMiss('shadow', 5, 4, K4, K4)).toBe(5);
  });

  it('a shadow leaf is huge only where both guest and host pages are huge', () => {
    expect(refsPerMiss('shadow', 4, 4, K4, M2)).toBe(4);
    expect(refsPerMiss('shadow', 4, 4, M2, K4)).toBe(4);
    expect(refsPerMiss('shadow', 4, 4, M2, M2)).toBe(3);
    expect(refsPerMiss('shadow', 4, 4, G1, M2)).toBe(3);
  });

  async function walkRefsOf(t: Partial<TranslationConfig>): Promise<{ misses: number; refs: number }> {
    // 5 distinct pages read twice with a 2-entry TLB: every access misses.
    const pages = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5];
    const out = await simulate({
      sources: [textSource(plainTrace(pages), 'plain')],
      read: DEFAULT_READ_OPTIONS,
      config: config({ frames: 8 }),
      translation: translation({ tlbEntries: 2, tlbWays: 2, ...t }),
    });
    const m = out.translation!.modes[0]!;
    return { misses: m.total.counters.tlbMisses, refs: m.total.walkRefs };
  }

  it.each([
    [{ modes: ['nested'] }, 24],
    [{ modes: ['nested'], guestLevels: 5, hostLevels: 5 }, 35],
    [{ modes: ['nested'], hostPageSize: M2 }, 19],
    [{ modes: ['shadow'] }, 4],
  ] as [Partial<TranslationConfig>, number][])('a simulation with %o charges %i references for each of its 10 misses', async (t, perMiss) => {
    const { misses, refs } = await walkRefsOf(t);
    expect(misses).toBe(10);
    expect(refs).toBe(10 * perMiss);
  });

  it('eat_ns includes walk_refs * walkref on top of the core model', async () => {
    // frames 8: 5 minor faults, 5 hits; 2-entry TLB: 10 misses of 24 references at 100 ns.
    const pages = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5];
    const base = await run(pages, { frames: 8 });
    expect(base.total.eatNs).toBe((5 * 2000 + 5 * 100) / 10);
    const out = await simulate({
      sources: [textSource(plainTrace(pages), 'plain')],
      read: DEFAULT_READ_OPTIONS,
      config: config({ frames: 8 }),
      translation: translation({ tlbEntries: 2, tlbWays: 2 }),
    });
    expect(out.total.eatNs).toBe((5 * 2000 + 5 * 100 + 240 * 100) / 10);
    expect(out.translation!.modes[0]!.total.translationShare).toBeCloseTo(24000 / (10500 + 24000), 12);
  });
});
