import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAJOR, type Engine, type EngineObserver } from '../../src/engine/engine.js';
import type { PolicyName } from '../../src/policies/index.js';
import type { TranslationModel } from '../../src/translation/model.js';
import { Harness, type Step } from './harness.js';

/** Random multi-VM traces over a few pages each, with frees and resets. */
const stepArb = (vms: number): fc.Arbitrary<Step> =>
  fc.tuple(
    fc.integer({ min: 0, max: vms - 1 }),
    fc.constantFrom<Step[1]>('R', 'R', 'R', 'W', 'W', 'F', 'RESET'),
    fc.integer({ min: 0, max: 9 }),
  );

const scenarioArb = fc.integer({ min: 1, max: 4 }).chain((vms) =>
  fc.record({
    steps: fc.array(stepArb(vms), { minLength: 1, maxLength: 120 }),
    frames: fc.integer({ min: 1, max: 8 }),
    swapSlots: fc.constantFrom(Infinity, 0, 2, 6),
    policy: fc.constantFrom<PolicyName>('lru', 'fifo', 'clock', 'lfu', 'random'),
    seed: fc.integer({ min: 0, max: 1000 }),
    tlb: fc.constantFrom([1, 1], [2, 2], [4, 1], [4, 2], [6, 3], [64, 64]),
    guestAlloc: fc.constantFrom<'seq' | 'random'>('seq', 'random'),
    guestPhysicalPages: fc.integer({ min: 1, max: 16 }),
  }),
);

/** Every host-stage and TLB entry of every VM names a frame that holds that very page. */
function checkIsolation(model: TranslationModel, engine: Engine): void {
  const owner = engine.frameOwner;
  const vmOf = engine.ids.vmOf;
  const mappedBy = new Map<number, number>();
  model.forEachHostMapping((vm, gppn, frame) => {
    // no host frame is mapped by two VMs (or twice by one)
    expect(mappedBy.has(frame), `frame ${frame} mapped twice`).toBe(false);
    mappedBy.set(frame, vm);
    const p = owner[frame]!;
    expect(p, `VM ${vm} maps frame ${frame}, which is free`).toBeGreaterThanOrEqual(0);
    expect(vmOf[p], `VM ${vm} maps frame ${frame} of VM ${vmOf[p]}`).toBe(vm);
    expect(model.guestPhysical(p)).toBe(gppn);
  });
  model.tlb.forEach((vm, p, frame) => {
    expect(vmOf[p]).toBe(vm);
    expect(owner[frame], `VM ${vm}'s TLB entry for page ${p} names frame ${frame}`).toBe(p);
  });
  for (let p = 0; p < engine.ids.count; p++) {
    const frame = model.translate(p);
    if (frame >= 0) expect(owner[frame]).toBe(p);
  }
}

describe('isolation', () => {
  it('no step maps a host frame into two VMs, and no translation yields a frame another VM holds', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        let translations = 0;
        const wrap = (model: TranslationModel, engine: Engine): EngineObserver => ({
          access(p, v, frame, kind, write, previousFrame) {
            model.access(p, v, frame, kind, write, previousFrame);
            // the translation this access used (TLB or walk) is the frame the page is in, and the VM's own
            expect(model.lastFrame).toBe(frame);
            expect(engine.frameOwner[model.lastFrame]).toBe(p);
            expect(engine.ids.vmOf[engine.frameOwner[model.lastFrame]!]).toBe(v);
            translations++;
            checkIsolation(model, engine);
          },
          unmapped(p, v, frame) {
            model.unmapped(p, v, frame);
            checkIsolation(model, engine);
          },
          released(p, v) {
            model.released(p, v);
            checkIsolation(model, engine);
          },
          reset(v) {
            model.reset(v);
            checkIsolation(model, engine);
          },
        });
        const h = new Harness(
          { frames: s.frames, swapSlots: s.swapSlots, policy: s.policy, seed: s.seed },
          { tlbEntries: s.tlb[0], tlbWays: s.tlb[1], guestAlloc: s.guestAlloc, guestPhysicalPages: s.guestPhysicalPages },
          wrap,
        );
        h.run(s.steps);
        const accesses = h.engine.vms.reduce((n, c) => n + c.accesses, 0);
        expect(translations).toBe(accesses);
      }),
      { numRuns: 300 },
    );
  });

  it('TLB hits and misses, remaps and mappings agree with a naive reference model', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const [entries, ways] = s.tlb;
        const sets = entries / ways;
        // Reference: per VM and set a plain array of pages, most recently used first.
        const tlbs = new Map<string, number[]>();
        const setOf = (v: number, p: number, ids: Harness['ids']): number[] => {
          const key = `${v}/${ids.loOf[p]! % sets}`;
          if (!tlbs.has(key)) tlbs.set(key, []);
          return tlbs.get(key)!;
        };
        const drop = (p: number): void => {
          for (const list of tlbs.values()) if (list.includes(p)) list.splice(list.indexOf(p), 1);
        };
        const want = { hits: 0, misses: 0, remaps: 0, newMappings: 0 };
        const lastFrame = new Map<number, number>();
        const mapped = new Set<number>();
        let h!: Harness;
        const wrap = (model: TranslationModel, engine: Engine): EngineObserver => ({
          access(p, v, frame, kind, write, previousFrame) {
            model.access(p, v, frame, kind, write, previousFrame);
            if (!mapped.has(p)) {
              mapped.add(p);
              want.newMappings++;
            }
            if (kind === MAJOR && lastFrame.get(p) !== frame) want.remaps++;
            lastFrame.set(p, frame);
            const list = setOf(v, p, h.ids);
            if (list.includes(p)) {
              want.hits++;
              list.splice(list.indexOf(p), 1);
            } else {
              want.misses++;
              if (list.length === ways) list.pop();
            }
            list.unshift(p);
          },
          unmapped(p, v, frame) {
            model.unmapped(p, v, frame);
            drop(p);
          },
          released(p, v) {
            model.released(p, v);
            drop(p);
            mapped.delete(p);
          },
          reset(v) {
            model.reset(v);
            for (const [key, list] of tlbs) if (key.startsWith(`${v}/`)) list.length = 0;
            void engine;
          },
        });
        h = new Harness(
          { frames: s.frames, swapSlots: s.swapSlots, policy: s.policy, seed: s.seed },
          { tlbEntries: entries, tlbWays: ways, guestAlloc: s.guestAlloc, guestPhysicalPages: s.guestPhysicalPages },
          wrap,
        );
        h.run(s.steps);
        const got = { hits: 0, misses: 0, remaps: 0, newMappings: 0 };
        for (const c of h.model.counters) {
          got.hits += c.tlbHits;
          got.misses += c.tlbMisses;
          got.remaps += c.remaps;
          got.newMappings += c.newMappings;
        }
        expect(got).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('attaching the model changes no paging figure', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const engineOver = { frames: s.frames, swapSlots: s.swapSlots, policy: s.policy, seed: s.seed };
        const translated = new Harness(engineOver, { tlbEntries: s.tlb[0], tlbWays: s.tlb[1], guestAlloc: s.guestAlloc });
        const bare = new Harness(engineOver, {}, () => null);
        translated.run(s.steps);
        bare.run(s.steps);
        expect(translated.engine.vms).toEqual(bare.engine.vms);
        expect(Array.from(translated.engine.frameOwner)).toEqual(Array.from(bare.engine.frameOwner));
        expect(translated.engine.oomEvents).toEqual(bare.engine.oomEvents);
      }),
      { numRuns: 200 },
    );
  });
});
