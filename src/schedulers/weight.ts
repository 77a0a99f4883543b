import { type Accept, type GroupedPolicy, grown } from '../policies/policy.js';
import { ExactActiveFraction, ListedActiveFraction, SampledActiveFraction, type ActiveFraction } from './activity.js';
import { BaseScheduler } from './base.js';
import { policyGroups } from './groups.js';
import type { SchedulerContext, SchedulerDefinition, VmParams } from './scheduler.js';
import { VmHeap } from './vm-heap.js';

/**
 * weight: proportional share (SPEC 2.2). VM i's entitlement e_i is its weighted max-min fair
 * share of all frames among the live VMs that have touched memory, clamped to [reserve, limit]
 * (what a VM cannot hold above its limit goes to the others by weight). The frame comes from the
 * VM most over its entitlement: the largest resident / e, where the faulting VM's resident counts
 * the page it is bringing in - so it takes a frame from another VM only if it would still be less
 * over its entitlement than that VM is, and memory settles instead of a frame passing round and
 * round. Equal ratios: the faulting VM itself if it is among them, else the VM listed first. One
 * policy instance per VM names the page.
 *
 * With --idle-tax T, ESX's idle memory tax (Waldspurger, OSDI 2002): shares per page
 * rho = S / (P (f + k (1 - f))), k = 1 / (1 - T), f = the VM's active fraction (activity.ts);
 * the victim is the VM with the lowest rho. S is taken as the entitlement e (which is
 * lambda * w, the weight up to a factor common to all VMs, unless a reserve or limit binds), so
 * T = 0 is exactly plain `weight`, and idle pages count k times against their VM.
 */
class WeightScheduler extends BaseScheduler {
  private readonly groups: GroupedPolicy;
  private touched: boolean[] = [];
  private entitlement: number[] = [];
  private stale = true;
  private readonly activity: ActiveFraction | null;
  /** k = 1 / (1 - T); 1 without the tax */
  private readonly k: number;
  // The victim VM in O(log n) (SPEC 2.2): the VMs that may lose a frame to another VM (resident
  // above reserve) sit in a heap ordered by excess = resident (f + k (1 - f)) / den, largest
  // first, equal ratios to the VM listed first - the order of the scan in the reference model of
  // the tests. den is the entitlement, or, when no VM has a reserve or a limit, the weight: then
  // every entitlement is lambda * w with one lambda, the order does not depend on lambda, and a
  // VM's first touch changes nothing in the heap.
  private den = new Float64Array(16);
  private readonly heap = new VmHeap(1e-9);
  /** VMs whose key or membership may have changed since the last victim search */
  private dirty = new Uint8Array(16);
  private dirtyList = new Int32Array(16);
  private dirtyCount = 0;
  /** VMs taken out of the heap while a search (swap full) passes over them */
  private setAside = new Int32Array(16);

  constructor(ctx: SchedulerContext) {
    super(ctx);
    this.groups = policyGroups(ctx.policy, ctx.policyContext);
    const tax = ctx.idleTax;
    this.k = tax ? 1 / (1 - tax.rate) : 1;
    const newer = this.groups.newer?.bind(this.groups);
    this.activity = !tax
      ? null
      : tax.samplePages > 0
        ? new SampledActiveFraction(tax.window, tax.samplePages, ctx.policyContext.seed)
        : newer !== undefined && tax.window < 2 ** 31
          ? new ListedActiveFraction(tax.window, newer)
          : new ExactActiveFraction(tax.window);
  }

  override addVm(vm: number, params: VmParams): void {
    super.addVm(vm, params);
    this.groups.add();
    this.activity?.addVm(vm);
    this.touched[vm] = false;
    this.entitlement[vm] = 0;
    const n = vm + 1;
    this.den = grown(this.den, n);
    this.dirty = grown(this.dirty, n);
    this.dirtyList = grown(this.dirtyList, n);
    this.setAside = grown(this.setAside, n);
    this.den[vm] = params.weight;
    this.stale = true;
  }

  /** entitlements bound by reserves or limits: the heap orders by them, not by weight */
  private get byShares(): boolean {
    return this.anyReserve || this.anyLimit;
  }

  resize(pages: number): void {
    this.groups.resize(pages);
    this.activity?.resize(pages);
  }

  private mark(vm: number): void {
    if (this.dirty[vm] !== 0) return;
    this.dirty[vm] = 1;
    this.dirtyList[this.dirtyCount++] = vm;
  }

  insert(page: number, vm: number, position: number, write: boolean): void {
    if (this.anyReserve) this.loaded(vm);
    this.groups.insert(page, vm, position, write);
    if (!this.touched[vm]) {
      this.touched[vm] = true;
      this.stale = true;
    }
    if (this.activity !== null) {
      this.activity.loaded(page, vm);
      this.activity.accessed(page, vm);
    }
    this.mark(vm);
  }

