/**
 * One simulation run: traces -> rows in replay order -> page accesses -> the engine, with a
 * look-ahead pass first for policies that need the future (opt). Streaming throughout: memory
 * follows the number of distinct pages, plus 4 bytes per access for opt's next-use array.
 */
import { MemoryModel } from '../memory/model.js';
import { memoryOutcome, type MemoryOutcome } from '../memory/outcome.js';
import { policies } from '../policies/index.js';
import { ContentNames } from '../trace/content.js';
import { interleave, VmRegistry } from '../trace/interleave.js';
import { createReader, type ReadOptions, type TraceReader } from '../trace/reader.js';
import type { SkipCounts } from '../trace/rows.js';
import { displayOf, type TraceSource } from '../trace/source.js';
import type { TranslationConfig } from '../translation/config.js';
import { TranslationModel } from '../translation/model.js';
import { translationOutcome, type TranslationOutcome } from '../translation/outcome.js';
import type { EngineConfig } from './config.js';
import { Engine, type OomEvent } from './engine.js';
import { PageExpander, type PageBatch } from './expand.js';
import { PageIds } from './page-ids.js';
import { NextUseBuilder } from './page-trace.js';
import { VmCounters } from './stats.js';

export interface SimulationInput {
  sources: TraceSource[];
  read: ReadOptions;
  config: EngineConfig;
  /** the address-translation model (--translation); none when undefined */
  translation?: TranslationConfig;
}

export interface VmOutcome {
  name: string;
  counters: VmCounters;
  /** effective access time, ns (SPEC 2.5) */
  eatNs: number;
}

export interface HostOutcome {
  frames: number;
  pageSize: number;
  framesInUseEnd: number;
  framesInUsePeak: number;
  /** frames in use averaged over accesses */
  framesInUseAvg: number;
  /** framesInUseAvg / frames */
  utilisation: number;
  swapSlots: number;
  swapInUseEnd: number;
  swapInUsePeak: number;
  distinctPages: number;
}

export interface SimulationOutcome {
  config: EngineConfig;
  /** in output order: command line, then first appearance in each file */
  vms: VmOutcome[];
  total: VmOutcome;
  host: HostOutcome;
  skipped: { file: string; counts: SkipCounts }[];
  oomEvents: (OomEvent & { name: string })[];
  /** with --translation: per mode; eatNs above is then the first mode's */
  translation?: TranslationOutcome;
  /** with --dedup, --host-page or --compaction: sharing, allocator and huge-page figures */
  memory?: MemoryOutcome;
}

async function passOver(
  readers: TraceReader[],
  registry: VmRegistry,
  expander: PageExpander,
): Promise<void> {
  for await (const rows of interleave(readers, registry)) {
    expander.rows(rows);
  }
  expander.flush();
}

/** The look-ahead pass of opt over the sources (read again for the replay). */
async function lookAhead(input: SimulationInput, ids: PageIds, registry: VmRegistry): Promise<Int32Array> {
  const builder = new NextUseBuilder();
  const expander = new PageExpander(
    input.config.pageSize,
    ids,
    (batch: PageBatch) => builder.add(batch.op, batch.page, batch.length, ids.count),
    displayOf(input.sources),
  );
  const readers = input.sources.map((s) => createReader(s, { ...input.read, contents: new ContentNames() }));
  await passOver(readers, registry, expander);
  return builder.result();
}

export async function simulate(input: SimulationInput): Promise<SimulationOutcome> {
  const { config } = input;
  const ids = new PageIds();
  const registry = new VmRegistry();
  let nextUse: Int32Array | undefined;
  if (policies[config.policy].needsFuture) {
    for (const s of input.sources) s.retain();
    nextUse = await lookAhead(input, ids, registry);
  }
  const engine = new Engine(config, ids, nextUse);
  engine.vmNames = registry.names;
  const memory = config.memory ? MemoryModel.attach(engine, config.memory) : null;
  const translation = input.translation ? new TranslationModel(input.translation, engine) : null;
  engine.observer = translation;
  // One interner for the run: equal tokens in different traces are the same content.
  const contents = new ContentNames();
  const readers = input.sources.map((s) => createReader(s, { ...input.read, contents }));
  const expander = new PageExpander(
    config.pageSize,
    ids,
    (batch) => {
      engine.ensureVm(registry.names.length - 1);
      engine.replay(batch);
    },
    displayOf(input.sources),
  );
  await passOver(readers, registry, expander);
  engine.ensureVm(registry.names.length - 1);
  return outcome(engine, registry, readers, translation, memory);
}

/** Total cost of a VM's accesses in ns, without translation (SPEC 2.5). */
function cost(c: VmCounters, config: EngineConfig): number {
  const l = config.latency;
  return c.hits * l.hitNs + c.minorFaults * l.minorNs + c.majorFaults * l.majorNs + c.swapOutWaits * l.swapoutNs;
}

function eat(c: VmCounters, config: EngineConfig): number {
  return c.accesses === 0 ? 0 : cost(c, config) / c.accesses;
}

function outcome(engine: Engine, registry: VmRegistry, readers: TraceReader[], model: TranslationModel | null, memory: MemoryModel | null): SimulationOutcome {
  const config = engine.config;
  const order = registry.outputOrder();
  const vms = order.map((v) => ({ name: registry.names[v]!, counters: engine.vms[v]!, eatNs: eat(engine.vms[v]!, config) }));
  const total = new VmCounters();
  for (const key of Object.keys(total) as (keyof VmCounters)[]) {
    let sum = 0;
    for (const v of engine.vms) sum += v[key];
    total[key] = sum;
  }
  // Host-wide peaks are not sums of per-VM peaks.
  total.residentPeak = engine.framesPeak;
  total.swapPeak = engine.swapPeak;
  const accesses = total.accesses;
  const totalOutcome = { name: 'TOTAL', counters: total, eatNs: eat(total, config) };
  let translation: TranslationOutcome | undefined;
  if (model !== null) {
    const costs = order.map((v, i) => ({ ...vms[i]!, vm: v }));
    translation = translationOutcome(model, config.pageSize, config.latency, costs, { ...totalOutcome, vm: -1 }, (c) => cost(c, config));
    // eat_ns includes the cost of translation (the first mode's when several are compared).
    vms.forEach((o, i) => (o.eatNs = translation!.modes[0]!.vms[i]!.eatNs));
    totalOutcome.eatNs = translation.modes[0]!.total.eatNs;
  }
  return {
    config,
    vms,
    total: totalOutcome,
    host: {
      frames: config.frames,
      pageSize: config.pageSize,
      framesInUseEnd: engine.framesInUse,
      framesInUsePeak: engine.framesPeak,
      framesInUseAvg: accesses ? engine.framesInUseSum / accesses : 0,
      utilisation: accesses ? engine.framesInUseSum / accesses / config.frames : 0,
      swapSlots: config.swapSlots,
      swapInUseEnd: engine.swapUsed,
      swapInUsePeak: engine.swapPeak,
      distinctPages: engine.ids.count,
    },
    skipped: readers.map((r) => ({ file: r.source.display, counts: r.skipped })),
    oomEvents: engine.oomEvents.map((e) => ({ ...e, name: registry.names[e.vm]! })),
    translation,
    memory: memory === null ? undefined : memoryOutcome(memory, order, registry.names, engine),
  };
}
