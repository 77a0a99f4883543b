import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';
import { translation } from '../translation/harness.js';
import { memory, runText } from './harness.js';

const MIB = 1024 * 1024;

/**
 * 8 frames of 1 MiB, 2 MiB host pages (blocks of 2 frames): pages 0-7 fill four huge blocks;
 * freeing the odd pages splits each block and leaves single frames 1, 3, 5, 7 free; then two
 * new regions (pages 9 and 11) want blocks.
 */
function fragmenting(): string {
  const lines: string[] = [];
  for (let p = 0; p < 8; p++) lines.push(`R 0x${(p * MIB).toString(16)}`);
  for (const p of [1, 3, 5, 7]) lines.push(`F 0x${(p * MIB).toString(16)}`);
  lines.push(`R 0x${(9 * MIB).toString(16)}`, `R 0x${(11 * MIB).toString(16)}`);
  return lines.join('\n') + '\n';
}

const ENGINE = { frames: 8, pageSize: MIB };

describe('host huge pages (buddy allocator)', () => {
  it('a hand-made fragmentation pattern: two fallbacks and an unusable free space index of 1', async () => {
    const r = await runText(fragmenting(), ENGINE, memory({ dedup: 'off', hugeOrder: 1, hostPageSize: 2 * MIB }), 'plain');
    const m = r.memory!;
    expect(m.total.counters.hugeAllocations).toBe(4);
    expect(m.total.counters.hugeSplits).toBe(4);
    expect(m.total.counters.hugeFallbacks).toBe(2);
    // 6 pages resident in 6 frames; frames 1 and 3 free as single frames: nothing usable for 2 MiB
    expect(r.host.framesInUseEnd).toBe(6);
    expect(m.freeBlocks).toEqual([2, 0, 0, 0]);
    expect(m.order2MiB).toBe(1);
    expect(m.unusableIndex2MiB).toBe(1);
    expect(m.total.hugePages).toBe(0);
  });

  it('compaction restores a 2 MiB block for each new region and counts its moves as remaps', async () => {
    const r = await runText(
      fragmenting(),
      ENGINE,
      memory({ dedup: 'off', hugeOrder: 1, hostPageSize: 2 * MIB, compaction: true }),
      'plain',
      translation({ hostPageSize: 2 * MIB, guestPageSize: 2 * MIB }),
    );
    const m = r.memory!;
    expect(m.total.counters.hugeFallbacks).toBe(0);
    // page 9: range 0-1 (page 0 moved out); page 11: range 2-3 (page 2 moved out)
    expect(m.compactions).toBe(2);
    expect(m.compactionFrames).toBe(2);
    expect(m.total.counters.compactionMoves).toBe(2);
    expect(m.total.counters.hugeAllocations).toBe(6);
    expect(m.total.hugePages).toBe(2);
    expect(m.total.hugeCoverage).toBeCloseTo(2 / 6, 12);
    expect(m.freeFrames).toBe(0);
    // each moved page was resident with a TLB entry: a remap and an invalidation
    const t = r.translation!.modes[0]!.total.counters;
    expect(t.remaps).toBe(2);
    expect(t.tlbInvalidations).toBeGreaterThanOrEqual(2);
  });

  it('walk references follow the backing: pages in a huge block walk one host level fewer', async () => {
    // 4 KiB pages, 1024 frames: region 0 (pages 0-511) gets a block; 4 pages of it touched
    const lines = ['R 0x0', 'R 0x1000', 'R 0x2000', 'R 0x3000'];
    const backed = await runText(lines.join('\n') + '\n', { frames: 1024 }, memory({ dedup: 'off', hugeOrder: 9, hostPageSize: 2 * MIB }), 'plain', translation({ hostPageSize: 2 * MIB }));
    const tb = backed.translation!.modes[0]!;
    expect(tb.total.counters.tlbMisses).toBe(4);
    expect(tb.total.walkRefs).toBe(4 * 19);
    expect(backed.host.framesInUseEnd).toBe(512);
    // 511 frames: no block of 512 can exist; every miss walks the full 24
    const small = await runText(lines.join('\n') + '\n', { frames: 511 }, memory({ dedup: 'off', hugeOrder: 9, hostPageSize: 2 * MIB }), 'plain', translation({ hostPageSize: 2 * MIB }));
    expect(small.memory!.total.counters.hugeFallbacks).toBe(1);
    expect(small.translation!.modes[0]!.total.walkRefs).toBe(4 * 24);
    expect(small.host.framesInUseEnd).toBe(4);
  });
});

describe('simulate with the memory model (CLI)', () => {
  const BASE = ['simulate', 'traces/web.csv', 'traces/db.csv', '--frames', '100'];

  it('--dedup off without --host-page is byte-identical to the core engine (CSV and JSON)', () => {
    for (const format of ['csv', 'json']) {
      const plain = cli([...BASE, '--format', format]);
      const off = cli([...BASE, '--format', format, '--dedup', 'off', '--ksm-pages', '7', '--ksm-interval', '9']);
      expect(plain.status).toBe(0);
      expect(off.status).toBe(0);
      expect(off.stdout).toBe(plain.stdout);
    }
  });

  it('appends pages_shared,pages_sharing,cow_faults with --dedup, and the huge-page columns with --host-page', () => {
    const plain = cli([...BASE, '--format', 'csv']);
    const r = cli([...BASE, '--format', 'csv', '--dedup', 'ideal', '--host-page', '2MiB']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(plain.stdout.split('\n')[0] + ',pages_shared,pages_sharing,cow_faults,huge_pages,huge_fallbacks,compaction_moves');
    const json = JSON.parse(cli([...BASE, '--format', 'json', '--dedup', 'ksm']).stdout);
    expect(json.memory.dedup).toBe('ksm');
    expect(json.memory.free_blocks_per_order.length).toBeGreaterThan(0);
    expect(Object.keys(json.memory.vms)).toEqual(['web', 'db', 'TOTAL']);
  });

  it('rejects bad values with exit 64', () => {
    for (const [args, message] of [
      [['--dedup', 'maybe'], "--dedup: 'maybe' is not off, ideal or ksm"],
      [['--host-page', '8KiB'], "--host-page: '8KiB' is not 4KiB, 2MiB or 1GiB"],
      [['--ksm-pages', '0'], '--ksm-pages'],
    ] as const) {
      const r = cli([...BASE, ...args]);
      expect(r.status).toBe(64);
      expect(r.stderr).toContain(message);
    }
  });
});
