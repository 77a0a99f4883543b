/**
 * The scheduler registry: one file per scheduler plus one line here (like policies/index.ts).
 */
import { global } from './global.js';
import type { SchedulerDefinition } from './scheduler.js';

export const schedulers = { global } satisfies Record<string, SchedulerDefinition>;

export type SchedulerName = keyof typeof schedulers;

export const SCHEDULER_NAMES = Object.keys(schedulers) as SchedulerName[];

export function isSchedulerName(name: string): name is SchedulerName {
  return Object.hasOwn(schedulers, name);
}
