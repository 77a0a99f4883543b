/**
 * One simulation run: traces -> rows in replay order -> page accesses -> the engine, with a
 * look-ahead pass first for policies that need the future (opt). Streaming throughout: memory
 * follows the number of distinct pages, plus 4 bytes per access for opt's next-use array.
 */
import { ConfigError, nameList } from '../errors.js';
import { MemoryModel } from '../memory/model.js';
import { memoryOutcome, type MemoryOutcome } from '../memory/outcome.js';
import { policies } from '../policies/index.js';
import { schedulers } from '../schedulers/index.js';
import type { VmParams } from '../schedulers/scheduler.js';
import { jainIndex } from '../schedulers/shares.js';
import { ContentNames } from '../trace/content.js';
import { interleave, VmRegistry } from '../trace/interleave.js';
import { createReader, type ReadOptions, type TraceReader } from '../trace/reader.js';
import type { SkipCounts } from '../trace/rows.js';
import type { SelectedReader } from '../trace/select.js';
import { displayOf, type TraceSource } from '../trace/source.js';
import type { TranslationConfig } from '../translation/config.js';
import { TranslationModel } from '../translation/model.js';
import { translationOutcome, type TranslationOutcome } from '../translation/outcome.js';
import type { EngineConfig } from '../engine/config.js';
import { Engine, type OomEvent } from '../engine/engine.js';
import { IntervalRecorder, type IntervalSeries } from './intervals.js';
import { PageExpander, type PageBatch } from '../pages/expand.js';
import { feedPages } from './feed.js';
import { PageIds } from '../pages/page-ids.js';
import { NextUseBuilder } from './page-trace.js';
import { VmCounters } from '../engine/stats.js';
import type { LevelsOutcome } from '../engine/two-level.js';

export interface SimulationInput {
  sources: TraceSource[];
  read: ReadOptions;
  config: EngineConfig;
  /** the address-translation model (--translation); none when undefined */
  translation?: TranslationConfig;
  /** --interval N: a time series sample every N accesses */
  interval?: number;
  /** without `interval`: record a time series with an adaptive interval (for a plot) */
  series?: boolean;
  /** told the rows read so far once per batch, and the pass (look-ahead, replay): for a progress bar */
  progress?: PassProgress;
}

export interface PassProgress {
  pass(name: string): void;
  update(rowsDone: number): void;
}

export interface VmOutcome {
  name: string;
  counters: VmCounters;
  /** effective access time, ns (SPEC 2.5) */
  eatNs: number;
  /** scheduling parameters (per VM rows only) */
  params?: VmParams;
  /** frames it is entitled to at the end (see Scheduler.entitlements) */
  entitlement?: number;
}

/** The time series, per VM in output order. */
export interface SeriesOutcome extends IntervalSeries {
  /** VM names; faults[i] etc. belong to names[i] */
  names: string[];
  /** recorded for a plot with an adaptive interval, not asked for with --interval */
  adaptive: boolean;
  /** two levels: per VM and sample, backed guest frames and balloon size at the sample */
  levels?: { backed: number[][]; balloon: number[][] };
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
  /** with a scheduler other than global or declared VMs: Jain's fairness index of resident / entitlement */
  scheduling: { jainIndex: number } | null;
  series: SeriesOutcome | null;
  /** two levels (SPEC 2.7, `memory=`): the host level's figures per VM and in total */
  levels?: LevelsOutcome;
}

export async function passOver(
  readers: TraceReader[],
  registry: VmRegistry,
  expander: PageExpander,
  progress?: PassProgress,
): Promise<void> {
  await feedPages(readers, registry, expander, progress ? (rows) => progress.update(rows) : undefined);
}

/** The look-ahead pass of opt over the sources (read again for the replay). */
export async function lookAhead(input: SimulationInput, ids: PageIds, registry: VmRegistry): Promise<Int32Array> {
  const builder = new NextUseBuilder();
  const expander = new PageExpander(
    input.config.pageSize,
    ids,
    (batch: PageBatch) => builder.add(batch.op, batch.page, batch.length, ids.count),
    displayOf(input.sources),
  );
  const readers = input.sources.map((s) => createReader(s, { ...input.read, contents: new ContentNames() }));
  input.progress?.pass('look-ahead');
  await passOver(readers, registry, expander, input.progress);
  return builder.result();
}

/** A pass that only learns the VMs' names (static partitions need them all before the replay). */
export async function discoverVms(input: SimulationInput, registry: VmRegistry): Promise<TraceReader[]> {
  const readers = input.sources.map((s) => createReader(s, { ...input.read, contents: new ContentNames() }));
  for await (const rows of interleave(readers, registry)) void rows;
  return readers;
}

/**
 * Every declared VM must come from a trace: its own (`trace=`), from which no other trace may
 * also yield it, or one of the TRACE arguments.
 */
