/**
 * Dirty and clean evictions, swap-outs, major faults, swap slots and OOM on write sequences
 * worked out by hand (SPEC 2 steps 1-3). LRU throughout, page size 1, so the trace is the
 * reference string itself; "[x y]" is the resident set, least recently used first.
 */
import { describe, expect, it } from 'vitest';
import { OutOfMemoryError } from '../../src/errors.js';
import { simulate } from '../../src/run/simulate.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { cli, config, run, tempFile, textSource } from '../helpers.js';

const W = true;
const R = false;

describe('swap (SPEC 2)', () => {
  it('writes back dirty victims, drops clean ones, and reads swapped pages back as major faults', async () => {
    const pages = [1, 2, 3, 4, 1, 2, 3, 1, 1, 5, 6];
    const writes = [W, R, R, R, R, R, R, R, W, R, R];
    // t0  W1  minor                       [1]     1 dirty
    // t1  R2  minor                       [1 2]
    // t2  R3  minor, evict 1: dirty -> swap-out #1, takes slot (swap 1)        [2 3]
    // t3  R4  minor, evict 2: clean, never written -> dropped                   [3 4]
    // t4  R1  MAJOR (1 is in swap): swap-in #1; 1 is clean and keeps its slot;
    //         evict 3 (clean) -> dropped                                        [4 1]
    // t5  R2  minor again (2 was dropped, never written); evict 4               [1 2]
    // t6  R3  minor; evict 1: clean with a valid swap copy -> dropped, no I/O,
    //         still holds its slot (swap 1)                                      [2 3]
    // t7  R1  MAJOR: swap-in #2; evict 2                                         [3 1]
    // t8  W1  hit; the write makes the swap copy stale: slot released (swap 0)   [3 1]
    // t9  R5  minor; evict 3                                                     [1 5]
    // t10 R6  minor; evict 1: dirty again -> swap-out #2, a new slot (swap 1)    [5 6]
    const c = (await run(pages, { frames: 2, policy: 'lru' }, writes)).total.counters;
    expect(c.accesses).toBe(11);
    expect(c.reads).toBe(9);
    expect(c.writes).toBe(2);
    expect(c.hits).toBe(1);
    expect(c.faults).toBe(10);
    expect(c.majorFaults).toBe(2);
    expect(c.minorFaults).toBe(8);
    expect(c.swapIns).toBe(2);
    expect(c.swapOuts).toBe(2);
    expect(c.evictions).toBe(8);
    expect(c.resident).toBe(2);
    expect(c.swapSlots).toBe(1);
    expect(c.swapPeak).toBe(1);
  });

  it('a page read back from swap keeps its slot until written (swap_end, swap_peak)', async () => {
    // t0 W1, t1 W2: minor                    [1 2] both dirty
    // t2 R3: evict 1 -> swap-out (swap 1)    [2 3]
    // t3 R4: evict 2 -> swap-out (swap 2)    [3 4]   peak 2
    // t4 R1: MAJOR, evict 3 (clean); 1 keeps its slot (swap 2)   [4 1]
    // t5 W1: hit; 1's slot is stale and released (swap 1)        [4 1]
    // t6 R2: MAJOR, evict 4 (clean); 2 keeps its slot (swap 1)   [1 2]
    const out = await run([1, 2, 3, 4, 1, 1, 2], { frames: 2, policy: 'lru' }, [W, W, R, R, R, W, R]);
    const c = out.total.counters;
    expect(c.faults).toBe(6);
    expect(c.hits).toBe(1);
    expect(c.majorFaults).toBe(2);
    expect(c.minorFaults).toBe(4);
    expect(c.swapOuts).toBe(2);
    expect(c.evictions).toBe(4);
    expect(c.swapSlots).toBe(1);
    expect(c.swapPeak).toBe(2);
    expect(out.host.swapInUseEnd).toBe(1);
    expect(out.host.swapInUsePeak).toBe(2);
  });

  it('with swap full, takes the next victim in LRU order that is clean', async () => {
    // No swap: W1 R2 R3 -> LRU order [1 2]; 1 is dirty and cannot be written, so 2 goes; R1 hits.
    const none = (await run([1, 2, 3, 1], { frames: 2, policy: 'lru', swapSlots: 0 }, [W])).total.counters;
    expect(none.faults).toBe(3);
    expect(none.hits).toBe(1);
    expect(none.swapOuts).toBe(0);
    expect(none.evictions).toBe(1);
    // One slot: W1 W2 R3 evicts 1 into the slot; R4: swap full, [2 3], 2 dirty -> 3 goes; R2 hits.
    const one = (await run([1, 2, 3, 4, 2], { frames: 2, policy: 'lru', swapSlots: 1 }, [W, W])).total.counters;
    expect(one.faults).toBe(4);
    expect(one.hits).toBe(1);
    expect(one.swapOuts).toBe(1);
    expect(one.swapSlots).toBe(1);
    expect(one.oomKills).toBe(0);
  });
});

