/**
 * Reference models for test/schedulers/scale.test.ts: the schedulers as they were before their
 * victim searches were made O(log n) (SPEC 2.2) - each one scans every VM (weight) or every
 * priority class (highest, lowest) per eviction, and global and the classes walk their one
 * policy order with a filter. The O(log n) versions must choose exactly what these choose.
 */
import { ExactActiveFraction, SampledActiveFraction, type ActiveFraction } from '../../src/schedulers/activity.js';
import { BaseScheduler } from '../../src/schedulers/base.js';
import { PolicyGroups } from '../../src/schedulers/groups.js';
import { largestRemainder } from '../../src/schedulers/shares.js';
import type { SchedulerContext, SchedulerDefinition, VmParams } from '../../src/schedulers/scheduler.js';
import type { Accept, ReplacementPolicy } from '../../src/policies/policy.js';


/**
 * global: one replacement policy over every VM's resident pages. Limits and reserves still hold:
 * a VM at its limit gets the policy's first page among its own, and pages of other VMs at their
 * reserve are passed over. Without limits and reserves the victim is the policy's, untouched.
 */
class ScanGlobalScheduler extends BaseScheduler {
  private readonly policy: ReplacementPolicy;
  // victim filters, kept in fields so that a search allocates nothing
  private faulting = 0;
  private outer: Accept = null;
  private readonly ownOnly = (page: number): boolean =>
    this.view.vmOf[page] === this.faulting && (this.outer === null || this.outer(page));
  private readonly outsideReserves = (page: number): boolean =>
    this.canLose(this.view.vmOf[page]!, this.faulting) && (this.outer === null || this.outer(page));

  constructor(ctx: SchedulerContext) {
    super(ctx);
    this.policy = ctx.policy.create(ctx.policyContext);
  }
  resize(pages: number): void {
    this.policy.resize(pages);
  }
  insert(page: number, vm: number, position: number, write: boolean): void {
    if (this.anyReserve) this.loaded(vm);
    this.policy.insert(page, position, write);
  }
  hit(page: number, _vm: number, position: number, write: boolean): void {
    this.policy.hit(page, position, write);
  }
  remove(page: number, vm: number): void {
    if (this.anyReserve) this.unloaded(vm);
    this.policy.remove(page);
  }
  victim(vm: number, accept: Accept): number {
    if (!this.anyLimit && !this.anyReserve) return this.policy.victim(accept);
    this.faulting = vm;
    this.outer = accept;
    if (this.atLimit(vm)) return this.policy.victim(this.ownOnly);
    return this.policy.victim(this.anyReserve ? this.outsideReserves : accept);
  }
}

export const globalScan = {
  name: 'global-scan',
  summary: "one replacement policy over all VMs' resident pages (default)",
  needsAllVms: false,
  create: (ctx: SchedulerContext) => new ScanGlobalScheduler(ctx),
} satisfies SchedulerDefinition;


/**
 * partition: static partitions. The frames are split among all the run's VMs in proportion to
 * their weights - max-min fair within [reserve, limit], so a partition is never below the
 * reserve nor above the limit - and rounded to whole frames by the largest remainder method
 * (equal remainders: the VM listed first). A VM fills its own partition and then replaces its
 * own pages only (one policy instance per VM); it never takes or loses a frame across partitions.
 */
class ScanPartitionScheduler extends BaseScheduler {
  private readonly groups: PolicyGroups;
  private partition: number[] = [];

  constructor(ctx: SchedulerContext) {
    super(ctx);
    this.groups = new PolicyGroups(ctx.policy, ctx.policyContext);
  }

  override addVm(vm: number, params: VmParams): void {
    super.addVm(vm, params);
    // the VM's partition is its policy's capacity
    this.groups.add(() => this.partition[vm]!);
    // Every VM is registered before the replay starts (needsAllVms), so this settles before use.
    const frames = this.view.frames;
    const shares = this.fairShares(() => true);
    this.partition = largestRemainder(
      shares,
      this.params.map((p) => Math.min(p.limit, frames)),
    );
  }

  resize(pages: number): void {
    this.groups.resize(pages);
  }
  insert(page: number, vm: number, position: number, write: boolean): void {
    this.groups.insert(page, vm, position, write);
  }
  hit(page: number, vm: number, position: number, write: boolean): void {
    this.groups.hit(page, vm, position, write);
  }
  remove(page: number, vm: number): void {
    this.groups.remove(page, vm);
  }
  override killed(): void {}

  override mayTakeFree(vm: number): boolean {
    return this.view.vms[vm]!.resident < this.partition[vm]!;
  }

  victim(vm: number, accept: Accept): number {
    return this.groups.victim(vm, accept);
  }

  override entitlements(): number[] {
    return this.partition.slice();
  }
}

export const partitionScan = {
  name: 'partition-scan',
  summary: 'static partitions in proportion to weight (largest remainder); each VM replaces only its own pages',
  needsAllVms: true,
  create: (ctx: SchedulerContext) => new ScanPartitionScheduler(ctx),
} satisfies SchedulerDefinition;

