/**
 * Schedulers decide which VM gives up a frame when memory is full (SPEC 2.2); the replacement
 * policy then names the page within it. A scheduler owns the policy instance(s) - one over all
 * pages for `global`, one per VM or group for the others - and the engine talks to it only.
 */
import type { VmCounters } from '../engine/stats.js';
import type { PolicyDefinition, PolicyContext, Accept } from '../policies/policy.js';

/** What a scheduler may read of the engine. */
export interface SchedulerView {
  /** per VM counters (resident pages, ...), index = VM */
  readonly vms: readonly VmCounters[];
  /** VM of each page id */
  readonly vmOf: Uint16Array;
  readonly frames: number;
}

export interface SchedulerContext {
  view: SchedulerView;
  policy: PolicyDefinition;
  policyContext: PolicyContext;
}

export interface Scheduler {
  /** grow per-page state for page ids below `pages` */
  resize(pages: number): void;
  /** page of VM `vm` was loaded at `position` */
  insert(page: number, vm: number, position: number): void;
  hit(page: number, vm: number, position: number): void;
  /** page of VM `vm` left memory */
  remove(page: number, vm: number): void;
  /** may VM `vm` take a free frame (false: it must replace one of its own, e.g. at its limit) */
  mayTakeFree(vm: number): boolean;
  /** the page to evict for a fault of VM `vm`, among the pages `accept` takes; -1 if none */
  victim(vm: number, accept: Accept): number;
}

export interface SchedulerDefinition {
  /** the name users type after --scheduler; equal to the file's name */
  readonly name: string;
  readonly summary: string;
  create(ctx: SchedulerContext): Scheduler;
}