describe('out of memory (SPEC 2 step 3)', () => {
  // Two VMs round robin, 2 frames, 1 swap slot, page size 4 KiB:
  //   a: W 0x1000, W 0x2000, R 0x2000, R 0x2000
  //   b: W 0x1000, W 0x2000, R 0x2000, R 0x1000
  // t0 a W a1: minor               [a1]
  // t1 b W b1: minor               [a1 b1]
  // t2 a W a2: evict a1 (dirty) into the only slot: swap full       [b1 a2]
  // t3 b W b2: both resident pages dirty, swap full: no victim -> b is OOM-killed; its frame
  //            (b1) is freed; this access and b's later ones (t5, t7) are not counted
  // t4 a R a2: hit;  t6 a R a2: hit
  const a = 'W 0x1000\nW 0x2000\nR 0x2000\nR 0x2000\n';
  const b = 'W 0x1000\nW 0x2000\nR 0x2000\nR 0x1000\n';

  it('kills the faulting VM and lets the other go on', async () => {
    const out = await simulate({
      sources: [textSource(a, 'plain', 'a'), textSource(b, 'plain', 'b')],
      read: DEFAULT_READ_OPTIONS,
      config: config({ frames: 2, pageSize: 4096, swapSlots: 1, policy: 'lru' }),
    });
    const [va, vb] = out.vms;
    expect(va!.name).toBe('a');
    expect(va!.counters.accesses).toBe(4);
    expect(va!.counters.hits).toBe(2);
    expect(va!.counters.faults).toBe(2);
    expect(va!.counters.swapOuts).toBe(1);
    expect(va!.counters.oomKills).toBe(0);
    expect(va!.counters.resident).toBe(1);
    expect(va!.counters.swapSlots).toBe(1);
    expect(vb!.name).toBe('b');
    expect(vb!.counters.oomKills).toBe(1);
    expect(vb!.counters.accesses).toBe(1);
    expect(vb!.counters.faults).toBe(1);
    expect(vb!.counters.resident).toBe(0);
    expect(vb!.counters.oomSkipped).toBe(3);
    expect(out.total.counters.oomKills).toBe(1);
    expect(out.oomEvents).toEqual([{ vm: 1, name: 'b', position: 3, framesFreed: 1, cause: 'swap-full' }]);
  });

  it('--on-oom error stops the run with OutOfMemoryError', async () => {
    const run = simulate({
      sources: [textSource(a, 'plain', 'a'), textSource(b, 'plain', 'b')],
      read: DEFAULT_READ_OPTIONS,
      config: config({ frames: 2, pageSize: 4096, swapSlots: 1, policy: 'lru', onOom: 'error' }),
    });
    await expect(run).rejects.toBeInstanceOf(OutOfMemoryError);
  });

  it('through the CLI: the kill in the CSV and on stderr; --on-oom error exits 3', () => {
    const fa = tempFile('a.plain', a);
    const fb = tempFile('b.plain', b);
    const killed = cli(['simulate', fa, fb, '--frames', '2', '--swap', '4KiB', '--format', 'csv']);
    expect(killed.status).toBe(0);
    const rows = killed.stdout.trim().split('\n').map((l) => l.split(','));
    const col = (name: string): number => rows[0]!.indexOf(name);
    expect(rows.map((r) => r[0])).toEqual(['vm', 'a', 'b', 'TOTAL']);
    expect(rows.map((r) => r[col('oom_kills')])).toEqual(['oom_kills', '0', '1', '1']);
    expect(rows.map((r) => r[col('accesses')])).toEqual(['accesses', '4', '1', '5']);
    expect(rows.map((r) => r[col('swap_end')])).toEqual(['swap_end', '1', '0', '1']);
    expect(killed.stderr).toMatch(/VM 'b' was OOM-killed at access 4/);

    const stopped = cli(['simulate', fa, fb, '--frames', '2', '--swap', '4KiB', '--on-oom', 'error']);
    expect(stopped.status).toBe(3);
    expect(stopped.stdout).toBe('');
    expect(stopped.stderr).toMatch(/^vmmem: out of memory: VM 'b' faulted on page 0x2 at access 4/);
    expect(stopped.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('out of memory with several VMs under a scheduler (SPEC 2 step 3)', () => {
  // One csv with a vm column fixes the order of the accesses; page size 1, so addresses are pages.
  const run = (rows: string, args: string[]) => {
    const file = tempFile('vms.csv', `vm,op,addr\n${rows.trim().split(/\s+/).map((t) => t.replace(/^([a-z]+)(\d+)(w?)$/, (_, vm, p, w) => `${vm},${w ? 'W' : 'R'},${p}`)).join('\n')}\n`);
    const r = cli(['simulate', file, '--page-size', '1', ...args, '--format', 'json']);
    return { ...r, doc: r.status === 0 ? JSON.parse(r.stdout) : undefined };
  };
  const figures = (doc: { rows: Record<string, number | string>[]; details: Record<string, { oom_skipped: number }> }) =>
    doc.rows.map((r) => [r.vm, r.accesses, r.faults, r.swap_outs, r.resident_end, r.swap_end, r.oom_kills, doc.details[r.vm as string]!.oom_skipped]);

  it('partition: the VM whose partition is all dirty with swap full is killed, the others go on', () => {
    // 6 frames, 3 equal partitions of 2, 1 swap slot.
    //  1 a1w  2 b1w  3 c1  4 a2w  5 b2w  6 c2         a [1* 2*]  b [1* 2*]  c [1 2]
    //  7 a3: a replaces its LRU a1, dirty: swap-out, the slot is taken (swap full)   a [2* 3]
    //  8 b3: b may only replace its own pages, both dirty, no slot: b is OOM-killed; its 2
    //        frames are freed (they stay free: they are b's partition). Clean pages exist in
    //        other partitions, so the cause is the scheduler (no-frame), not swap-full.
    //  9 c3: c drops its clean c1                                                    c [2 3]
    // 10 a1: major fault (a1 is in swap, and keeps its slot); a2 is dirty with swap full, so
    //        a drops its clean a3 instead                                            a [2* 1]
    // 11 b1: skipped (b is dead)     12 c1: minor, c drops c2                         c [3 1]
    const r = run('a1w b1w c1 a2w b2w c2 a3 b3 c3 a1 b1 c1', ['--frames', '6', '--swap', '1', '--scheduler', 'partition']);
    expect(r.status, r.stderr).toBe(0);
    expect(figures(r.doc)).toEqual([
      // vm, accesses, faults, swap-outs, resident, swap slots, OOM kills, accesses skipped
      ['a', 4, 4, 1, 2, 1, 0, 0],
      ['b', 2, 2, 0, 0, 0, 1, 2],
      ['c', 4, 4, 0, 2, 0, 0, 0],
      ['TOTAL', 10, 10, 1, 4, 1, 1, 2],
    ]);
    expect(r.doc.oom_events).toEqual([{ vm: 'b', access: 8, frames_freed: 2, cause: 'no-frame' }]);
    expect(r.stderr).toBe("vmmem: out of memory: VM 'b' was OOM-killed at access 8: scheduler partition left it no frame it may take (2 frames freed); its later accesses were skipped\n");
  });

  it('weight: with every frame dirty and swap full the faulting VM is killed; its frame goes to another VM', () => {
    // 3 frames, 1 swap slot, equal weights (entitlement 1 frame each).
    //  1 a1w  2 b1w  3 c1w: memory full, every page dirty
    //  4 a2w: a is the most over its entitlement ((1 + 1) / 1): its own a1 goes to swap (full)
    //  5 b2w: b's own b1 is dirty, and so are a2 and c1: no frame can be had: b is killed,
    //         cause swap-full; b1's frame is freed
    //  6 c2w: takes the free frame         7 a2, 8 c1: hits     9 b3w: skipped     10 c2: hit
    const r = run('a1w b1w c1w a2w b2w c2w a2 c1 b3w c2', ['--frames', '3', '--swap', '1', '--scheduler', 'weight', '--vm', 'name=a', '--vm', 'name=b', '--vm', 'name=c']);
    expect(r.status, r.stderr).toBe(0);
    expect(figures(r.doc)).toEqual([
      ['a', 3, 2, 1, 1, 1, 0, 0],
      ['b', 1, 1, 0, 0, 0, 1, 2],
      ['c', 4, 2, 0, 2, 0, 0, 0],
      ['TOTAL', 8, 5, 1, 3, 1, 1, 2],
    ]);
    expect(r.doc.oom_events).toEqual([{ vm: 'b', access: 5, frames_freed: 1, cause: 'swap-full' }]);
    expect(r.stderr).toBe("vmmem: out of memory: VM 'b' was OOM-killed at access 5 (1 frame freed); its later accesses were skipped\n");
  });

  it('highest: the faulting VM is killed even when it has the higher priority; the weaker one goes on', () => {
    // 2 frames, no swap, hi priority 2, lo priority 1.
    //  1 lo1w  2 hi1w: memory full, both dirty
    //  3 hi2w: the weakest class holding frames is lo, but lo1 is dirty and there is no swap;
    //          the next class up is hi's own, hi1 dirty: hi, the faulting VM, is killed
    //  4 lo2w: takes hi's freed frame     5 lo1: hit     6 hi1: skipped
    const r = run('lo1w hi1w hi2w lo2w lo1 hi1', ['--frames', '2', '--swap', '0', '--scheduler', 'highest', '--vm', 'name=hi,priority=2', '--vm', 'name=lo,priority=1']);
    expect(r.status, r.stderr).toBe(0);
    expect(figures(r.doc)).toEqual([
      ['lo', 3, 2, 0, 2, 0, 0, 0],
      ['hi', 1, 1, 0, 0, 0, 1, 2],
      ['TOTAL', 4, 3, 0, 2, 0, 1, 2],
    ]);
    expect(r.doc.oom_events).toEqual([{ vm: 'hi', access: 3, frames_freed: 1, cause: 'swap-full' }]);
  });

  it.each(['partition', 'weight'])('--on-oom error under %s stops with exit 3, a one-line message and no result', (scheduler) => {
    const rows = scheduler === 'partition' ? 'a1w b1w c1 a2w b2w c2 a3 b3 c3 a1 b1 c1' : 'a1w b1w c1w a2w b2w c2w a2 c1 b3w c2';
    const frames = scheduler === 'partition' ? '6' : '3';
    const r = run(rows, ['--frames', frames, '--swap', '1', '--scheduler', scheduler, '--on-oom', 'error', '--vm', 'name=a', '--vm', 'name=b', '--vm', 'name=c']);
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('');
    const why =
      scheduler === 'partition'
        ? 'and scheduler partition leaves it no frame it may take (its partition or limit, other VMs\' reserves, or stronger priorities); change the VMs\' parameters, or use --on-oom=kill'
        : 'every frame holds a dirty page and swap is full (1 slot); give more --swap or --frames, or use --on-oom=kill';
    const at = scheduler === 'partition' ? 8 : 5;
    expect(r.stderr).toBe(`vmmem: out of memory: VM 'b' faulted on page 0x${scheduler === 'partition' ? 3 : 2} at access ${at}, ${why}\n`);
  });
});
