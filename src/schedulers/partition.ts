import type { Accept, GroupedPolicy } from '../policies/policy.js';
import { BaseScheduler } from './base.js';
import { policyGroups } from './groups.js';
import { largestRemainder } from './shares.js';
import type { SchedulerContext, SchedulerDefinition, VmParams } from './scheduler.js';

/**
 * partition: static partitions. The frames are split among all the run's VMs in proportion to
 * their weights - max-min fair within [reserve, limit], so a partition is never below the
 * reserve nor above the limit - and rounded to whole frames by the largest remainder method
 * (equal remainders: the VM listed first). A VM fills its own partition and then replaces its
 * own pages only (one policy instance per VM); it never takes or loses a frame across partitions.
 */
class PartitionScheduler extends BaseScheduler {
  private readonly groups: GroupedPolicy;
  private partition: number[] = [];
  /** a VM joined since the partition was last computed */
  private stale = true;

  constructor(ctx: SchedulerContext) {
    super(ctx);
    this.groups = policyGroups(ctx.policy, ctx.policyContext);
  }

  override addVm(vm: number, params: VmParams): void {
    super.addVm(vm, params);
    // the VM's partition is its policy's capacity (libCacheSim's queue sizes follow it)
    this.groups.add(() => {
      if (this.stale) this.settle();
      return this.partition[vm]!;
    });
    // Every VM is registered before the replay starts (needsAllVms); the split is computed once
    // at its first use, not once per VM (that was O(n^2 log n) for n VMs).
    this.stale = true;
  }

  private settle(): void {
    const frames = this.view.frames;
    const shares = this.fairShares(() => true);
    this.partition = largestRemainder(
      shares,
      this.params.map((p) => Math.min(p.limit, frames)),
    );
    this.stale = false;
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
    if (this.stale) this.settle();
    return this.view.vms[vm]!.resident < this.partition[vm]!;
  }

  victim(vm: number, accept: Accept): number {
    return this.groups.victim(vm, accept);
  }

  override entitlements(): number[] {
    if (this.stale) this.settle();
    return this.partition.slice();
  }
}

export const partition = {
  name: 'partition',
  summary: 'static partitions in proportion to weight (largest remainder); each VM replaces only its own pages',
  needsAllVms: true,
  create: (ctx: SchedulerContext) => new PartitionScheduler(ctx),
} satisfies SchedulerDefinition;
