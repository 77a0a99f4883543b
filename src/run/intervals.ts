/**
 * The time series of `--interval N` (SPEC 3): a sample after every N page accesses (R and W page
 * touches of all VMs, counted like `position`), and one at the end of the run when the last
 * interval is shorter. Per VM and sample: faults, swap-ins and swap-outs during the interval, and
 * the frames it holds at the sample (a VM that had not appeared yet has zeros; a VM that never
 * made an access before the last sample may have no entries). Without --interval (a plot alone) the interval adapts: it
 * starts at 64 accesses and doubles, merging pairs of samples, whenever there are `maxSamples`.
 *
 * With the memory model (--dedup ideal|ksm, a huge --host-page) a sample also holds its figures:
 * pages_shared and pages_sharing at the sample and COW faults during the interval (dedup);
 * resident pages in huge blocks at the sample, huge-page fallbacks and compaction moves during
 * the interval, and the host's unusable free space index for 2 MiB at the sample (huge pages).
 * They cost one pass over the distinct pages per sample.
 */
import { orderOf2MiB } from '../memory/outcome.js';
import type { Engine } from '../engine/engine.js';
import type { MemoryModel } from '../memory/model.js';

export interface IntervalSeries {
  /** accesses per interval (the last one may be shorter) */
  every: number;
  /** per sample: accesses replayed so far */
  t: number[];
  /** per VM (index = VM), per sample */
  faults: number[][];
  swapIns: number[][];
  swapOuts: number[][];
  resident: number[][];
  /** `balance`: each VM's target frames at the sample */
  target?: number[][];
  /** with the memory model: its figures, per VM and sample (dedup or huge, as configured) */
  memory?: MemorySeries;
}

export interface MemorySeries {
  dedup: boolean;
  huge: boolean;
  /** at the sample */
  pagesShared: number[][];
  pagesSharing: number[][];
  /** during the interval */
  cowFaults: number[][];
  /** at the sample */
  hugePages: number[][];
  /** during the interval */
  hugeFallbacks: number[][];
  compactionMoves: number[][];
  /** host-wide, per sample (null: no 2 MiB block fits this host) */
  unusableIndex2MiB: (number | null)[];
}

/** Which MemorySeries members are levels at the sample (merged by taking the later) rather than counts during the interval (summed). */
const MEMORY_LEVELS = ['pagesShared', 'pagesSharing', 'hugePages'] as const;
const MEMORY_COUNTS = ['cowFaults', 'hugeFallbacks', 'compactionMoves'] as const;

/**
 * The memory model's figures per VM and sample, into a MemorySeries (one level's recorder, and
 * two levels' with --dedup at the host); each VM's columns are indexed by VM id.
 */
export class MemorySampler {
  readonly series: MemorySeries;
  private readonly last: Record<(typeof MEMORY_COUNTS)[number], number[]> = { cowFaults: [], hugeFallbacks: [], compactionMoves: [] };

  constructor(dedup: boolean, huge: boolean) {
    this.series = { dedup, huge, pagesShared: [], pagesSharing: [], cowFaults: [], hugePages: [], hugeFallbacks: [], compactionMoves: [], unusableIndex2MiB: [] };
  }

  /** sample n (every VM's columns hold n samples before it) of VMs 0..vms-1; `unusableIndex2MiB` the host's, or null */
  sample(model: MemoryModel, vms: number, n: number, unusableIndex2MiB: number | null): void {
    const m = this.series;
    const figures = model.pageFigures(vms);
    for (let v = 0; v < vms; v++) {
      if (m.pagesShared.length <= v) {
        for (const key of [...MEMORY_LEVELS, ...MEMORY_COUNTS]) m[key].push(new Array<number>(n).fill(0));
        for (const key of MEMORY_COUNTS) this.last[key].push(0);
      }
      m.pagesShared[v]!.push(figures.pagesShared[v]!);
      m.pagesSharing[v]!.push(figures.pagesSharing[v]!);
      m.hugePages[v]!.push(figures.hugePages[v]!);
      const c = model.counters[v];
      for (const key of MEMORY_COUNTS) {
        const now = c ? c[key] : 0;
        m[key][v]!.push(now - this.last[key][v]!);
        this.last[key][v] = now;
      }
    }
    m.unusableIndex2MiB.push(unusableIndex2MiB);
  }
}