  hit(page: number, vm: number, position: number, write: boolean): void {
    // only a change of the active count (or of a sampled estimate) moves the VM's key; the
    // activity sees the page where it was (ListedActiveFraction)
    if (this.activity !== null && this.activity.accessed(page, vm)) this.mark(vm);
    this.groups.hit(page, vm, position, write);
  }

  remove(page: number, vm: number): void {
    if (this.anyReserve) this.unloaded(vm);
    if (this.activity !== null) this.activity.unloaded(page, vm);
    this.groups.remove(page, vm);
    this.mark(vm);
  }

  override killed(vm: number): void {
    super.killed(vm);
    this.stale = true;
    this.mark(vm);
  }

  /** Brings the heap up to date with the VMs changed since the last search. */
  private flush(): void {
    for (let i = 0; i < this.dirtyCount; i++) {
      const u = this.dirtyList[i]!;
      this.dirty[u] = 0;
      if (this.view.vms[u]!.resident > this.params[u]!.reserve) this.heap.set(u, this.excess(this.keyOf(u, 0), this.den[u]!));
      else if (this.heap.has(u)) this.heap.remove(u);
    }
    this.dirtyCount = 0;
  }

  private refresh(): void {
    if (!this.stale) return;
    this.entitlement = this.fairShares((v) => this.touched[v]! && this.view.vms[v]!.oomKills === 0);
    this.stale = false;
    if (!this.byShares) return;
    const keys = this.heap.keys;
    for (let u = 0; u < this.entitlement.length; u++) {
      this.den[u] = this.entitlement[u]!;
      if (this.heap.has(u)) keys[u] = this.excess(this.keyOf(u, 0), this.den[u]!);
    }
    this.heap.heapify();
  }

  /**
   * resident (f + k (1 - f)), the numerator of how far over its entitlement VM u is; the
   * faulting VM counts the page it is bringing in (`incoming` 1).
   */
  private keyOf(u: number, incoming: number): number {
    const resident = this.view.vms[u]!.resident;
    if (this.activity === null) return resident + incoming;
    const f = this.activity.fraction(u, resident);
    // f + k(1 - f) written as k - (k - 1) f: exactly 1 when k = 1 (T = 0)
    return (resident + incoming) * (this.k - (this.k - 1) * f);
  }

  private excess(key: number, den: number): number {
    return den <= 0 ? Infinity : key / den;
  }

  /**
   * The VM to give up a frame for VM vm: the one most over its entitlement, the faulting VM
   * itself on a tie (counting its incoming page), else the VM listed first; -1 if none may.
   */
  private pick(vm: number, vmTried: boolean): number {
    const top = this.heap.top();
    // the faulting VM's true excess is only larger than its key in the heap
    if (top === vm) return vm;
    if (vmTried || this.view.vms[vm]!.resident <= 0) return top;
    if (top < 0) return vm;
    const mine = this.excess(this.keyOf(vm, 1), this.den[vm]!);
    return this.heap.ahead(this.heap.keys[top]!, mine, false) ? top : vm;
  }

  victim(vm: number, accept: Accept): number {
    if (this.atLimit(vm)) return this.groups.victim(vm, accept);
    if (!this.touched[vm]) {
      // the faulting VM is touching memory now: it takes part in the shares
      this.touched[vm] = true;
      this.stale = true;
    }
    this.flush();
    if (this.byShares) this.refresh();
    const first = this.pick(vm, false);
    if (first < 0) return -1;
    if (accept === null) return this.groups.victim(first, null);
    // Swap full: the next VM in the same order whose policy finds a page to drop without a write.
    let page = -1;
    let vmTried = false;
    let aside = 0;
    for (let u = first; u >= 0; u = this.pick(vm, vmTried)) {
      page = this.groups.victim(u, accept);
      if (page >= 0) break;
      if (u === vm) vmTried = true;
      if (this.heap.has(u)) {
        this.heap.remove(u);
        this.setAside[aside++] = u;
      }
    }
    for (let i = 0; i < aside; i++) this.heap.set(this.setAside[i]!, this.heap.keys[this.setAside[i]!]!);
    return page;
  }

  override entitlements(): number[] {
    this.refresh();
    return this.entitlement.slice();
  }
}

export const weight = {
  name: 'weight',
  summary: 'proportional share: the frame comes from the VM most over its entitlement (with --idle-tax: ESX idle memory tax)',
  needsAllVms: false,
  create: (ctx: SchedulerContext) => new WeightScheduler(ctx),
} satisfies SchedulerDefinition;
