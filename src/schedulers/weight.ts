import type { Accept } from '../policies/policy.js';
import { ExactActiveFraction, SampledActiveFraction, type ActiveFraction } from './activity.js';
import { BaseScheduler } from './base.js';
import { PolicyGroups } from './groups.js';
import type { SchedulerContext, SchedulerDefinition, VmParams } from './scheduler.js';

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
  private readonly groups: PolicyGroups;
  private touched: boolean[] = [];
  private entitlement: number[] = [];
  private stale = true;
  private readonly activity: ActiveFraction | null;
  /** k = 1 / (1 - T); 1 without the tax */
  private readonly k: number;
  /** VMs already tried in this victim search (swap full) */
  private tried: boolean[] = [];

  constructor(ctx: SchedulerContext) {
    super(ctx);
    this.groups = new PolicyGroups(ctx.policy, ctx.policyContext);
    const tax = ctx.idleTax;
    this.k = tax ? 1 / (1 - tax.rate) : 1;
    this.activity = !tax
      ? null
      : tax.samplePages > 0
        ? new SampledActiveFraction(tax.window, tax.samplePages, ctx.policyContext.seed)
        : new ExactActiveFraction(tax.window);
  }

  override addVm(vm: number, params: VmParams): void {
    super.addVm(vm, params);
    this.groups.add();
    this.activity?.addVm(vm);
    this.touched[vm] = false;
    this.tried[vm] = false;
    this.stale = true;
  }

  resize(pages: number): void {
    this.groups.resize(pages);
    this.activity?.resize(pages);
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
  }

  hit(page: number, vm: number, position: number, write: boolean): void {
    this.groups.hit(page, vm, position, write);
    if (this.activity !== null) this.activity.accessed(page, vm);
  }

  remove(page: number, vm: number): void {
    if (this.anyReserve) this.unloaded(vm);
    this.groups.remove(page, vm);
    if (this.activity !== null) this.activity.unloaded(page, vm);
  }

  override killed(vm: number): void {
    super.killed(vm);
    this.stale = true;
  }

  private refresh(): void {
    if (!this.stale) return;
    this.entitlement = this.fairShares((v) => this.touched[v]! && this.view.vms[v]!.oomKills === 0);
    this.stale = false;
  }

  /**
   * How far over its entitlement VM u is: resident (f + k (1 - f)) / e, larger loses; the
   * faulting VM counts the page it is bringing in (`incoming` 1).
   */
  private excess(u: number, incoming: number): number {
    const resident = this.view.vms[u]!.resident;
    const e = this.entitlement[u]!;
    if (e <= 0) return Infinity;
    if (this.activity === null) return (resident + incoming) / e;
    const f = this.activity.fraction(u, resident);
    // f + k(1 - f) written as k - (k - 1) f: exactly 1 when k = 1 (T = 0)
    return ((resident + incoming) * (this.k - (this.k - 1) * f)) / e;
  }

  /** the VM to give up a frame for VM vm, skipping those tried; -1 if none may */
  private pick(vm: number): number {
    let best = -1;
    let bestExcess = -Infinity;
    const n = this.params.length;
    for (let u = 0; u < n; u++) {
      if (this.tried[u] || !this.canLose(u, vm)) continue;
      const x = this.excess(u, u === vm ? 1 : 0);
      // Ratios equal but for rounding (an entitlement of 2.4000000000000004) are a tie.
      const tie = best >= 0 && Math.abs(x - bestExcess) <= 1e-9 * Math.max(Math.abs(x), Math.abs(bestExcess));
      if ((x > bestExcess && !tie) || (tie && u === vm)) {
        best = u;
        bestExcess = x;
      }
    }
    return best;
  }

  victim(vm: number, accept: Accept): number {
    if (this.atLimit(vm)) return this.groups.victim(vm, accept);
    if (!this.touched[vm]) {
      // the faulting VM is touching memory now: it takes part in the shares
      this.touched[vm] = true;
      this.stale = true;
    }
    this.refresh();
    const first = this.pick(vm);
    if (first < 0) return -1;
    if (accept === null) return this.groups.victim(first, null);
    // Swap full: the next VM in the same order whose policy finds a page to drop without a write.
    let page = -1;
    for (let u = first; u >= 0; u = this.pick(vm)) {
      page = this.groups.victim(u, accept);
      if (page >= 0) break;
      this.tried[u] = true;
    }
    this.tried.fill(false);
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
