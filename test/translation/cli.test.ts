import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const TRACES = ['traces/web.csv', 'traces/db.csv'];
const BASE = ['simulate', ...TRACES, '--frames', '100'];

function parseCsv(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trim().split('\n');
  const keys = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i]!, v])));
}

describe('simulate --translation (CLI)', () => {
  it('--translation none gives byte-identical CSV and JSON to a run without the option', () => {
    for (const format of ['csv', 'json']) {
      const plain = cli([...BASE, '--format', format]);
      const none = cli([...BASE, '--format', format, '--translation', 'none', '--tlb', '8', '--levels', '5']);
      expect(plain.status).toBe(0);
      expect(none.status).toBe(0);
      expect(none.stdout).toBe(plain.stdout);
    }
  });

  it('appends tlb_hits,tlb_misses,walk_refs,remaps,shadow_updates after eat_ns and leaves the paging alone', () => {
    const plain = cli([...BASE, '--format', 'csv']);
    const nested = cli([...BASE, '--format', 'csv', '--translation', 'nested']);
    expect(nested.status).toBe(0);
    const header = nested.stdout.split('\n')[0]!;
    expect(header).toBe(plain.stdout.split('\n')[0] + ',tlb_hits,tlb_misses,walk_refs,remaps,shadow_updates');
    const a = parseCsv(plain.stdout);
    const b = parseCsv(nested.stdout);
    expect(b.map((r) => r.vm)).toEqual(['web', 'db', 'TOTAL']);
    b.forEach((row, i) => {
      for (const key of Object.keys(a[i]!)) if (key !== 'eat_ns') expect(row[key], key).toBe(a[i]![key]);
      // every access looks up its TLB once; a miss costs 24 references
      expect(Number(row.tlb_hits) + Number(row.tlb_misses)).toBe(Number(row.accesses));
      expect(Number(row.walk_refs)).toBe(24 * Number(row.tlb_misses));
      expect(Number(row.shadow_updates)).toBe(0);
      // remaps are some of the major faults
      expect(Number(row.remaps)).toBeLessThanOrEqual(Number(row.major_faults));
      // eat_ns grows by walk_refs * 100 ns per access
      const extra = (Number(row.walk_refs) * 100) / Number(row.accesses);
      expect(Number(row.eat_ns)).toBeCloseTo(Number(a[i]!.eat_ns) + extra, 2);
    });
    expect(Number(b[2]!.tlb_misses)).toBe(Number(b[0]!.tlb_misses) + Number(b[1]!.tlb_misses));
  });

  it('--translation nested,shadow gives one row set per mode with a translation column', () => {
    const r = cli([...BASE, '--format', 'csv', '--translation', 'nested,shadow', '--host-page', '2MiB']);
    expect(r.status).toBe(0);
    const rows = parseCsv(r.stdout);
    expect(rows.map((x) => `${x.vm}/${x.translation}`)).toEqual([
      'web/nested',
      'db/nested',
      'TOTAL/nested',
      'web/shadow',
      'db/shadow',
      'TOTAL/shadow',
    ]);
    expect(rows[2]!.tlb_misses).toBe(rows[5]!.tlb_misses);
    // 100 frames hold no 512-frame block: every region falls back to 4 KiB frames, whose
    // nested walk costs the full 24 references (walks follow the actual backing)
    expect(Number(rows[2]!.huge_pages)).toBe(0);
    expect(Number(rows[2]!.huge_fallbacks)).toBeGreaterThan(0);
    expect(Number(rows[2]!.walk_refs)).toBe(24 * Number(rows[2]!.tlb_misses));
    expect(Number(rows[5]!.walk_refs)).toBe(4 * Number(rows[5]!.tlb_misses));
    expect(Number(rows[5]!.shadow_updates)).toBeGreaterThan(0);
  });

  it('JSON carries walk references per access, TLB reach and the share of time spent translating', () => {
    const r = cli([...BASE, '--format', 'json', '--translation', 'shadow', '--tlb', '32', '--tlb-ways', '4', '--latency', 'vmexit=1us']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    const t = doc.translation;
    expect(t.tlb_reach_bytes).toBe(32 * 4096);
    expect(t.tlb_sets).toBe(8);
    expect(t.per_mode[0].refs_per_miss).toBe(4);
    const total = doc.rows.find((x: { vm: string }) => x.vm === 'TOTAL');
    const d = t.per_mode[0].vms.TOTAL;
    expect(d.walk_refs_per_access).toBeCloseTo(total.walk_refs / total.accesses, 12);
    const translationNs = total.walk_refs * 100 + total.shadow_updates * 1000;
    expect(d.translation_share).toBeCloseTo(translationNs / (total.eat_ns * total.accesses), 9);
    expect(d.new_mappings + d.unmaps + d.remaps).toBe(total.shadow_updates);
    expect(doc.config.latency_ns.vmexit).toBe(1000);
  });

  it('the table shows the translation summary', () => {
    const r = cli([...BASE, '--translation', 'nested', '--levels', '5']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('nested: 35 memory references per TLB miss');
    expect(r.stdout).toContain('reach 256 KiB');
  });

  it.each([
    [['--translation', 'ept'], "--translation: 'ept' is not none, nested or shadow"],
    [['--translation', 'none,nested'], 'none cannot be in a list'],
    [['--translation', 'nested,nested'], "'nested' given twice"],
    [['--translation', 'nested', '--tlb', '64', '--tlb-ways', '3'], '--tlb-ways: 3 ways do not divide 64 entries'],
    [['--translation', 'nested', '--levels', '6'], '--levels: page tables have 3, 4 or 5 levels'],
    [['--translation', 'nested', '--host-page', '8KiB'], "--host-page: '8KiB' is not 4KiB, 2MiB or 1GiB"],
    [['--translation', 'nested', '--page-size', '2MiB', '--guest-page', '4KiB'], "--guest-page: 4 KiB is smaller than the engine's --page-size 2 MiB"],
    [['--translation', 'nested', '--guest-alloc', 'buddy'], "--guest-alloc: 'buddy' is not seq or random"],
    [['--translation', 'nested', '--tlb', '0'], '--tlb: must be at least 1'],
  ])('%j is a usage error (exit 64)', (args, message) => {
    const r = cli([...BASE, ...args]);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('--help documents the translation options', () => {
    const r = cli(['simulate', '--help']);
    expect(r.status).toBe(0);
    for (const opt of ['--translation', '--tlb ', '--tlb-ways', '--levels', '--guest-levels', '--host-levels', '--guest-page', '--host-page', '--guest-alloc', '--guest-memory', 'vmexit']) {
      expect(r.stdout).toContain(opt);
    }
  });
});
