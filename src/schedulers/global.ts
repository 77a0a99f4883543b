import type { Accept, ReplacementPolicy } from '../policies/policy.js';
import { BaseScheduler } from './base.js';
import { OwnPages } from './own-pages.js';
import type { SchedulerContext, SchedulerDefinition, VmParams } from './scheduler.js';

/**
 * global: one replacement policy over every VM's resident pages. Limits and reserves still hold:
 * a VM at its limit gets the policy's first page among its own, and pages of other VMs at their
 * reserve are passed over. Without limits and reserves the victim is the policy's, untouched.
 */
class GlobalScheduler extends BaseScheduler {
  private readonly policy: ReplacementPolicy;
  /** each limited VM's pages in the policy's order, when the policy allows (own-pages.ts) */
  private readonly own: OwnPages;
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
    this.own = new OwnPages(ctx.policy, ctx.policyContext);
  }
  override addVm(vm: number, params: VmParams): void {
    super.addVm(vm, params);
    this.own.addVm(vm, params.limit);
  }
  resize(pages: number): void {
    this.policy.resize(pages);
    this.own.resize(pages);
  }
  insert(page: number, vm: number, position: number, write: boolean): void {
    if (this.anyReserve) this.loaded(vm);
    this.policy.insert(page, position, write);
    if (this.anyLimit) this.own.insert(page, vm, position, write);
  }
  hit(page: number, vm: number, position: number, write: boolean): void {
    this.policy.hit(page, position, write);
    if (this.anyLimit) this.own.hit(page, vm, position, write);
  }
  remove(page: number, vm: number): void {
    if (this.anyReserve) this.unloaded(vm);
    this.policy.remove(page);
    if (this.anyLimit) this.own.remove(page, vm);
  }
  solePolicy(): ReplacementPolicy | null {
    return this.anyLimit || this.anyReserve ? null : this.policy;
  }
  victim(vm: number, accept: Accept): number {
    if (!this.anyLimit && !this.anyReserve) return this.policy.victim(accept);
    this.faulting = vm;
    this.outer = accept;
    if (this.atLimit(vm)) return this.own.tracks(vm) ? this.own.victim(vm, accept) : this.policy.victim(this.ownOnly);
    return this.policy.victim(this.anyReserve ? this.outsideReserves : accept);
  }
}

export const global = {
  name: 'global',
  summary: "one replacement policy over all VMs' resident pages (default)",
  needsAllVms: false,
  create: (ctx: SchedulerContext) => new GlobalScheduler(ctx),
} satisfies SchedulerDefinition;
