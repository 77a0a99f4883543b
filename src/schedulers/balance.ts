import { fittedSplit, PlanWorkspace, type PlanClaim } from '../analysis/plan.js';
import { WindowCurves } from '../analysis/window-lru.js';
import { grown, type Accept, type GroupedPolicy } from '../policies/policy.js';
import { BaseScheduler } from './base.js';
import { policyGroups } from './groups.js';
import { WinnerTree } from './winner-tree.js';
import type { SchedulerContext, SchedulerDefinition, VmParams } from './scheduler.js';

export const DEFAULT_REBALANCE = 100000;

/** Room for this many access times per window stack (beyond a window's first pages) before it renumbers. */
const WINDOW_STACK_TIMES = 1024;

/**
 * balance: MRC-guided balancing (SPEC 2.2; the memory balancers of Zhao and Wang, VEE 2009).
 * Each VM's accesses in the current window feed an exact LRU stack of its own (Mattson; emptied
 * each window, so the curve is that of the window's accesses alone, cold misses included; a
 * WindowCurves, reused from window to window, as a window of many VMs holds few accesses each).
 * Every `--rebalance N` accesses (before access N, 2N, ...) the window's curves set new targets:
 * the split of all F frames minimising sum weight x faults within [reserve, limit], found by the
 * optimiser of `vmmem plan` (analysis/plan.ts; spare frames shared by weight). Until the first
 * rebalance the targets are the `weight` entitlements. A VM at its limit replaces its own pages;
 * otherwise the frame comes from the VM most above its target (largest resident - target; ties:
 * the VM listed first), among those that may lose one (above their reserve, or the faulting VM
 * itself). One policy instance per VM names the page.
 *
 * The victim VM comes from a max segment tree over the VMs keyed by resident - target (VMs at or
 * below their reserve hold -Infinity): O(log n) per load, eviction and choice; a rebalance or a
 * change of entitlements rebuilds it in O(n).
 */
class BalanceScheduler extends BaseScheduler {
  private readonly groups: GroupedPolicy;
  private readonly every: number;
  private nextRebalance: number;
  private rebalanced = false;
  /** per VM: its target frames (the entitlement until the first rebalance) */
  private target: number[] = [];
  private touched: boolean[] = [];
  private stale = true;
  /** resident pages per VM as this scheduler counts them (kept in step with insert/remove) */
  private resident: number[] = [];
  /** per VM: its reserve (read at every leaf update: no VmParams object to reach) */
  private reserves: number[] = [];
  /** per VM: 1 once OOM-killed (read for every VM at every rebalance: no counters object to reach) */
  private dead = new Uint8Array(16);
  /** per VM: its weight and limit (read for every VM at every rebalance: no VmParams object to reach) */
  private weights: number[] = [];
  private limits: number[] = [];
  /** the window's curves */
  private readonly window = new WindowCurves(WINDOW_STACK_TIMES);
  /** the optimiser's arrays, reused from one rebalance to the next */
  private readonly workspace = new PlanWorkspace();
  // max segment tree over VMs of resident - target (ties: the lower VM index)
  private size = 1;
  /** over VM slots 0..size-1 */
  private tree = new WinnerTree(1);
  /**
   * VMs whose leaf may be out of date, brought up to date before the tree is read (flush): a
   * fault's remove and insert change two leaves, often the same VM's back to where it was
   * (its own page replaced), which then costs nothing instead of two walks up the tree
   */
  private dirty = new Int32Array(8);
  private dirtyCount = 0;

  constructor(ctx: SchedulerContext) {
    super(ctx);
    this.groups = policyGroups(ctx.policy, ctx.policyContext);
    this.every = ctx.rebalance ?? DEFAULT_REBALANCE;
    this.nextRebalance = this.every;
  }

  override addVm(vm: number, params: VmParams): void {
    super.addVm(vm, params);
    this.groups.add();
    this.target[vm] = 0;
    this.touched[vm] = false;
    this.resident[vm] = 0;
    this.reserves[vm] = params.reserve;
    this.weights[vm] = params.weight;
    this.limits[vm] = params.limit;
    this.dead = grown(this.dead, vm + 1);
    this.window.addVm();
    if (vm >= this.size) {
      while (this.size <= vm) this.size *= 2;
      this.tree = new WinnerTree(this.size);
      this.stale = true;
    }
    this.setLeaf(vm);
  }

  resize(pages: number): void {
    this.groups.resize(pages);
    this.window.resize(pages);
  }

  /** Rebalances when the access at `position` starts a new window. */
  private clock(position: number): void {
    if (position < this.nextRebalance) return;
    this.rebalance();
    this.nextRebalance = (Math.floor(position / this.every) + 1) * this.every;
  }

  insert(page: number, vm: number, position: number, write: boolean): void {
    this.clock(position);
    if (this.anyReserve) this.loaded(vm);
    this.groups.insert(page, vm, position, write);
    this.window.access(page, vm);
    if (!this.touched[vm]) {
      this.touched[vm] = true;
      this.stale = true;
    }
    this.resident[vm]!++;
    this.setLeaf(vm);
  }

