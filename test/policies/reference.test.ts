/**
 * Every policy of the registry against the naive model of test/engine/reference-model.ts on
 * random traces: several VMs, reads and writes, few pages and frames (so that evictions happen),
 * swap unlimited or a few slots (so that swap fills and OOM kills happen). All SPEC 2.4
 * counters must be equal, per VM and for the host. `random` cannot be predicted: the model
 * replays the engine's own victims and checks each one was resident and allowed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutOfMemoryError } from '../../src/errors.js';
import { POLICY_NAMES, type PolicyName } from '../../src/policies/index.js';
import { countersOf, modelByVm, outcomeByVm, rowsArb, runEngine, settingsArb, simulateRows } from '../engine/drive.js';
import { referenceSimulate, type RefPolicy, type RefRow } from '../engine/reference-model.js';

/** The model of each registered policy; a new policy fails below until it gets one. */
const MODEL: Partial<Record<string, RefPolicy>> = {
  fifo: 'fifo',
  lru: 'lru',
  lfu: 'lfu',
  clock: 'clock',
  opt: 'opt',
  random: 'forced',
  // libCacheSim's policies are held to their rules in test/policies/libcachesim.test.ts (and to
  // libCacheSim itself by scripts/vs-libcachesim.sh); here SPEC 2's swap and OOM around them.
  arc: 'forced',
  twoq: 'forced',
  slru: 'forced',
  lirs: 'forced',
  sieve: 'forced',
  s3fifo: 'forced',
  mru: 'mru',
  nru: 'nru',
  aging: 'aging',
  wsclock: 'wsclock',
  linux: 'linux',
};

const RUNS = Number(process.env.RUNS ?? 150);

function modelOf(name: PolicyName): RefPolicy {
  const m = MODEL[name];
  if (!m) throw new Error(`policy '${name}' has no model in test/policies/reference.test.ts: add one`);
  return m;
}

interface Settings {
  frames: number;
  swapSlots: number;
  strictAlloc?: boolean;
}

/** Engine (through simulate(), the whole pipeline) = model, on every counter. */
async function expectMatchesModel(name: PolicyName, rows: RefRow[], s: Settings): Promise<void> {
  const model = modelOf(name);
  if (model === 'forced') {
    const direct = runEngine(rows, { ...s, policy: name });
    expect(direct.error).toBeUndefined();
    const ref = referenceSimulate(rows, { ...s, policy: 'forced', victims: direct.victims });
    for (const r of rows) expect(countersOf(direct.engine.vms[r.vm]!), `vm${r.vm}`).toEqual(ref.vms[r.vm]);
    expect(direct.engine.framesPeak).toBe(ref.framesPeak);
    expect(direct.engine.framesInUse).toBe(ref.framesEnd);
    expect(direct.engine.swapPeak).toBe(ref.swapPeak);
    expect(direct.engine.swapUsed).toBe(ref.swapEnd);
    expect(direct.engine.oomEvents.map((e) => [e.vm, e.position])).toEqual(ref.kills.map((k) => [k.vm, k.position]));
    // The whole pipeline with the same seed makes the same choices.
    const out = await simulateRows(rows, { ...s, policy: name });
    expect(outcomeByVm(out)).toEqual(modelByVm(ref, rows));
    return;
  }
  const ref = referenceSimulate(rows, { ...s, policy: model });
  const out = await simulateRows(rows, { ...s, policy: name });
  expect(outcomeByVm(out)).toEqual(modelByVm(ref, rows));
  expect(out.host.framesInUsePeak).toBe(ref.framesPeak);
  expect(out.host.framesInUseEnd).toBe(ref.framesEnd);
  expect(out.host.swapInUsePeak).toBe(ref.swapPeak);
  expect(out.host.swapInUseEnd).toBe(ref.swapEnd);
  expect(out.total.counters.residentPeak).toBe(ref.framesPeak);
  expect(out.total.counters.swapPeak).toBe(ref.swapPeak);
  expect(out.oomEvents.map((e) => [e.name, e.position])).toEqual(ref.kills.map((k) => [`vm${k.vm}`, k.position]));
}

it('every registered policy has a reference model', () => {
  for (const name of POLICY_NAMES) expect(MODEL[name], name).toBeDefined();
});

describe.each(POLICY_NAMES)('policy %s against the reference model', (name) => {
  it('equals it on random read/write traces of 1-3 VMs, with and without swap limits', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArb({ maxVms: 3, maxPages: 7, maxLength: 60 }), settingsArb, async (rows, s) => {
        await expectMatchesModel(name, rows, s);
      }),
      { numRuns: RUNS },
    );
  });

  it('equals it with A, F and RESET rows, with and without --strict-alloc', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArb({ maxVms: 3, maxPages: 6, maxLength: 60, allocOps: true }), settingsArb, fc.boolean(), async (rows, s, strictAlloc) => {
        await expectMatchesModel(name, rows, { ...s, strictAlloc });
      }),
      { numRuns: RUNS },
    );
  });

  it('with --on-oom error stops exactly when the model runs out of memory', async () => {
    await fc.assert(
      fc.asyncProperty(
        rowsArb({ maxVms: 2, maxPages: 6, maxLength: 40 }),
        fc.record({ frames: fc.integer({ min: 1, max: 4 }), swapSlots: fc.integer({ min: 0, max: 2 }) }),
        async (rows, s) => {
          const model = modelOf(name);
          let victims: ([number, number] | null)[] | undefined;
          if (model === 'forced') victims = runEngine(rows, { ...s, policy: name, onOom: 'error' }).victims;
          const ref = referenceSimulate(rows, { ...s, policy: model, onOom: 'error', victims });
          const run = simulateRows(rows, { ...s, policy: name, onOom: 'error' });
          if (ref.oomError === undefined) await expect(run).resolves.toBeDefined();
          else await expect(run).rejects.toThrow(new RegExp(`at access ${ref.oomError + 1},`));
          if (ref.oomError !== undefined) await expect(simulateRows(rows, { ...s, policy: name, onOom: 'error' })).rejects.toBeInstanceOf(OutOfMemoryError);
        },
      ),
      { numRuns: 100 },
    );
  });
});
