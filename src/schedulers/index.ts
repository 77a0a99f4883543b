/**
 * The scheduler registry: one file per scheduler plus one line here (like policies/index.ts).
 * Tests walk this object so that every scheduler is tested, documented and named like its file.
 */
import { balance } from './balance.js';
import { global } from './global.js';
import { highest } from './highest.js';
import { lowest } from './lowest.js';
import { partition } from './partition.js';
import type { SchedulerDefinition } from './scheduler.js';
import { weight } from './weight.js';

/** The registry's type, written out so that declaration files can name it (see policies/index.ts). */
interface SchedulerRegistry {
  global: typeof global;
  partition: typeof partition;
  highest: typeof highest;
  lowest: typeof lowest;
  weight: typeof weight;
  balance: typeof balance;
}

export const schedulers: SchedulerRegistry = { global, partition, highest, lowest, weight, balance } satisfies Record<string, SchedulerDefinition>;

export type SchedulerName = keyof typeof schedulers;

export const SCHEDULER_NAMES = Object.keys(schedulers) as SchedulerName[];

export function isSchedulerName(name: string): name is SchedulerName {
  return Object.hasOwn(schedulers, name);
}
