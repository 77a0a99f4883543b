import type { Accept, ReplacementPolicy } from '../policies/policy.js';
import type { Scheduler, SchedulerContext, SchedulerDefinition } from './scheduler.js';

/** global: one replacement policy over every VM's resident pages. */
class GlobalScheduler implements Scheduler {
  private readonly policy: ReplacementPolicy;
  constructor(ctx: SchedulerContext) {
    this.policy = ctx.policy.create(ctx.policyContext);
  }
  resize(pages: number): void {
    this.policy.resize(pages);
  }
  insert(page: number, _vm: number, position: number): void {
    this.policy.insert(page, position);
  }
  hit(page: number, _vm: number, position: number): void {
    this.policy.hit(page, position);
  }
  remove(page: number): void {
    this.policy.remove(page);
  }
  mayTakeFree(): boolean {
    return true;
  }
  victim(_vm: number, accept: Accept): number {
    return this.policy.victim(accept);
  }
}

export const global = {
  name: 'global',
  summary: 'one replacement policy over all VMs\' resident pages (default)',
  create: (ctx: SchedulerContext) => new GlobalScheduler(ctx),
} satisfies SchedulerDefinition;