export class IntervalRecorder {
  readonly series: IntervalSeries;
  private lastFaults: number[] = [];
  private lastSwapIns: number[] = [];
  private lastSwapOuts: number[] = [];
  private readonly memory: MemorySampler | null = null;

  constructor(
    private readonly engine: Engine,
    every: number,
    /** adaptive: merge pairs of samples whenever there are this many (even); 0 = fixed interval */
    private readonly maxSamples = 0,
  ) {
    this.series = { every, t: [], faults: [], swapIns: [], swapOuts: [], resident: [] };
    const model = engine.memory;
    if (model !== null && (model.config.dedup !== 'off' || model.config.hugeOrder > 0)) {
      this.memory = new MemorySampler(model.config.dedup !== 'off', model.config.hugeOrder > 0);
      this.series.memory = this.memory.series;
    }
    engine.nextSample = engine.position + every;
    engine.onSample = () => this.sample();
  }

  private sample(): void {
    const s = this.series;
    const vms = this.engine.vms;
    const n = s.t.length;
    for (let v = 0; v < vms.length; v++) {
      if (s.faults.length <= v) {
        // a VM seen for the first time: nothing before
        s.faults.push(new Array<number>(n).fill(0));
        s.swapIns.push(new Array<number>(n).fill(0));
        s.swapOuts.push(new Array<number>(n).fill(0));
        s.resident.push(new Array<number>(n).fill(0));
        this.lastFaults.push(0);
        this.lastSwapIns.push(0);
        this.lastSwapOuts.push(0);
      }
      const c = vms[v]!;
      s.faults[v]!.push(c.faults - this.lastFaults[v]!);
      s.swapIns[v]!.push(c.swapIns - this.lastSwapIns[v]!);
      s.swapOuts[v]!.push(c.swapOuts - this.lastSwapOuts[v]!);
      s.resident[v]!.push(c.resident);
      this.lastFaults[v] = c.faults;
      this.lastSwapIns[v] = c.swapIns;
      this.lastSwapOuts[v] = c.swapOuts;
    }
    const targets = this.engine.scheduler.targets?.();
    if (targets) {
      const target = (s.target ??= []);
      for (let v = 0; v < vms.length; v++) {
        if (target.length <= v) target.push(new Array<number>(n).fill(0));
        target[v]!.push(targets[v] ?? 0);
      }
    }
    if (this.memory !== null) {
      const model = this.engine.memory!;
      const order = orderOf2MiB(model, this.engine.config.pageSize);
      this.memory.sample(model, vms.length, n, order === null ? null : model.buddy.unusableIndex(order));
    }
    s.t.push(this.engine.position);
    if (this.maxSamples > 0 && s.t.length >= this.maxSamples) this.halve();
    this.engine.nextSample = s.t[s.t.length - 1]! + s.every;
  }

  /** adaptive: pairs of samples become one sample of twice the interval */
  private halve(): void {
    const s = this.series;
    const pairs = s.t.length >> 1;
    const merge = (a: number[], sum: boolean): number[] =>
      Array.from({ length: pairs }, (_, i) => (sum ? a[2 * i]! + a[2 * i + 1]! : a[2 * i + 1]!));
    s.t = merge(s.t, false);
    s.faults = s.faults.map((a) => merge(a, true));
    s.swapIns = s.swapIns.map((a) => merge(a, true));
    s.swapOuts = s.swapOuts.map((a) => merge(a, true));
    s.resident = s.resident.map((a) => merge(a, false));
    if (s.target) s.target = s.target.map((a) => merge(a, false));
    const m = s.memory;
    if (m) {
      for (const key of MEMORY_LEVELS) m[key] = m[key].map((a) => merge(a, false));
      for (const key of MEMORY_COUNTS) m[key] = m[key].map((a) => merge(a, true));
      m.unusableIndex2MiB = Array.from({ length: pairs }, (_, i) => m.unusableIndex2MiB[2 * i + 1]!);
    }
    s.every *= 2;
  }

  /** the last, shorter interval; detaches from the engine */
  finish(): IntervalSeries {
    const s = this.series;
    const last = s.t.length > 0 ? s.t[s.t.length - 1]! : 0;
    if (this.engine.position > last) this.sample();
    this.engine.onSample = null;
    this.engine.nextSample = Infinity;
    return s;
  }
}
