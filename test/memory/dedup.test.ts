import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { PageBatch } from '../../src/pages/expand.js';
import { PageIds } from '../../src/pages/page-ids.js';
import { MemoryModel } from '../../src/memory/model.js';
import type { PolicyName } from '../../src/policies/index.js';
import { OP_ALLOC, OP_FREE, OP_READ, OP_RESET, OP_WRITE } from '../../src/trace/rows.js';
import { TranslationModel } from '../../src/translation/model.js';
import { config } from '../helpers.js';
import { translation } from '../translation/harness.js';
import { csv, memory, runText } from './harness.js';

/** Two VMs that write the same 8 page images, then read them. */
function twins(extra: [string, string, number, string?][] = []): string {
  const rows: [string, string, number, string?][] = [];
  for (let p = 0; p < 8; p++) for (const vm of ['a', 'b']) rows.push([vm, 'W', p, `img${p}`]);
  for (let round = 0; round < 3; round++) for (let p = 0; p < 8; p++) for (const vm of ['a', 'b']) rows.push([vm, 'R', p]);
  return csv([...rows, ...extra]);
}

describe('dedup ideal', () => {
  it('two VMs with identical content use half the frames', async () => {
    const off = await runText(twins(), {}, undefined);
    const ideal = await runText(twins(), {}, memory());
    expect(off.host.framesInUseEnd).toBe(16);
    expect(ideal.host.framesInUseEnd).toBe(8);
    const m = ideal.memory!;
    expect(m.total.pagesShared).toBe(8);
    expect(m.total.pagesSharing).toBe(8);
    expect(m.total.savedBytes).toBe(8 * 4096);
    expect(m.savedFraction).toBe(0.5);
    // a holds the frames (its pages came first); b's mappings are the saved ones
    expect(m.vms.map((v) => [v.name, v.pagesShared, v.pagesSharing])).toEqual([
      ['a', 8, 0],
      ['b', 0, 8],
    ]);
    // paging counts are those of the unshared run: every page faulted once
    expect(ideal.total.counters.faults).toBe(off.total.counters.faults);
    expect(ideal.total.counters.resident).toBe(16);
  });

  it('one write breaks exactly one page\'s sharing with one COW fault', async () => {
    const r = await runText(twins([['b', 'W', 3, 'changed']]), {}, memory());
    const m = r.memory!;
    expect(m.total.counters.cowFaults).toBe(1);
    expect(m.vms[1]!.counters.cowFaults).toBe(1);
    expect(m.total.pagesShared).toBe(7);
    expect(m.total.pagesSharing).toBe(7);
    expect(r.host.framesInUseEnd).toBe(9);
    // the write was a hit, not a page fault
    expect(r.total.counters.faults).toBe(16);
  });

  it('a write of content another page holds merges into it at once (COW, then merge)', async () => {
    const r = await runText(twins([['b', 'W', 3, 'img4']]), {}, memory());
    expect(r.memory!.total.counters.cowFaults).toBe(1);
    // b's page 3 now shares img4's frame with a4 and b4; img3 is a3's alone
    expect(r.memory!.total.pagesShared).toBe(7);
    expect(r.memory!.total.pagesSharing).toBe(8);
    expect(r.host.framesInUseEnd).toBe(8);
  });

  it('a VM that only reads never-written pages uses one frame (the zero page)', async () => {
    const rows: [string, string, number][] = [];
    for (let i = 0; i < 50; i++) rows.push(['z', 'R', i % 20]);
    const r = await runText(csv(rows), {}, memory());
    expect(r.host.framesInUseEnd).toBe(1);
    expect(r.memory!.total.pagesShared).toBe(1);
    expect(r.memory!.total.pagesSharing).toBe(19);
    expect(r.total.counters.resident).toBe(20);
    const off = await runText(csv(rows), {}, undefined);
    expect(off.host.framesInUseEnd).toBe(20);
  });

  it('evicting a shared frame swaps one copy and unmaps every sharer; a swap-in restores one mapping', async () => {
    // a0 and b0 share img; c1, c2 fill memory (2 frames) and push the shared frame out
    const text = csv([
      ['a', 'W', 0, 'img'],
      ['b', 'W', 0, 'img'],
      ['c', 'W', 1, 'x'],
      ['c', 'W', 2, 'y'],
      ['a', 'R', 0],
    ]);
    const r = await runText(text, { frames: 2, policy: 'fifo' }, memory());
    const [a, b, c] = r.vms.map((v) => v.counters);
    // c2 evicts the shared frame (FIFO: loaded first): one swap-out, both sharers unmapped
    expect(a!.swapOuts + b!.swapOuts).toBe(1);
    expect(a!.evictions + b!.evictions).toBe(2);
    // a0 comes back (a major fault) and evicts c1 (dirty: its own swap-out); b0 stays out
    expect(a!.majorFaults).toBe(1);
    expect(b!.majorFaults).toBe(0);
    expect(c!.swapOuts).toBe(1);
    expect(a!.resident).toBe(1);
    expect(b!.resident).toBe(0);
    expect(c!.resident).toBe(1);
    // two slots: the shared copy (held by a0's clean copy and by b0) and c1's
    expect(r.host.swapInUsePeak).toBe(2);
    expect(r.host.swapInUseEnd).toBe(2);
    expect(r.vms.map((v) => v.counters.swapSlots)).toEqual([1, 0, 1]);
  });
});