  hit(page: number, vm: number, position: number, write: boolean): void {
    this.clock(position);
    this.groups.hit(page, vm, position, write);
    this.window.access(page, vm);
  }

  remove(page: number, vm: number): void {
    if (this.anyReserve) this.unloaded(vm);
    this.groups.remove(page, vm);
    this.resident[vm]!--;
    this.setLeaf(vm);
  }

  override killed(vm: number): void {
    super.killed(vm);
    // its window curve is never read again: a dead VM plans as [0] frames
    this.dead[vm] = 1;
    this.stale = true;
  }

  /** New targets from the window's curves; the next window starts empty. */
  private rebalance(): void {
    const frames = this.view.frames;
    const claims: PlanClaim[] = [];
    for (let v = 0; v < this.params.length; v++) {
      const dead = this.dead[v] !== 0;
      const weight = this.weights[v]!;
      claims.push({
        faults: dead ? [0] : this.window.take(v),
        weight,
        share: weight,
        lo: dead ? 0 : this.reserves[v]!,
        hi: dead ? 0 : Math.min(this.limits[v]!, frames),
      });
    }
    // A plan too large to keep (VMs x frame counts) is made on the finest grid that fits.
    this.target = fittedSplit(claims, frames, this.workspace).frames;
    this.rebalanced = true;
    this.window.clear();
    this.rebuild();
  }

  /** Until the first rebalance: the weight entitlements of the VMs that have touched memory. */
  private refresh(): void {
    if (!this.stale) return;
    this.stale = false;
    if (!this.rebalanced) this.target = this.fairShares((v) => this.touched[v]! && this.view.vms[v]!.oomKills === 0);
    this.rebuild();
  }

  private rebuild(): void {
    this.dirtyCount = 0;
    for (let v = 0; v < this.params.length; v++) this.tree.put(v, this.leafKey(v));
    this.tree.pullAll();
  }

  /** resident - target for a VM above its reserve, else -Infinity (it may not lose a frame to another VM) */
  private leafKey(v: number): number {
    const r = this.resident[v]!;
    return r > this.reserves[v]! ? r - this.target[v]! : -Infinity;
  }

  private setLeaf(v: number): void {
    if (this.stale) return;
    if (this.dirtyCount === this.dirty.length) this.flush();
    this.dirty[this.dirtyCount++] = v;
  }

  /** The dirty leaves into the tree (the tree is a function of its leaves: when they are set does not change what it holds). */
  private flush(): void {
    const dirty = this.dirty;
    for (let i = 0; i < this.dirtyCount; i++) {
      const v = dirty[i]!;
      this.tree.set(v, this.leafKey(v));
    }
    this.dirtyCount = 0;
  }

  /** The VM to give up a frame for a fault of VM vm: the tree's best, or vm itself when it holds only its reserve and is further above its target. */
  private pick(vm: number): number {
    this.flush();
    let best = this.tree.best;
    let bestKey = this.tree.bestKey;
    if (bestKey === -Infinity) best = -1;
    const r = this.resident[vm]!;
    if (r > 0 && r <= this.reserves[vm]!) {
      const own = r - this.target[vm]!;
      if (best < 0 || own > bestKey || (own === bestKey && vm < best)) {
        best = vm;
        bestKey = own;
      }
    }
    return best;
  }

  victim(vm: number, accept: Accept): number {
    this.clock(this.view.position - 1);
    if (this.atLimit(vm)) return this.groups.victim(vm, accept);
    if (!this.touched[vm]) {
      // the faulting VM is touching memory now: it takes part in the entitlements
      this.touched[vm] = true;
      this.stale = true;
    }
    this.refresh();
    const first = this.pick(vm);
    if (first < 0) return -1;
    if (accept === null) return this.groups.victim(first, null);
    // Swap full: the next VM in the same order whose policy finds a page to drop without a write.
    const tried: number[] = [];
    let page = -1;
    let ownTried = false;
    for (let u = first; u >= 0; ) {
      page = this.groups.victim(u, accept);
      if (page >= 0) break;
      tried.push(u);
      if (u === vm) ownTried = true;
      this.tree.set(u, -Infinity);
      u = this.pick(vm);
      if (u === vm && ownTried) {
        // vm at its reserve is not in the tree: look past it
        u = this.tree.bestKey === -Infinity ? -1 : this.tree.best;
      }
    }
    for (const u of tried) this.setLeaf(u);
    return page;
  }

  override entitlements(): number[] {
    this.refresh();
    return this.target.slice();
  }

  targets(): number[] {
    this.refresh();
    return this.target.slice();
  }
}

export const balance = {
  name: 'balance',
  summary: "MRC-guided: every --rebalance N accesses the window's LRU curves set per-VM targets (as vmmem plan); the frame comes from the VM most above its target",
  needsAllVms: false,
  create: (ctx: SchedulerContext) => new BalanceScheduler(ctx),
} satisfies SchedulerDefinition;
