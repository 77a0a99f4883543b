import { curveOf, MAX_PLAN_CELLS, optimalSplit, planCells, type PlanClaim } from '../analysis/plan.js';
import { LruStackDistances } from '../analysis/mrc.js';
import { grown, type Accept } from '../policies/policy.js';
import { BaseScheduler } from './base.js';
import { PolicyGroups } from './groups.js';
import type { SchedulerContext, SchedulerDefinition, VmParams } from './scheduler.js';

export const DEFAULT_REBALANCE = 100000;

/** Room for this many access times per window stack before it renumbers (many VMs, small stacks). */
const WINDOW_STACK_TIMES = 1024;

/**
 * balance: MRC-guided balancing (SPEC 2.2; the memory balancers of Zhao and Wang, VEE 2009).
 * Each VM's accesses in the current window feed an exact LRU stack of its own (Mattson; a fresh
 * stack per window, so the curve is that of the window's accesses alone, cold misses included).
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
  private readonly groups: PolicyGroups;
  private readonly every: number;
  private nextRebalance: number;
  private rebalanced = false;
  /** per VM: its target frames (the entitlement until the first rebalance) */
  private target: number[] = [];
  private touched: boolean[] = [];
  private stale = true;
  /** resident pages per VM as this scheduler counts them (kept in step with insert/remove) */
  private resident: number[] = [];
  // window curves: a page's id within its VM, and a stack per VM that accessed memory this window
  private localOf = new Int32Array(0);
  private localCount: number[] = [];
  private stacks: (LruStackDistances | null)[] = [];
  // max segment tree over VMs of resident - target (ties: the lower VM index)
  private size = 1;
  private key = new Float64Array(2).fill(-Infinity);
  private arg = new Int32Array(2).fill(-1);

  constructor(ctx: SchedulerContext) {
    super(ctx);
    this.groups = new PolicyGroups(ctx.policy, ctx.policyContext);
    this.every = ctx.rebalance ?? DEFAULT_REBALANCE;
    this.nextRebalance = this.every;
  }

  override addVm(vm: number, params: VmParams): void {
    super.addVm(vm, params);
    this.groups.add();
    this.target[vm] = 0;
    this.touched[vm] = false;
    this.resident[vm] = 0;
    this.localCount[vm] = 0;
    this.stacks[vm] = null;
    if (vm >= this.size) {
      while (this.size <= vm) this.size *= 2;
      this.key = new Float64Array(2 * this.size).fill(-Infinity);
      this.arg = new Int32Array(2 * this.size).fill(-1);
      this.stale = true;
    }
    this.setLeaf(vm);
  }

  resize(pages: number): void {
    this.groups.resize(pages);
    if (pages > this.localOf.length) this.localOf = grown(this.localOf, pages, -1);
  }

  /** Rebalances when the access at `position` starts a new window. */
  private clock(position: number): void {
    if (position < this.nextRebalance) return;
    this.rebalance();
    this.nextRebalance = (Math.floor(position / this.every) + 1) * this.every;
  }

  /** The access of page (of VM vm) into the window's curve. */
  private record(page: number, vm: number): void {
    let local = this.localOf[page]!;
    if (local < 0) {
      local = this.localCount[vm]!++;
      this.localOf[page] = local;
    }
    let stack = this.stacks[vm]!;
    if (stack === null) {
      stack = new LruStackDistances(false, WINDOW_STACK_TIMES);
      this.stacks[vm] = stack;
    }
    stack.resize(this.localCount[vm]!);
    stack.access(local, false);
  }

  insert(page: number, vm: number, position: number, write: boolean): void {
    this.clock(position);
    if (this.anyReserve) this.loaded(vm);
    this.groups.insert(page, vm, position, write);
    this.record(page, vm);
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
    this.record(page, vm);
  }

  remove(page: number, vm: number): void {
    if (this.anyReserve) this.unloaded(vm);
    this.groups.remove(page, vm);
    this.resident[vm]!--;
    this.setLeaf(vm);
  }

  override killed(vm: number): void {
    super.killed(vm);
    this.stacks[vm] = null;
    this.stale = true;
  }

  /** New targets from the window's curves; the next window starts empty. */
  private rebalance(): void {
    const frames = this.view.frames;
    const claims: PlanClaim[] = this.params.map((p, v) => {
      const dead = this.view.vms[v]!.oomKills > 0;
      const stack = this.stacks[v]!;
      return {
        faults: stack === null || dead ? [0] : curveOf(stack.result),
        weight: p.weight,
        share: p.weight,
        lo: dead ? 0 : p.reserve,
        hi: dead ? 0 : Math.min(p.limit, frames),
      };
    });
    // A plan too large to keep (VMs x frame counts) is made on the coarsest grid that fits.
    let step = 1;
    const cells = planCells(claims, frames, 1);
    if (cells > MAX_PLAN_CELLS) step = Math.ceil(cells / MAX_PLAN_CELLS);
    this.target = optimalSplit(claims, frames, step).frames;
    this.rebalanced = true;
    this.stacks.fill(null);
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
    for (let v = 0; v < this.params.length; v++) {
      const i = this.size + v;
      this.key[i] = this.leafKey(v);
      this.arg[i] = v;
    }
    for (let i = this.size - 1; i >= 1; i--) this.pull(i);
  }

  /** resident - target for a VM above its reserve, else -Infinity (it may not lose a frame to another VM) */
  private leafKey(v: number): number {
    const r = this.resident[v]!;
    return r > this.params[v]!.reserve ? r - this.target[v]! : -Infinity;
  }

  private pull(i: number): void {
    const l = 2 * i;
    const r = l + 1;
    // the left child (lower VM index) wins ties
    const right = this.key[r]! > this.key[l]!;
    this.key[i] = right ? this.key[r]! : this.key[l]!;
    this.arg[i] = right ? this.arg[r]! : this.arg[l]!;
  }

  private setLeaf(v: number): void {
    if (this.stale) return;
    let i = this.size + v;
    this.key[i] = this.leafKey(v);
    this.arg[i] = v;
    for (i >>= 1; i >= 1; i >>= 1) this.pull(i);
  }

  /** The VM to give up a frame for a fault of VM vm: the tree's best, or vm itself when it holds only its reserve and is further above its target. */
  private pick(vm: number): number {
    let best = this.arg[1]!;
    let bestKey = this.key[1]!;
    if (bestKey === -Infinity) best = -1;
    const r = this.resident[vm]!;
    if (r > 0 && r <= this.params[vm]!.reserve) {
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
      this.key[this.size + u] = -Infinity;
      for (let i = (this.size + u) >> 1; i >= 1; i >>= 1) this.pull(i);
      u = this.pick(vm);
      if (u === vm && ownTried) {
        // vm at its reserve is not in the tree: look past it
        u = this.key[1]! === -Infinity ? -1 : this.arg[1]!;
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
