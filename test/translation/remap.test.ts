import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run/simulate.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { config, textSource } from '../helpers.js';
import { Harness, translation, type Step } from './harness.js';

/*
 * 2 frames, LRU, page size 1. Frames come off the free stack lowest first; an evicted page's
 * frame goes to the faulting page.
 *   1 W1  minor, frame 0                          LRU order (least recent first): 1
 *   2 W2  minor, frame 1                                                          1 2
 *   3 R3  minor; evicts 1 (dirty: swap-out) from frame 0, 3 into frame 0           2 3
 *   4 R2  hit                                                                      3 2
 *   5 R1  major; evicts 3 (clean, never written: dropped) from frame 0; 1 into frame 0,
 *         the frame it left: not a remap                                           2 1
 *   6 R3  minor (zero page again); evicts 2 (dirty: swap-out) from frame 1; 3 into 1 1 3
 *   7 R2  major; evicts 1 (clean, swap copy kept) from frame 0; 2 into frame 0, it was in 1: remap
 *   8 R2  hit                                                                      3 2
 *   9 R1  major; evicts 3 from frame 1; 1 into frame 1, it was in 0: remap         2 1
 * Major faults 3 (steps 5, 7, 9), of which 2 landed elsewhere: remaps 2.
 */
const STEPS: Step[] = [
  [0, 'W', 1],
  [0, 'W', 2],
  [0, 'R', 3],
  [0, 'R', 2],
  [0, 'R', 1],
  [0, 'R', 3],
  [0, 'R', 2],
  [0, 'R', 2],
  [0, 'R', 1],
];
const FRAME_AFTER = [0, 1, 0, 1, 0, 1, 0, 0, 1];

describe('remaps', () => {
  it('are the major faults that landed in another frame than the page left (hand-worked)', async () => {
    const h = new Harness({ frames: 2 });
    STEPS.forEach(([vm, op, page], i) => {
      h.step(vm, op, page);
      expect(h.frameOf(vm, page), `step ${i + 1}`).toBe(FRAME_AFTER[i]);
      expect(h.model.lastFrame, `step ${i + 1}`).toBe(FRAME_AFTER[i]);
    });
    expect(h.engine.vms[0]!.majorFaults).toBe(3);
    expect(h.model.counters[0]!.remaps).toBe(2);

    const text = STEPS.map(([, op, page]) => `${op} ${page}`).join('\n') + '\n';
    const out = await simulate({
      sources: [textSource(text, 'plain')],
      read: DEFAULT_READ_OPTIONS,
      config: config({ frames: 2 }),
      translation: translation(),
    });
    const m = out.translation!.modes[0]!;
    expect(m.total.counters.remaps).toBe(2);
    // TLB (64 entries): hits at steps 4 and 8 only; every fault misses (its entry went at eviction)
    expect([m.total.counters.tlbHits, m.total.counters.tlbMisses]).toEqual([2, 7]);
  });

  it('a page read back into its old frame keeps its host-stage entry value and is not a remap', () => {
    const h = new Harness({ frames: 2 });
    h.run(STEPS.slice(0, 5));
    const p1 = h.id(0, 1);
    expect(h.model.translate(p1)).toBe(0);
    expect(h.model.counters[0]!.remaps).toBe(0);
    expect(h.model.counters[0]!.hostMaps).toBe(4);
    expect(h.model.counters[0]!.evictionUnmaps).toBe(2);
  });

  it('F and RESET remove mappings but are not remaps; the page comes back as a new mapping', () => {
    const h = new Harness({ frames: 2 });
    h.run([
      [0, 'W', 1], // frame 0
      [0, 'F', 1], // frame 0 back on the free stack
      [0, 'W', 2], // frame 0
      [0, 'W', 1], // frame 1: a new mapping, not a remap
    ]);
    const c = h.model.counters[0]!;
    expect(c.remaps).toBe(0);
    expect(c.newMappings).toBe(3);
    expect(c.releaseUnmaps).toBe(1);
    expect(h.frameOf(0, 1)).toBe(1);
  });
});
