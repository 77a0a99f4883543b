/**
 * A, F and RESET (SPEC 1.1): F releases a range's frames and swap slots, RESET everything one VM
 * holds, and --strict-alloc refuses accesses to pages never allocated. Worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run/simulate.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { cli, config, tempFile, textSource } from '../helpers.js';

async function plain(text: string, over: Parameters<typeof config>[0] = {}) {
  return simulate({ sources: [textSource(text, 'plain', 'vm')], read: DEFAULT_READ_OPTIONS, config: config({ pageSize: 4096, ...over }) });
}

describe('F (free)', () => {
  it('releases frames and swap slots; the next access is a minor fault', async () => {
    // LRU, 2 frames, pages of 4 KiB:
    //   W p1, W p2            minor, minor                      [1 2] both dirty
    //   R p3                  minor; evict 1 -> swap-out (swap 1)   [2 3]
    //   F p1                  1's slot is released (swap 0)
    //   F p2                  2's frame is released              [3]
    //   R p1                  minor (its content was freed, not major); a free frame: no eviction
    const out = await plain('W 0x1000\nW 0x2000\nR 0x3000\nF 0x1000 4096\nF 0x2000\nR 0x1000\n', { frames: 2 });
    const c = out.vms[0]!.counters;
    expect([c.accesses, c.faults, c.minorFaults, c.majorFaults]).toEqual([4, 4, 4, 0]);
    expect([c.evictions, c.swapOuts]).toEqual([1, 1]);
    expect([c.resident, c.swapSlots, c.swapPeak]).toEqual([2, 0, 1]);
    expect(c.freed).toBe(2);
    expect(out.host.swapInUseEnd).toBe(0);
  });

  it('frees every page of its range', async () => {
    // A commits 3 pages; F of 0x1000..0x2fff releases pages 1 and 2: both are minor faults again
    const out = await plain('A 0x0 12288\nW 0x0\nW 0x1000\nW 0x2000\nF 0x1000 8192\nR 0x0\nR 0x1000\nR 0x2000\n', { frames: 8 });
    const c = out.vms[0]!.counters;
    expect(c.allocated).toBe(3);
    expect(c.freed).toBe(2);
    expect([c.accesses, c.hits, c.faults]).toEqual([6, 1, 5]);
    expect(c.committed).toBe(3);
  });
});

describe('RESET', () => {
  it("frees everything of that VM only", async () => {
    // LRU, 2 frames, page size 1, one trace with a vm column:
    //   a W1, a W2            [a1 a2]
    //   b W1                  evict a1 (dirty): swap-out (swap 1)   [a2 b1]
    //   a RESET               a2's frame and a1's slot released (swap 0)   [b1]
    //   b R1                  hit: b is untouched
    //   a R1                  minor fault (a's content is gone), a free frame   [b1 a1]
    const trace = 'vm,op,addr\na,W,1\na,W,2\nb,W,1\na,RESET,0\nb,R,1\na,R,1\n';
    const out = await simulate({ sources: [textSource(trace, 'csv', 't')], read: DEFAULT_READ_OPTIONS, config: config({ frames: 2, pageSize: 1 }) });
    const [a, b] = out.vms.map((v) => v.counters);
    expect(out.vms.map((v) => v.name)).toEqual(['a', 'b']);
    expect([a!.accesses, a!.faults, a!.minorFaults, a!.majorFaults, a!.resident, a!.swapSlots, a!.resets]).toEqual([3, 3, 3, 0, 1, 0, 1]);
    expect([b!.accesses, b!.hits, b!.faults, b!.resident]).toEqual([2, 1, 1, 1]);
    expect(out.host.swapInUseEnd).toBe(0);
    expect(out.host.swapInUsePeak).toBe(1);
  });
});

describe('--strict-alloc', () => {
  const text = 'A 0x1000 4096\nR 0x1000\nR 0x2000\nW 0x2000\nF 0x1000\nR 0x1000\n';

  it('counts accesses to never-allocated (or freed) pages as invalid and does not replay them', async () => {
    // valid: R 0x1000 (allocated). Invalid: R/W 0x2000 (never allocated), R 0x1000 after F.
    const strict = (await plain(text, { strictAlloc: true })).vms[0]!.counters;
    expect([strict.accesses, strict.faults, strict.invalid, strict.resident]).toEqual([1, 1, 3, 0]);
    // Without it, pages are committed on demand: R p1, R p2, W p2 (hit), F p1, R p1 (minor again)
    const lax = (await plain(text)).vms[0]!.counters;
    expect([lax.accesses, lax.faults, lax.hits, lax.invalid]).toEqual([4, 3, 1, 0]);
  });

  it('reports them in JSON and on standard error', () => {
    const r = cli(['simulate', tempFile('s.plain', text), '--strict-alloc', '--format', 'json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.details.s.invalid_accesses).toBe(3);
    expect(doc.rows[0].accesses).toBe(1);
    expect(r.stderr).toMatch(/VM 's': 3 accesses to never-allocated pages/);
  });
});