export function checkDeclaredVms(config: EngineConfig, registry: VmRegistry, readers: TraceReader[]): void {
  const seen = new Set(registry.names);
  for (const spec of config.vms ?? []) {
    if (spec.trace !== undefined) {
      const own = readers.find((r) => r.source.onlyVm === spec.name) as SelectedReader | undefined;
      const other = readers.find((r) => r.source.onlyVm !== spec.name && r.vmNames.includes(spec.name));
      if (other) {
        throw new ConfigError(`${spec.origin}.name: VM '${spec.name}' comes from its trace ${spec.trace} and also from ${other.source.display}: rename one`);
      }
      if (own && !seen.has(spec.name)) {
        const names = own.available.filter((n) => n !== spec.name);
        throw new ConfigError(
          names.length > 0
            ? `${spec.origin}.trace: ${spec.trace} has no VM '${spec.name}' (its rows name ${nameList(names)})`
            : `${spec.origin}.trace: ${spec.trace} has no accesses`,
        );
      }
    }
    if (!seen.has(spec.name)) {
      const names = nameList(registry.names);
      throw new ConfigError(
        `${spec.origin}.name: no trace yields a VM named '${spec.name}' (the traces have ${names || 'no VMs'}); give it trace=FILE`,
      );
    }
  }
}

export async function simulate(input: SimulationInput): Promise<SimulationOutcome> {
  const { config } = input;
  if (config.twoLevel) throw new Error('two levels of memory replay through simulateTwoLevel (two-level-run.ts)');
  const ids = new PageIds();
  const registry = new VmRegistry();
  let nextUse: Int32Array | undefined;
  const needsFuture = policies[config.policy].needsFuture;
  // csv rows name their VMs as they come: static partitions need a pass to learn them all first
  const discover = schedulers[config.scheduler].needsAllVms && !needsFuture && input.sources.some((s) => s.format === 'csv');
  if (needsFuture || discover) for (const s of input.sources) s.retain();
  if (needsFuture) nextUse = await lookAhead(input, ids, registry);
  else if (discover) checkDeclaredVms(config, registry, await discoverVms(input, registry));
  const engine = new Engine(config, ids, nextUse);
  engine.vmNames = registry.names;
  if (registry.names.length > 0) engine.ensureVm(registry.names.length - 1);
  const memory = config.memory ? MemoryModel.attach(engine, config.memory) : null;
  const recorder =
    input.interval !== undefined ? new IntervalRecorder(engine, input.interval) : input.series ? new IntervalRecorder(engine, 64, 512) : null;
  const translation = input.translation ? new TranslationModel(input.translation, engine) : null;
  engine.observer = translation;
  // Which frame holds which page matters to translation and to the memory model only.
  engine.trackFrames = translation !== null || memory !== null;
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
  if (nextUse) input.progress?.pass('replay');
  await passOver(readers, registry, expander, input.progress);
  engine.ensureVm(registry.names.length - 1);
  checkDeclaredVms(config, registry, readers);
  return outcome(engine, registry, readers, translation, memory, recorder, input);
}

/** Total cost of a VM's accesses in ns, without translation (SPEC 2.5). */
export function cost(c: VmCounters, config: EngineConfig): number {
  const l = config.latency;
  return c.hits * l.hitNs + c.minorFaults * l.minorNs + c.majorFaults * l.majorNs + c.swapOutWaits * l.swapoutNs;
}

/** Effective access time, ns (SPEC 2.5): total cost / accesses (without translation). */
export function eat(c: VmCounters, config: EngineConfig): number {
  return c.accesses === 0 ? 0 : cost(c, config) / c.accesses;
}

function outcome(
  engine: Engine,
  registry: VmRegistry,
  readers: TraceReader[],
  model: TranslationModel | null,
  memory: MemoryModel | null,
  recorder: IntervalRecorder | null,
  input: SimulationInput,
): SimulationOutcome {
  const config = engine.config;
  const order = registry.outputOrder().filter((v) => v < engine.vms.length);
  const entitlements = engine.scheduler.entitlements();
  const vms: VmOutcome[] = order.map((v) => ({
    name: registry.names[v]!,
    counters: engine.vms[v]!,
    eatNs: eat(engine.vms[v]!, config),
    params: engine.vmParams[v],
    entitlement: entitlements[v] ?? 0,
  }));
  const entitled = vms.filter((v) => v.entitlement! > 0);
  const scheduling =
    config.scheduler !== 'global' || config.vms !== undefined
      ? { jainIndex: jainIndex(entitled.map((v) => v.counters.resident / v.entitlement!)) }
      : null;
  let series: SeriesOutcome | null = null;
  if (recorder) {
    const s = recorder.finish();
    const pick = (a: number[][]): number[][] => order.map((v) => a[v] ?? new Array<number>(s.t.length).fill(0));
    series = {
      every: s.every,
      adaptive: input.interval === undefined,
      t: s.t,
      names: order.map((v) => registry.names[v]!),
      faults: pick(s.faults),
      swapIns: pick(s.swapIns),
      swapOuts: pick(s.swapOuts),
      resident: pick(s.resident),
      ...(s.target ? { target: pick(s.target) } : {}),
      ...(s.memory
        ? {
            memory: {
              ...s.memory,
              pagesShared: pick(s.memory.pagesShared),
              pagesSharing: pick(s.memory.pagesSharing),
              cowFaults: pick(s.memory.cowFaults),
              hugePages: pick(s.memory.hugePages),
              hugeFallbacks: pick(s.memory.hugeFallbacks),
              compactionMoves: pick(s.memory.compactionMoves),
            },
          }
        : {}),
    };
  }
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
    scheduling,
    series,
  };
}