/**
 * Strict priority, shared by `highest` (a larger priority wins) and `lowest` (a smaller one
 * wins: priority as a rank). SPEC 2.2: the frame comes from the VM with the weakest priority that
 * holds frames above its reserve - possibly the faulting VM itself - and a VM never loses a frame
 * to a VM of weaker priority. VMs of equal priority form a class with one policy instance over
 * all their pages, so among equals the policy chooses.
 *
 * When swap is full and the weakest class has no page that can be dropped without a write, the
 * next class up is tried (never one stronger than the faulting VM). A VM that holds no frame and
 * finds every frame held by stronger VMs (or reserved) gets none: the engine treats that like
 * out of memory (--on-oom).
 */

class ScanRankedScheduler extends BaseScheduler {
  private readonly groups: PolicyGroups;
  /** VM -> class (a policy group) */
  private classOf: number[] = [];
  /** per class: its priority, and classes from weakest to strongest */
  private classPriority: number[] = [];
  private weakestFirst: number[] = [];
  /** per class: frames its VMs hold above their reserves (what others may take) */
  private spare: number[] = [];
  /** per class: some VM in it has a reserve (its victim search passes over such VMs' pages) */
  private filtered: boolean[] = [];
  private members: number[][] = [];
  // victim filter state, in fields so that a search allocates nothing
  private faulting = 0;
  private outer: Accept = null;
  private readonly allowed = (page: number): boolean =>
    this.canLose(this.view.vmOf[page]!, this.faulting) && (this.outer === null || this.outer(page));
  private readonly ownOnly = (page: number): boolean =>
    this.view.vmOf[page] === this.faulting && (this.outer === null || this.outer(page));

  /** `sign` 1: larger priority is stronger (highest); -1: smaller is stronger (lowest) */
  constructor(
    ctx: SchedulerContext,
    private readonly sign: 1 | -1,
  ) {
    super(ctx);
    this.groups = new PolicyGroups(ctx.policy, ctx.policyContext);
  }

  /** strength of a priority: larger = keeps its frames */
  private strength(priority: number): number {
    return this.sign * priority;
  }

  override addVm(vm: number, params: VmParams): void {
    super.addVm(vm, params);
    let c = this.classPriority.indexOf(params.priority);
    if (c < 0) {
      c = this.groups.add();
      this.classPriority.push(params.priority);
      this.spare.push(0);
      this.filtered.push(false);
      this.members.push([]);
      this.weakestFirst = this.classPriority
        .map((_, i) => i)
        .sort((a, b) => this.strength(this.classPriority[a]!) - this.strength(this.classPriority[b]!));
    }
    this.classOf[vm] = c;
    this.members[c]!.push(vm);
    this.filtered[c] = this.members[c]!.some((u) => this.params[u]!.reserve > 0);
  }

  resize(pages: number): void {
    this.groups.resize(pages);
  }

  insert(page: number, vm: number, position: number, write: boolean): void {
    const c = this.classOf[vm]!;
    const p = this.params[vm]!;
    const resident = this.view.vms[vm]!.resident;
    if (resident >= p.reserve) this.spare[c]!++;
    else this.reserveDeficit--;
    this.groups.insert(page, c, position, write);
  }

  hit(page: number, vm: number, position: number, write: boolean): void {
    this.groups.hit(page, this.classOf[vm]!, position, write);
  }

  remove(page: number, vm: number): void {
    const c = this.classOf[vm]!;
    const resident = this.view.vms[vm]!.resident;
    if (resident > this.params[vm]!.reserve) this.spare[c]!--;
    else this.reserveDeficit++;
    this.groups.remove(page, c);
  }

  victim(vm: number, accept: Accept): number {
    const own = this.classOf[vm]!;
    this.faulting = vm;
    this.outer = accept;
    if (this.atLimit(vm)) return this.groups.victim(own, this.members[own]!.length > 1 ? this.ownOnly : accept);
    const mine = this.strength(this.classPriority[own]!);
    const resident = this.view.vms[vm]!.resident;
    for (const c of this.weakestFirst) {
      if (this.strength(this.classPriority[c]!) > mine) break;
      if (this.spare[c] === 0 && !(c === own && resident > 0)) continue;
      const page = this.groups.victim(c, this.filtered[c] ? this.allowed : accept);
      if (page >= 0) return page;
    }
    return -1;
  }
}


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
class ScanWeightScheduler extends BaseScheduler {
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

export const weightScan = {
  name: 'weight-scan',
  summary: 'proportional share: the frame comes from the VM most over its entitlement (with --idle-tax: ESX idle memory tax)',
  needsAllVms: false,
  create: (ctx: SchedulerContext) => new ScanWeightScheduler(ctx),
} satisfies SchedulerDefinition;

export const highestScan = {
  name: 'highest-scan',
  summary: 'reference',
  needsAllVms: false,
  create: (ctx: SchedulerContext) => new ScanRankedScheduler(ctx, 1),
} satisfies SchedulerDefinition;

export const lowestScan = {
  name: 'lowest-scan',
  summary: 'reference',
  needsAllVms: false,
  create: (ctx: SchedulerContext) => new ScanRankedScheduler(ctx, -1),
} satisfies SchedulerDefinition;
