/**
 * Runs the engine on model rows (test/engine/reference-model.ts) two ways: the whole pipeline
 * (a CSV trace with a vm column through simulate()), and the Engine alone on a PageBatch with
 * an observer and a recorder of the victims it picks.
 */
import fc from 'fast-check';
import { Engine, type EngineObserver } from '../../src/engine/engine.js';
import { PageBatch } from '../../src/pages/expand.js';
import { nextUseOf } from '../../src/run/page-trace.js';
import { PageIds } from '../../src/pages/page-ids.js';
import { simulate, type SimulationOutcome } from '../../src/run/simulate.js';
import type { VmCounters } from '../../src/engine/stats.js';
import type { VmSpec } from '../../src/engine/config.js';
import { policies, type PolicyName } from '../../src/policies/index.js';
import type { SchedulerName } from '../../src/schedulers/index.js';
import type { IdleTaxOptions } from '../../src/schedulers/scheduler.js';
import type { PolicyOptions } from '../../src/policies/policy.js';
import { OP_ALLOC, OP_FREE, OP_READ, OP_RESET, OP_WRITE } from '../../src/trace/rows.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { config, textSource } from '../helpers.js';
import type { RefCounters, RefResult, RefRow } from './reference-model.js';

export const vmName = (v: number): string => `vm${v}`;

/** The rows as a CSV trace with a vm column (page size 1: the address is the page number). */
export function csvOf(rows: readonly RefRow[]): string {
  return 'vm,op,addr\n' + rows.map((r) => `${vmName(r.vm)},${r.op},${r.page}`).join('\n') + '\n';
}

export interface EngineSettings {
  frames: number;
  swapSlots: number;
  policy: PolicyName;
  seed?: number;
  onOom?: 'kill' | 'error';
  strictAlloc?: boolean;
  /** default global */
  scheduler?: SchedulerName;
  /** parameters of VMs vm0, vm1, ... (by name: see vmName) */
  vms?: VmSpec[];
  idleTax?: IdleTaxOptions | null;
  /** --tick, --aging-bits, --tau */
  policyOptions?: PolicyOptions;
  /** Engine.trackFrames (default true: the frame table the checks read) */
  trackFrames?: boolean;
}

export async function simulateRows(rows: readonly RefRow[], s: EngineSettings): Promise<SimulationOutcome> {
  return simulate({
    sources: [textSource(csvOf(rows), 'csv', 'trace')],
    read: DEFAULT_READ_OPTIONS,
    config: config({ pageSize: 1, seed: 1, ...s }),
  });
}

const OPS = { R: OP_READ, W: OP_WRITE, A: OP_ALLOC, F: OP_FREE, RESET: OP_RESET } as const;

export interface DirectRun {
  engine: Engine;
  ids: PageIds;
  /** the victims the scheduler named, as [vm, page], null where it found none */
  victims: ([number, number] | null)[];
  /** per victim named: was it in a frame (engine.frameOwner) when named */
  victimsResident: boolean[];
  /** the error the replay threw, if any */
  error?: unknown;
}

/** The Engine alone: rows -> one PageBatch (VM index = the rows' vm), replayed with `observer`. */
export function runEngine(rows: readonly RefRow[], s: EngineSettings, observer?: (engine: Engine) => EngineObserver): DirectRun {
  const ids = new PageIds();
  const batch = new PageBatch(Math.max(1, rows.length));
  let maxVm = 0;
  for (const r of rows) {
    batch.op[batch.length] = OPS[r.op];
    batch.page[batch.length++] = r.op === 'RESET' ? r.vm : ids.id(r.vm, 0, r.page);
    maxVm = Math.max(maxVm, r.vm);
  }
  const nextUse = policies[s.policy].needsFuture ? nextUseOf(batch, ids.count) : undefined;
  const { trackFrames = true, ...settings } = s;
  const engine = new Engine(config({ pageSize: 1, seed: 1, ...settings }), ids, nextUse);
  engine.trackFrames = trackFrames;
  engine.vmNames = Array.from({ length: maxVm + 1 }, (_, v) => vmName(v));
  engine.ensureVm(maxVm);
  const victims: ([number, number] | null)[] = [];
  const victimsResident: boolean[] = [];
  const scheduler = engine.scheduler;
  const pick = scheduler.victim.bind(scheduler);
  scheduler.victim = (vm, accept) => {
    const q = pick(vm, accept);
    victims.push(q < 0 ? null : [ids.vmOf[q]!, ids.loOf[q]!]);
    if (q >= 0) victimsResident.push(engine.frameOwner.includes(q));
    return q;
  };
  if (observer) engine.observer = observer(engine);
  let error: unknown;
  try {
    engine.replay(batch);
  } catch (err) {
    error = err;
  }
  return { engine, ids, victims, victimsResident, error };
}

/** The counters SPEC 2.4 names, from the engine's VmCounters, in the model's shape. */
export function countersOf(c: VmCounters): RefCounters {
  return {
    accesses: c.accesses,
    reads: c.reads,
    writes: c.writes,
    hits: c.hits,
    faults: c.faults,
    minorFaults: c.minorFaults,
    majorFaults: c.majorFaults,
    swapIns: c.swapIns,
    swapOuts: c.swapOuts,
    evictions: c.evictions,
    stolen: c.stolen,
    resident: c.resident,
    residentPeak: c.residentPeak,
    swapSlots: c.swapSlots,
    swapPeak: c.swapPeak,
    oomKills: c.oomKills,
    invalid: c.invalid,
    oomSkipped: c.oomSkipped,
  };
}

/** simulate()'s outcome keyed by VM number (names vm0, vm1, ...), for comparison with the model. */
export function outcomeByVm(out: SimulationOutcome): Record<number, RefCounters> {
  const byVm: Record<number, RefCounters> = {};
  for (const v of out.vms) byVm[Number(v.name.slice(2))] = countersOf(v.counters);
  return byVm;
}

/** The model's counters of the VMs that appear in `rows`, keyed by VM number. */
export function modelByVm(ref: RefResult, rows: readonly RefRow[]): Record<number, RefCounters> {
  const byVm: Record<number, RefCounters> = {};
  for (const r of rows) byVm[r.vm] = ref.vms[r.vm]!;
  return byVm;
}

/** Random rows: `vms` VMs with `pages` pages each, reads and writes (and, if asked, A/F/RESET). */
export function rowsArb(opts: { maxVms: number; maxPages: number; maxLength: number; allocOps?: boolean }): fc.Arbitrary<RefRow[]> {
  const op: fc.Arbitrary<RefRow['op']> = opts.allocOps
    ? fc.constantFrom<RefRow['op']>('R', 'R', 'R', 'W', 'W', 'W', 'A', 'F', 'RESET')
    : fc.constantFrom<RefRow['op']>('R', 'W');
  return fc
    .tuple(fc.integer({ min: 1, max: opts.maxVms }), fc.integer({ min: 1, max: opts.maxPages }))
    .chain(([vms, pages]) =>
      fc.array(
        fc.record({ vm: fc.integer({ min: 0, max: vms - 1 }), page: fc.integer({ min: 0, max: pages - 1 }), op }),
        { minLength: 1, maxLength: opts.maxLength, size: 'max' },
      ),
    );
}

/** frames 1-5, swap unlimited or 0-4 slots */
export const settingsArb = fc.record({
  frames: fc.integer({ min: 1, max: 5 }),
  swapSlots: fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 4 })),
});
