/**
 * The ESX idle memory tax on a larger workload: two VMs of the same weight hold the same memory,
 * one goes idle, a third VM keeps asking for frames.
 */
import { describe, expect, it } from 'vitest';
import { runAccesses, type Access } from './harness.js';

/**
 * F = 60. `idle` and `busy` each load 25 pages; for 50 rounds `busy` cycles over its 25 while
 * `idle` touches only its page 0; then `grow` joins and walks over 100 new pages - always
 * faulting, so it takes frames from whichever VM the scheduler names. One access of each in turn.
 */
function workload(): Access[] {
  const out: Access[] = [];
  for (let p = 0; p < 25; p++) out.push({ vm: 'idle', page: p }, { vm: 'busy', page: p });
  for (let i = 0; i < 50; i++) out.push({ vm: 'idle', page: 0 }, { vm: 'busy', page: i % 25 });
  for (let i = 0; i < 400; i++) out.push({ vm: 'idle', page: 0 }, { vm: 'busy', page: i % 25 }, { vm: 'grow', page: i % 100 });
  return out;
}
const vms = [{ name: 'idle' }, { name: 'busy' }, { name: 'grow' }];

describe('idle memory tax', () => {
  it('T = 0.75: the idle VM loses frames before the active VM of the same weight', () => {
    // W = 25: when grow joins, idle's last 25 accesses are all page 0 (f = 1/r), busy's cover its
    // 25 pages (f = 1). grow takes the 10 free frames, then e = 20 each, k = 4, and after L
    // frames taken from idle:
    //   idle (r = 25 - L, f = 1/r): r (4 - 3/r) / 20 = (97 - 4L) / 20
    //   busy: 25 / 20 = 1.25
    //   grow (r = 10 + L, its last 25 accesses are 25 distinct resident pages: f = min(1, 25/r)),
    //   with its incoming page: (r + 1)(4 - 3f) / 20
    // L = 15: idle 37/20 = 1.85 vs grow 26/20 = 1.3; L = 16: idle 1.65 vs grow 27 (4 - 75/26) / 20
    // = 1.506 -> idle; L = 17: idle 29/20 = 1.45 vs grow 28 (4 - 75/27) / 20 = 1.711 -> grow
    // replaces its own pages from then on. Busy never loses a frame; idle keeps page 0.
    const h = runAccesses(workload(), { frames: 60, scheduler: 'weight', vms, idleTax: { rate: 0.75, window: 25, samplePages: 0 } });
    const lost = (vm: string) => h.evictions.filter((e) => e.lost.startsWith(vm));
    expect(lost('idle')).toHaveLength(17);
    expect(lost('idle').every((e) => e.faulting === 'grow' && e.lost !== 'idle0')).toBe(true);
    expect(lost('busy')).toHaveLength(0);
    expect([h.resident('idle'), h.resident('busy'), h.resident('grow')]).toEqual([8, 25, 27]);
    expect(h.violations).toEqual([]);
  });

  it('T = 0: idle and busy are alike - it is plain weight, to the eviction', () => {
    // plain weight: idle and busy cost 25/20 each (equal: idle, listed first, then busy, and so
    // on) until both hold their entitlement of 20; then grow (20 + 1)/20 is the most over.
    const taxed = runAccesses(workload(), { frames: 60, scheduler: 'weight', vms, idleTax: { rate: 0, window: 25, samplePages: 0 } });
    const plain = runAccesses(workload(), { frames: 60, scheduler: 'weight', vms });
    expect(taxed.log).toEqual(plain.log);
    expect([plain.resident('idle'), plain.resident('busy'), plain.resident('grow')]).toEqual([20, 20, 20]);
  });

  it('sampled (--sample-pages), the idle VM still loses first', () => {
    const h = runAccesses(workload(), { frames: 60, scheduler: 'weight', vms, idleTax: { rate: 0.75, window: 25, samplePages: 10 } });
    expect(h.resident('idle')).toBeLessThan(h.resident('busy'));
  });
});