describe('dedup ksm', () => {
  it('converges to ideal\'s sharing on a static trace and counts the pages it scanned', async () => {
    const text = twins();
    const ideal = await runText(text, {}, memory());
    // 16 writes + 48 reads = 64 accesses: wake-ups at 10, 20, ..., 60, 3 pages each (16 resident from access 16 on)
    const ksm = await runText(text, {}, memory({ dedup: 'ksm', ksmPages: 3, ksmInterval: 10 }));
    const m = ksm.memory!;
    expect(m.ksmPagesScanned).toBe(6 * 3);
    // 18 visits over 16 pages: one full scan
    expect(m.ksmFullScans).toBe(1);
    expect(m.total.pagesShared).toBe(ideal.memory!.total.pagesShared);
    expect(m.total.pagesSharing).toBe(ideal.memory!.total.pagesSharing);
    expect(ksm.host.framesInUseEnd).toBe(8);
    // too few scans: only part of the sharing found
    const early = await runText(text, {}, memory({ dedup: 'ksm', ksmPages: 3, ksmInterval: 30 }));
    expect(early.memory!.ksmPagesScanned).toBe(2 * 3);
    expect(early.memory!.total.pagesSharing).toBeLessThan(8);
    expect(early.memory!.total.pagesSharing).toBeGreaterThan(0);
  });

  it('breaks sharing with a COW fault on write, as ideal does', async () => {
    const text = twins([['a', 'W', 0, 'new']]);
    const ksm = await runText(text, {}, memory({ dedup: 'ksm', ksmPages: 16, ksmInterval: 20 }));
    expect(ksm.memory!.total.counters.cowFaults).toBe(1);
    expect(ksm.memory!.total.pagesSharing).toBe(7);
  });
});

/** Random multi-VM traces over a few pages and contents, with frees, resets and allocations. */
const stepArb = fc.tuple(
  fc.integer({ min: 0, max: 2 }),
  fc.constantFrom(OP_READ, OP_READ, OP_WRITE, OP_WRITE, OP_WRITE, OP_FREE, OP_ALLOC, OP_RESET),
  fc.integer({ min: 0, max: 7 }),
  fc.integer({ min: 0, max: 3 }),
);

function replayAll(engine: Engine, ids: PageIds, steps: [number, number, number, number][], check: () => void): void {
  const batch = new PageBatch(1);
  for (const [vm, op, page, content] of steps) {
    engine.ensureVm(vm);
    batch.length = 1;
    batch.op[0] = op;
    batch.page[0] = op === OP_RESET ? vm : ids.id(vm, 0, page);
    batch.content[0] = content;
    engine.replay(batch);
    check();
  }
}

describe('memory model invariants', () => {
  it('without sharing or huge pages, paging equals the core engine\'s exactly', () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 1, maxLength: 150 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(Infinity, 0, 2),
        fc.constantFrom<PolicyName>('lru', 'fifo', 'clock', 'random'),
        (steps, frames, swapSlots, policy) => {
          const core = new Engine(config({ frames, swapSlots, policy }), new PageIds());
          replayAll(core, core.ids, steps, () => {});
          const modelEngine = new Engine(config({ frames, swapSlots, policy }), new PageIds());
          const model = MemoryModel.attach(modelEngine, memory({ dedup: 'off' }));
          replayAll(modelEngine, modelEngine.ids, steps, () => model.check());
          expect(modelEngine.vms).toEqual(core.vms);
          expect(modelEngine.swapUsed).toBe(core.swapUsed);
          expect(modelEngine.framesInUse).toBe(core.framesInUse);
          expect(modelEngine.oomEvents).toEqual(core.oomEvents);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('with sharing, every sharer holds the frame\'s content, ideal keeps one frame per content, and translation stays exact', () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 1, maxLength: 150 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(Infinity, 0, 3),
        fc.constantFrom<'ideal' | 'ksm'>('ideal', 'ksm'),
        fc.constantFrom<PolicyName>('lru', 'fifo', 'clock'),
        (steps, frames, swapSlots, dedup, policy) => {
          const engine = new Engine(config({ frames, swapSlots, policy }), new PageIds());
          const model = MemoryModel.attach(engine, memory({ dedup, ksmPages: 2, ksmInterval: 3 }));
          // the translation model throws when a translation yields another frame than the page's
          engine.observer = new TranslationModel(translation({ tlbEntries: 4, tlbWays: 4 }), engine);
          replayAll(engine, engine.ids, steps, () => model.check());
          let resident = 0;
          for (const c of engine.vms) resident += c.resident;
          const snap = model.snapshot(engine.vms.length);
          // every resident page is in a frame: frames in use + mappings saved = resident pages
          expect(engine.framesInUse + snap.pagesSharing).toBe(resident);
        },
      ),
      { numRuns: 150 },
    );
  });
});
