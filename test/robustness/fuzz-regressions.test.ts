/**
 * Inputs the fuzzer (scripts/fuzz.js) found that crashed or misbehaved, shrunk to a few lines,
 * with the result worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { cli, tempFile } from '../helpers.js';

describe('fuzzer finds', () => {
  it('a copy-on-write of a page whose huge-block slot holds the frame it shared splits the block (was exit 70)', () => {
    // 512 frames, --host-page 2MiB: the first touch of region 0x400000 backs it with a block of
    // all 512 frames; page 0x40f sits in slot 0xf, holding the zero page. Page 0x403 (never
    // written: zero page too) merges into that frame (ideal). The write to 0x40f is a COW fault:
    // its slot holds the shared frame 0x403 keeps, so the block is split (as Linux splits a
    // huge page when one of its pages is merged) and the copy takes a single frame.
    const trace = tempFile('cow.plain', 'R 0x40f000\nR 0x403000\nW 0x40f000\n');
    const r = cli(['simulate', trace, '--memory', '2MiB', '--dedup', 'ideal', '--host-page', '2MiB', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const total = doc.rows.at(-1);
    // R 0x40f minor, R 0x403 minor (merged), W 0x40f a hit with a COW fault
    expect([total.accesses, total.faults, total.hits, total.cow_faults]).toEqual([3, 2, 1, 1]);
    // after the COW nothing is shared and no page is in a huge block: two single frames in use
    expect([total.pages_shared, total.pages_sharing, total.huge_pages]).toEqual([0, 0, 0]);
    expect(doc.memory.frames_in_use).toBe(2);
    expect(doc.memory.free_frames).toBe(510);
    expect(doc.memory.vms.cow.merges).toBe(1);
    expect(doc.memory.vms.cow.huge_splits).toBe(1);
  });
});
