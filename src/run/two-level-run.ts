/**
 * One simulation run with two levels of memory (SPEC 2.7): the traces' pages go to the guests of
 * a TwoLevel (two-level.ts) instead of the engine; the outcome is simulate()'s, its counters the
 * guest level's (SPEC 3.1), with the host level's figures in `levels`.
 */
import { ConfigError } from '../errors.js';
import { policies } from '../policies/index.js';
import { schedulers } from '../schedulers/index.js';
import { jainIndex } from '../schedulers/shares.js';
import { ContentNames } from '../trace/content.js';
import { VmRegistry } from '../trace/interleave.js';
import { createReader } from '../trace/reader.js';
import { displayOf } from '../trace/source.js';
import type { EngineConfig } from '../engine/config.js';
import { PageExpander } from '../pages/expand.js';
import { PageIds } from '../pages/page-ids.js';
import { checkDeclaredVms, cost, discoverVms, lookAhead, passOver, type SeriesOutcome, type SimulationInput, type SimulationOutcome, type VmOutcome } from './simulate.js';
import { VmCounters } from '../engine/stats.js';
import { memoryOutcome } from '../memory/outcome.js';
import { MemorySampler } from './intervals.js';
import { hostChoicesUnseen, hostRecorder, TwoLevel, type Guest, type HostLookAhead, type LevelsOutcome, type VmLevels } from '../engine/two-level.js';

export async function simulateTwoLevel(input: SimulationInput): Promise<SimulationOutcome> {
  const { config } = input;
  if (input.translation) {
    // SPEC 2.3 and 2.7 do not say what these counters mean at two levels (docs/two-levels.md)
    throw new ConfigError(
      '--translation with two levels of memory (memory=, --guest-memory) is not defined: SPEC 2.3 maps a guest-virtual page to a guest-physical page once, at its first touch, ' +
        "where at two levels (2.7) the guest pager moves pages between guest frames on every guest fault, and 2.3's remap (a page back from swap in another frame) does not say which of the two swaps counts",
    );
  }
  if (config.memory && (config.memory.hugeOrder > 0 || config.memory.compaction)) {
    throw new ConfigError('two levels of memory (memory=, --guest-memory) do not combine with --host-page or --compaction yet');
  }
  const two = config.twoLevel!;
  const hostNeedsFuture = policies[config.policy].needsFuture;
  if (hostNeedsFuture && !hostChoicesUnseen(two.reclaim)) {
    throw new ConfigError(
      `--policy ${config.policy}: the host level can look ahead only with --reclaim swap (or share,swap): with ${two.reclaim.join(',')} the guests' accesses depend on the host's choices (balloon, compression), so the host's future is not known before the run; use ${config.policy} as guest_policy`,
    );
  }
  const ids = new PageIds();
  const registry = new VmRegistry();
  let nextUse: Int32Array | undefined;
  const needsFuture = [two.defaults, ...two.perVm.values()].some((g) => policies[g.policy].needsFuture);
  const discover = schedulers[config.scheduler].needsAllVms && !needsFuture && !hostNeedsFuture && input.sources.some((s) => s.format === 'csv');
  if (needsFuture || hostNeedsFuture || discover) for (const s of input.sources) s.retain();
  if (needsFuture) nextUse = await lookAhead(input, ids, registry);
  else if (discover) checkDeclaredVms(config, registry, await discoverVms(input, registry));
  let hostFuture: HostLookAhead | undefined;
  if (hostNeedsFuture) {
    input.progress?.pass('host look-ahead');
    const first = hostRecorder(config, ids, nextUse);
    first.run.vmNames = registry.names;
    const firstReaders = input.sources.map((s) => createReader(s, { ...input.read, contents: new ContentNames() }));
    await passOver(firstReaders, registry, expanderFor(input, ids, registry, first.run), input.progress);
    hostFuture = first.finish();
  }
  const run = new TwoLevel(config, ids, nextUse, hostFuture);
  run.vmNames = registry.names;
  if (registry.names.length > 0) run.ensureVm(registry.names.length - 1);
  const recorder = input.interval !== undefined ? new LevelRecorder(run, input.interval) : null;
  const contents = new ContentNames();
  const readers = input.sources.map((s) => createReader(s, { ...input.read, contents }));
  const expander = expanderFor(input, ids, registry, run);
  if (nextUse || hostFuture) input.progress?.pass('replay');
  await passOver(readers, registry, expander, input.progress);
  run.ensureVm(registry.names.length - 1);
  checkDeclaredVms(config, registry, readers);

  const order = registry.outputOrder().filter((v) => v < run.guests.length);
  const host = run.host;
  const entitlements = host.scheduler.entitlements();
  const levelOf = (v: number): VmLevels => vmLevels(run, v);
  const vms: VmOutcome[] = order.map((v) => ({
    name: registry.names[v]!,
    counters: run.guests[v]!.counters,
    eatNs: twoLevelEat(run.guests[v]!.counters, host.vms[v]!, levelOf(v), config),
    params: host.vmParams[v],
    entitlement: entitlements[v] ?? 0,
  }));
  const entitled = vms.filter((v) => v.entitlement! > 0);
  const scheduling =
    config.scheduler !== 'global' || config.vms !== undefined
      ? { jainIndex: jainIndex(entitled.map((v, i) => host.vms[order[i]!]!.resident / v.entitlement!)) }
      : null;
  const total = sumCounters(run.guests.map((g) => g.counters));
  total.residentPeak = run.residentTotalPeak;
  total.swapPeak = run.swapTotalPeak;
  const hostTotal = sumCounters(host.vms);
  const levels: LevelsOutcome = {
    reclaim: two.reclaim,
    freePageReporting: two.freePageReporting,
    vms: order.map(levelOf),
    total: totalLevels(run, order.map(levelOf)),
    guests: order.map((v) => run.guests[v]!.settings),
  };
  const accesses = host.position;
  return {
    config,
    vms,
    total: { name: 'TOTAL', counters: total, eatNs: twoLevelEat(total, hostTotal, levels.total, config) },
    host: {
      frames: config.frames,
      pageSize: config.pageSize,
      framesInUseEnd: host.framesInUse,
      framesInUsePeak: host.framesPeak,
      framesInUseAvg: accesses ? host.framesInUseSum / accesses : 0,
      utilisation: accesses ? host.framesInUseSum / accesses / config.frames : 0,
      swapSlots: config.swapSlots,
      swapInUseEnd: host.swapUsed,
      swapInUsePeak: host.swapPeak,
      distinctPages: ids.count,
    },
    skipped: readers.map((r) => ({ file: r.source.display, counts: r.skipped })),
    oomEvents: run.oomEvents.map((e) => ({ vm: e.vm, position: e.position, framesFreed: e.framesFreed, cause: e.cause, name: registry.names[e.vm]! })),
    scheduling,
    series: recorder ? recorder.finish(order, registry.names) : null,
    levels,
    memory: run.model === null ? undefined : memoryOutcome(run.model, order, registry.names, host),
  };
}

