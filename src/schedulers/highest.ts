import { RankedScheduler } from './ranked.js';
import type { SchedulerContext, SchedulerDefinition } from './scheduler.js';

/** highest: strict priority, a larger `priority` wins (see ranked.ts). */
export const highest = {
  name: 'highest',
  summary: 'strict priority, larger priority wins: the frame comes from the lowest-priority VM above its reserve',
  needsAllVms: false,
  create: (ctx: SchedulerContext) => new RankedScheduler(ctx, 1),
} satisfies SchedulerDefinition;
