import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run/simulate.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { config, textSource } from '../helpers.js';
import { Harness, translation } from './harness.js';

/*
 * 2 frames, LRU, page size 1; guest-physical pages handed out lowest first (seq).
 *   W 1     new mapping (1 -> g0), frame 0
 *   W 2     new mapping (2 -> g1), frame 1
 *   R 3     new mapping (3 -> g2); evicts 1 (dirty) from frame 0: unmap; 3 into frame 0
 *   R 1     major; evicts 2 (dirty) from frame 1: unmap; 1 into frame 1, was in 0: remap
 *   F 3     the guest frees 3 (resident, frame 0): one unmap, frame 0 free
 *   F 2     the guest frees 2 (swapped out): one unmap
 *   R 2     new mapping (2 -> g1, the lowest free), minor fault, frame 0
 *   RESET   unmaps 1 and 2
 *   R 1     new mapping (1 -> g0)
 * New mappings 5; unmaps 2 by eviction + 4 by the guest = 6; remaps 1: 12 shadow updates.
 */
const TRACE = ['W 1', 'W 2', 'R 3', 'R 1', 'F 3', 'F 2', 'R 2', 'RESET', 'R 1'].join('\n') + '\n';

describe('shadow-table updates', () => {
  it('count new mappings, unmaps (eviction, F, RESET) and remaps (hand-worked)', async () => {
    const out = await simulate({
      sources: [textSource(TRACE, 'plain')],
      read: DEFAULT_READ_OPTIONS,
      config: config({ frames: 2 }),
      translation: translation({ modes: ['shadow', 'nested'] }),
    });
    const [shadow, nested] = out.translation!.modes;
    const c = shadow!.total.counters;
    expect(c.newMappings).toBe(5);
    expect(c.evictionUnmaps).toBe(2);
    expect(c.guestUnmaps).toBe(4);
    expect(c.remaps).toBe(1);
    expect(shadow!.total.shadowUpdates).toBe(12);
    // nested paging has no shadow table
    expect(nested!.total.shadowUpdates).toBe(0);
  });

  it('follow the guest-physical pages the guest stage hands out', () => {
    const h = new Harness({ frames: 2 }, { modes: ['shadow'] });
    const lines = TRACE.trim().split('\n');
    const gppn = (page: number): number => h.model.guestPhysical(h.id(0, page));
    const replay = (line: string): void => {
      const [op, page] = line.split(' ');
      h.step(0, op as 'R', Number(page ?? 0));
    };
    lines.slice(0, 3).forEach(replay);
    expect([gppn(1), gppn(2), gppn(3)]).toEqual([0, 1, 2]);
    lines.slice(3, 7).forEach(replay);
    expect([gppn(1), gppn(2), gppn(3)]).toEqual([0, 1, -1]);
    replay(lines[7]!);
    expect([gppn(1), gppn(2)]).toEqual([-1, -1]);
    replay(lines[8]!);
    expect(gppn(1)).toBe(0);
  });

  it('priced with --latency vmexit, they add to eat_ns', async () => {
    const latency = { hitNs: 100, minorNs: 2000, majorNs: 50000, swapoutNs: 50000, walkrefNs: 100, vmexitNs: 1000 };
    const out = await simulate({
      sources: [textSource(TRACE, 'plain')],
      read: DEFAULT_READ_OPTIONS,
      config: config({ frames: 2, latency }),
      translation: translation({ modes: ['shadow'] }),
    });
    // accesses 6 (F and RESET are not accesses): minor W1 W2 R3 R2 and R1 after RESET, major R1;
    // no hits; 2 swap-outs (1 and 2 evicted dirty)
    const c = out.total.counters;
    expect([c.accesses, c.minorFaults, c.majorFaults, c.hits, c.swapOutWaits]).toEqual([6, 5, 1, 0, 2]);
    const base = 5 * 2000 + 1 * 50000 + 2 * 50000;
    // every access misses the TLB: 6 walks of 4 references; 12 updates at 1 us
    expect(out.total.eatNs).toBe((base + 6 * 4 * 100 + 12 * 1000) / 6);
  });

  it('are not counted for a VM that is OOM-killed: its tables go away whole', () => {
    // 2 frames, no swap: W1, W2 fill memory with dirty pages; W3 cannot get a frame: OOM kill.
    const h = new Harness({ frames: 2, swapSlots: 0 }, { modes: ['shadow'] });
    h.run([
      [0, 'W', 1],
      [0, 'W', 2],
      [0, 'W', 3],
    ]);
    expect(h.engine.isDead(0)).toBe(true);
    const c = h.model.counters[0]!;
    expect(c.newMappings).toBe(2);
    expect(c.unmaps).toBe(0);
    expect(c.shadowUpdates('shadow')).toBe(2);
    expect(h.model.translate(h.id(0, 1))).toBe(-1);
    expect(h.model.tlb.holds(h.id(0, 1))).toBe(false);
  });
});