/** Pages of the sources, numbered in `ids`, replayed by two-level run `run`. */
function expanderFor(input: SimulationInput, ids: PageIds, registry: VmRegistry, run: TwoLevel): PageExpander {
  return new PageExpander(
    input.config.pageSize,
    ids,
    (batch) => {
      run.ensureVm(registry.names.length - 1);
      run.replay(batch);
    },
    displayOf(input.sources),
  );
}

function sumCounters(all: readonly VmCounters[]): VmCounters {
  const total = new VmCounters();
  for (const key of Object.keys(total) as (keyof VmCounters)[]) {
    let sum = 0;
    for (const c of all) sum += c[key];
    total[key] = sum;
  }
  return total;
}

function vmLevels(run: TwoLevel, v: number): VmLevels {
  const g: Guest = run.guests[v]!;
  const h = run.host.vms[v]!;
  const l = g.level;
  return {
    guestFrames: g.frames,
    hostFaults: h.faults,
    hostMinorFaults: h.minorFaults - l.decompressions,
    hostMajorFaults: h.majorFaults,
    hostSwapIns: h.swapIns,
    hostSwapOuts: h.swapOuts,
    hostHits: h.hits,
    hostTouches: h.accesses + h.oomSkipped,
    backedEnd: h.resident,
    backedPeak: h.residentPeak,
    balloonEnd: g.balloon,
    balloonPeak: l.balloonPeak,
    balloonInflations: l.balloonInflations,
    balloonDeflations: l.balloonDeflations,
    compressedEnd: g.compressed,
    compressedPeak: l.compressedPeak,
    compressions: l.compressions,
    decompressions: l.decompressions,
    cacheFramesEnd: g.cacheFrames,
    doublePaging: l.doublePaging,
    falseReads: l.falseReads,
    freedSwapOuts: l.freedSwapOuts,
    shareReclaims: l.shareReclaims,
    guestSwapEnd: g.swapUsed,
    hostSwapEnd: h.swapSlots,
  };
}

const LEVEL_KEYS: readonly (keyof VmLevels)[] = [
  'guestFrames', 'hostFaults', 'hostMinorFaults', 'hostMajorFaults', 'hostSwapIns', 'hostSwapOuts', 'hostHits', 'hostTouches',
  'backedEnd', 'backedPeak', 'balloonEnd', 'balloonPeak', 'balloonInflations', 'balloonDeflations', 'compressedEnd',
  'compressedPeak', 'compressions', 'decompressions', 'cacheFramesEnd', 'doublePaging', 'falseReads', 'freedSwapOuts', 'shareReclaims',
  'guestSwapEnd', 'hostSwapEnd',
];

/** Sums, except the peaks, which are host-wide (backed: the host's frames in use) or sums of per-VM peaks (balloon, compressed). */
function totalLevels(run: TwoLevel, vms: VmLevels[]): VmLevels {
  const total = {} as Record<keyof VmLevels, number>;
  for (const key of LEVEL_KEYS) total[key] = vms.reduce((sum, l) => sum + l[key], 0);
  total.backedPeak = run.host.framesPeak;
  return total;
}

