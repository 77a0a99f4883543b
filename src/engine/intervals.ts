/**
 * The time series of `--interval N` (SPEC 3): a sample after every N page accesses (R and W page
 * touches of all VMs, counted like `position`), and one at the end of the run when the last
 * interval is shorter. Per VM and sample: faults, swap-ins and swap-outs during the interval, and
 * the frames it holds at the sample (a VM that had not appeared yet has zeros; a VM that never
 * made an access before the last sample may have no entries). Without --interval (a plot alone) the interval adapts: it
 * starts at 64 accesses and doubles, merging pairs of samples, whenever there are `maxSamples`.
 */
import type { Engine } from './engine.js';

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
}

export class IntervalRecorder {
  readonly series: IntervalSeries;
  private lastFaults: number[] = [];
  private lastSwapIns: number[] = [];
  private lastSwapOuts: number[] = [];

  constructor(
    private readonly engine: Engine,
    every: number,
    /** adaptive: merge pairs of samples whenever there are this many (even); 0 = fixed interval */
    private readonly maxSamples = 0,
  ) {
    this.series = { every, t: [], faults: [], swapIns: [], swapOuts: [], resident: [] };
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
