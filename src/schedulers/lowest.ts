import { RankedScheduler } from './ranked.js';
import type { SchedulerContext, SchedulerDefinition } from './scheduler.js';

/** lowest: strict priority with priority as a rank, a smaller number wins (1 is first; see ranked.ts). */
export const lowest = {
  name: 'lowest',
  summary: 'strict priority as a rank, smaller number wins (1 is first): the frame comes from the largest-numbered VM above its reserve',
  needsAllVms: false,
  create: (ctx: SchedulerContext) => new RankedScheduler(ctx, -1),
} satisfies SchedulerDefinition;