/**
 * EAT with two levels (SPEC 2.5, 2.7): the guest's cost (hits, guest faults, guest swap-outs
 * waited for) plus the host's (host minor and major faults, host swap-outs waited for,
 * decompressions), per guest access.
 */
export function twoLevelEat(guest: VmCounters, hostCounters: VmCounters, level: VmLevels, config: EngineConfig): number {
  if (guest.accesses === 0) return 0;
  const l = config.latency;
  const hostCost =
    level.hostMinorFaults * l.minorNs + level.hostMajorFaults * l.majorNs + hostCounters.swapOutWaits * l.swapoutNs + level.decompressions * config.twoLevel!.decompressNs;
  return (cost(guest, config) + hostCost) / guest.accesses;
}

/** --interval with two levels: a fixed interval; guest faults, swap I/O and resident pages, host backed frames and balloon. */
class LevelRecorder {
  private readonly t: number[] = [];
  private readonly rows: { faults: number[]; swapIns: number[]; swapOuts: number[]; resident: number[]; backed: number[]; balloon: number[] }[] = [];
  private readonly last: { faults: number; swapIns: number; swapOuts: number }[] = [];
  private readonly targets: number[][] = [];
  /** --dedup at the host: the memory model's figures (no huge pages with two levels) */
  private readonly memory: MemorySampler | null;

  constructor(
    private readonly run: TwoLevel,
    private readonly every: number,
  ) {
    this.memory = run.model !== null ? new MemorySampler(true, false) : null;
    run.nextSample = run.position + every;
    run.onSample = () => this.sample();
  }

  private sample(): void {
    const n = this.t.length;
    const run = this.run;
    for (let v = 0; v < run.guests.length; v++) {
      if (this.rows.length <= v) {
        const zeros = (): number[] => new Array<number>(n).fill(0);
        this.rows.push({ faults: zeros(), swapIns: zeros(), swapOuts: zeros(), resident: zeros(), backed: zeros(), balloon: zeros() });
        this.last.push({ faults: 0, swapIns: 0, swapOuts: 0 });
      }
      const g = run.guests[v]!;
      const c = g.counters;
      const r = this.rows[v]!;
      const last = this.last[v]!;
      r.faults.push(c.faults - last.faults);
      r.swapIns.push(c.swapIns - last.swapIns);
      r.swapOuts.push(c.swapOuts - last.swapOuts);
      r.resident.push(c.resident);
      r.backed.push(run.host.vms[v]!.resident);
      r.balloon.push(g.balloon);
      last.faults = c.faults;
      last.swapIns = c.swapIns;
      last.swapOuts = c.swapOuts;
    }
    if (this.memory !== null) this.memory.sample(run.model!, run.guests.length, n, null);
    // `balance`: each VM's target host frames at the sample, as the one-level series has them
    const targets = run.host.scheduler.targets?.();
    if (targets) {
      for (let v = 0; v < run.guests.length; v++) {
        if (this.targets.length <= v) this.targets.push(new Array<number>(n).fill(0));
        this.targets[v]!.push(targets[v] ?? 0);
      }
    }
    this.t.push(run.position);
    run.nextSample = run.position + this.every;
  }

  finish(order: number[], names: readonly string[]): SeriesOutcome {
    const last = this.t.length > 0 ? this.t[this.t.length - 1]! : 0;
    if (this.run.position > last) this.sample();
    this.run.onSample = null;
    this.run.nextSample = Infinity;
    const zeros = (): number[] => new Array<number>(this.t.length).fill(0);
    const pick = (key: 'faults' | 'swapIns' | 'swapOuts' | 'resident' | 'backed' | 'balloon'): number[][] => order.map((v) => this.rows[v]?.[key] ?? zeros());
    const m = this.memory?.series;
    const inOrder = (a: number[][]): number[][] => order.map((v) => a[v] ?? zeros());
    return {
      every: this.every,
      adaptive: false,
      t: this.t,
      names: order.map((v) => names[v]!),
      faults: pick('faults'),
      swapIns: pick('swapIns'),
      swapOuts: pick('swapOuts'),
      resident: pick('resident'),
      levels: { backed: pick('backed'), balloon: pick('balloon') },
      // in the VMs' order, as the one-level outcome picks them (a VM never sampled: zeros)
      ...(m !== undefined
        ? {
            memory: {
              ...m,
              pagesShared: inOrder(m.pagesShared),
              pagesSharing: inOrder(m.pagesSharing),
              cowFaults: inOrder(m.cowFaults),
              hugePages: inOrder(m.hugePages),
              hugeFallbacks: inOrder(m.hugeFallbacks),
              compactionMoves: inOrder(m.compactionMoves),
            },
          }
        : {}),
      ...(this.targets.length > 0 ? { target: order.map((v) => this.targets[v] ?? new Array<number>(this.t.length).fill(0)) } : {}),
    };
  }
}
