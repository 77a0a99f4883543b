/**
 * What a trace holds (`vmmem inspect`), in one streaming pass: per VM and in total the accesses
 * (page accesses, as the engine counts them), reads, writes, allocation/free/reset rows, the
 * footprint (distinct pages), the reuse-distance histogram and the working set W(t, tau).
 *
 * Clocks: the total's reuse distances and working set run on the interleaved stream (what one
 * global memory sees); each VM's on its own accesses (its virtual time, Denning's definition).
 * A freed page (F, RESET) starts cold again: its next access has no reuse distance (its content
 * is gone); it still counts as one of the distinct pages between other pages' accesses.
 */
import { PageExpander, type PageBatch } from '../pages/expand.js';
import { PageIds } from '../pages/page-ids.js';
import { grown } from '../policies/policy.js';
import { OP_ALLOC, OP_FREE, OP_READ, OP_RESET, OP_WRITE, type RowBatch } from '../trace/rows.js';
import { REUSE_BUCKETS, ReuseTimeline, reuseBucket } from './reuse.js';
import { WorkingSetWindow } from './working-set.js';

export interface ProfileOptions {
  pageSize: number;
  /** names the traces in messages */
  display?: string;
  /** tau, in accesses */
  window: number;
  /** sample W every this many (total) accesses; undefined: adaptive, at most `maxSamples` samples */
  interval?: number;
  maxSamples?: number;
}

/** Counts of one VM, or of all of them. */
export class VmProfile {
  accesses = 0;
  reads = 0;
  writes = 0;
  /** A, F and RESET rows */
  allocs = 0;
  frees = 0;
  resets = 0;
  /** pages those rows covered */
  allocatedPages = 0;
  freedPages = 0;
  distinctPages = 0;
  /** accesses without a previous access to the page (first touch, or first after a free) */
  cold = 0;
  /** accesses per log2 reuse-distance bucket (see reuse.ts) */
  readonly reuse = new Float64Array(REUSE_BUCKETS);
  readonly timeline = new ReuseTimeline();
  readonly window: WorkingSetWindow;
  constructor(tau: number) {
    this.window = new WorkingSetWindow(tau);
  }
}

export interface WorkingSetSample {
  /** accesses done (the total clock) */
  t: number;
  total: number;
  /** per VM, indexed like TraceProfile.vms; NaN before the VM's first access */
  vms: number[];
}

export class TraceProfile {
  readonly ids = new PageIds();
  readonly vms: VmProfile[] = [];
  readonly total: VmProfile;
  readonly samples: WorkingSetSample[] = [];
  interval: number;
  private readonly adaptive: boolean;
  private readonly maxSamples: number;
  private readonly expander: PageExpander;
  // per page: seen, last reuse slots (total clock, VM clock), last reference times (total, VM)
  private seen = new Uint8Array(1024);
  /** freed (F or RESET) since its last access: the next access is cold */
  private freed = new Uint8Array(1024);
  private lastSlotTotal = new Int32Array(1024).fill(-1);
  private lastSlotVm = new Int32Array(1024).fill(-1);
  private lastTimeTotal = new Float64Array(1024).fill(-Infinity);
  private lastTimeVm = new Float64Array(1024).fill(-Infinity);

  constructor(readonly opts: ProfileOptions) {
    this.total = new VmProfile(opts.window);
    this.adaptive = opts.interval === undefined;
    this.interval = opts.interval ?? 1;
    this.maxSamples = opts.maxSamples ?? 1000;
    this.expander = new PageExpander(opts.pageSize, this.ids, (batch) => this.pages(batch), opts.display);
  }

  private vm(v: number): VmProfile {
    while (this.vms.length <= v) this.vms.push(new VmProfile(this.opts.window));
    return this.vms[v]!;
  }

  /** A batch of rows with VM indices global to the run (from `interleave`). */
  rows(batch: RowBatch): void {
    for (let i = 0; i < batch.length; i++) {
      const op = batch.op[i]!;
      if (op <= OP_WRITE) continue;
      const v = this.vm(batch.vm[i]!);
      const t = this.total;
      if (op === OP_ALLOC) {
        v.allocs++;
        t.allocs++;
      } else if (op === OP_FREE) {
        v.frees++;
        t.frees++;
      } else {
        v.resets++;
        t.resets++;
      }
    }
    this.expander.rows(batch);
  }

  finish(): void {
    this.expander.flush();
    const t = this.total.accesses;
    if (t > 0 && (this.samples.length === 0 || this.samples[this.samples.length - 1]!.t !== t)) this.sample();
  }

  private ensurePages(): void {
    const n = this.ids.count;
    if (n <= this.seen.length) return;
    this.seen = grown(this.seen, n);
    this.freed = grown(this.freed, n);
    this.lastSlotTotal = grown(this.lastSlotTotal, n, -1);
    this.lastSlotVm = grown(this.lastSlotVm, n, -1);
    this.lastTimeTotal = grown(this.lastTimeTotal, n, -Infinity);
    this.lastTimeVm = grown(this.lastTimeVm, n, -Infinity);
  }

  private pages(batch: PageBatch): void {
    this.ensurePages();
    const vmOf = this.ids.vmOf;
    const total = this.total;
    for (let i = 0; i < batch.length; i++) {
      const op = batch.op[i]!;
      const p = batch.page[i]!;
      if (op === OP_RESET) {
        this.resetVm(p);
        continue;
      }
      const v = this.vm(vmOf[p]!);
      if (op === OP_ALLOC) {
        v.allocatedPages++;
        total.allocatedPages++;
        continue;
      }
      if (op === OP_FREE) {
        v.freedPages++;
        total.freedPages++;
        this.freed[p] = 1;
        continue;
      }
      v.accesses++;
      total.accesses++;
      if (op === OP_READ) {
        v.reads++;
        total.reads++;
      } else {
        v.writes++;
        total.writes++;
      }
      if (this.seen[p] === 0) {
        this.seen[p] = 1;
        v.distinctPages++;
        total.distinctPages++;
      }
      const dTotal = total.timeline.access(this.lastSlotTotal, p);
      const dVm = v.timeline.access(this.lastSlotVm, p);
      if (this.freed[p] !== 0) {
        this.freed[p] = 0;
        total.cold++;
        v.cold++;
      } else {
        if (dTotal < 0) total.cold++;
        else total.reuse[reuseBucket(dTotal)]!++;
        if (dVm < 0) v.cold++;
        else v.reuse[reuseBucket(dVm)]!++;
      }
      total.window.access(this.lastTimeTotal, p);
      v.window.access(this.lastTimeVm, p);
      if (total.accesses % this.interval === 0) this.sample();
    }
  }

  /** RESET of VM `vmIndex`: everything it held is freed. */
  private resetVm(vmIndex: number): void {
    this.ensurePages();
    const vmOf = this.ids.vmOf;
    for (let p = 0; p < this.ids.count; p++) if (vmOf[p] === vmIndex) this.freed[p] = 1;
  }

  private sample(): void {
    // A VM that has not accessed memory yet has no W (NaN), whatever the batch boundaries.
    this.samples.push({ t: this.total.accesses, total: this.total.window.size, vms: this.vms.map((v) => (v.window.t > 0 ? v.window.size : NaN)) });
    if (this.adaptive && this.samples.length >= 2 * this.maxSamples) {
      // Keep the samples at multiples of twice the interval, and sample half as often from now on.
      this.interval *= 2;
      let j = 0;
      for (const s of this.samples) if (s.t % this.interval === 0) this.samples[j++] = s;
      this.samples.length = j;
    }
  }
}
