/**
 * A VM at its limit replaces one of its own pages (SPEC 2.2). Under a scheduler whose policy
 * instance is shared with other VMs (`global`, a priority class of `highest` or `lowest`), the
 * shared order holds the VM's pages among everyone else's, and a filtered search walks past all
 * of theirs: O(resident pages) per eviction. When the policy orders any subset as it orders the
 * whole (`ordersSubsets`: fifo, lru, lfu, opt), a second instance per limited VM over its own
 * pages only names the same page in O(1) (O(log n) for opt). Policies without that property
 * (clock moves its hand, random draws over all candidates) keep the filtered search.
 */
import type { Accept, GroupedPolicy, PolicyContext, PolicyDefinition } from '../policies/policy.js';
import { policyGroups } from './groups.js';

export class OwnPages {
  private readonly groups: GroupedPolicy | null;
  /** VM -> its group, -1 when not tracked */
  private groupOf: number[] = [];

  constructor(definition: PolicyDefinition, context: PolicyContext) {
    this.groups = definition.ordersSubsets === true ? policyGroups(definition, context) : null;
  }

  /** VM `vm` joined with `limit`: track its pages when it has a limit (before any is loaded) */
  addVm(vm: number, limit: number): void {
    this.groupOf[vm] = this.groups !== null && Number.isFinite(limit) ? this.groups.add() : -1;
  }

  /** the VM's own pages are kept apart: victim() may be asked for it */
  tracks(vm: number): boolean {
    return this.groupOf[vm]! >= 0;
  }

  resize(pages: number): void {
    this.groups?.resize(pages);
  }

  insert(page: number, vm: number, position: number, write: boolean): void {
    const g = this.groupOf[vm]!;
    if (g >= 0) this.groups!.insert(page, g, position, write);
  }

  hit(page: number, vm: number, position: number, write: boolean): void {
    const g = this.groupOf[vm]!;
    if (g >= 0) this.groups!.hit(page, g, position, write);
  }

  remove(page: number, vm: number): void {
    const g = this.groupOf[vm]!;
    if (g >= 0) this.groups!.remove(page, g);
  }

  /** the shared policy's first page of VM `vm` that `accept` takes (only when tracks(vm)) */
  victim(vm: number, accept: Accept): number {
    return this.groups!.victim(this.groupOf[vm]!, accept);
  }
}
