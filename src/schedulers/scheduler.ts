/**
 * Schedulers decide which VM gives up a frame when memory is full (SPEC 2.2); the replacement
 * policy then names the page within it. A scheduler owns the policy instance(s) - one over all
 * pages for `global`, one per VM or per priority class for the others - and the engine talks to
 * it only.
 */
import type { VmCounters } from '../engine/stats.js';
import type { PolicyDefinition, PolicyContext, Accept, ReplacementPolicy } from '../policies/policy.js';

/** What a scheduler may read of the engine. */
export interface SchedulerView {
  /** per VM counters (resident pages, committed pages, OOM kills, ...), index = VM */
  readonly vms: readonly VmCounters[];
  /** VM of each page id (read it afresh: the array grows) */
  readonly vmOf: Uint16Array;
  readonly frames: number;
  readonly framesInUse: number;
  /** accesses begun so far (the access being replayed is number position - 1) */
  readonly position: number;
}

/** A VM's scheduling parameters (SPEC 2.2), in frames. */
export interface VmParams {
  /** `highest`: larger wins; `lowest`: smaller wins */
  priority: number;
  /** share weight, > 0 */
  weight: number;
  /** frames no other VM may take from it */
  reserve: number;
  /** the most frames it may hold; Infinity = no limit */
  limit: number;
}

export const DEFAULT_VM_PARAMS: Readonly<VmParams> = { priority: 0, weight: 1, reserve: 0, limit: Infinity };

/** Options of the `weight` scheduler's ESX idle memory tax. */
export interface IdleTaxOptions {
  /** the tax rate T, 0 <= T < 1 */
  rate: number;
  /** W: the active fraction looks at each VM's last W accesses (exact), or W is the sampling period */
  window: number;
  /** ESX-style statistical sampling of N pages per period; 0 = exact measurement */
  samplePages: number;
}

export interface SchedulerContext {
  view: SchedulerView;
  policy: PolicyDefinition;
  policyContext: PolicyContext;
  /**
   * Frames reserved by every VM the configuration declares, whether or not it has appeared in the
   * trace yet: free frames are held back for them from the start.
   */
  declaredReserve: number;
  /** `weight` only; null = plain proportional share */
  idleTax: IdleTaxOptions | null;
  /** `balance` only: accesses between rebalances (default 100000) */
  rebalance?: number;
}

export interface Scheduler {
  /** grow per-page state for page ids below `pages` */
  resize(pages: number): void;
  /** VM `vm` joined (VMs are numbered densely, in order of first appearance) */
  addVm(vm: number, params: VmParams): void;
  /** page of VM `vm` was loaded at `position` (the engine then counts it resident); `write`: by a write */
  insert(page: number, vm: number, position: number, write: boolean): void;
  /** resident page of VM `vm` was accessed at `position`; `write`: a write */
  hit(page: number, vm: number, position: number, write: boolean): void;
  /** page of VM `vm` left memory (called while it is still counted resident) */
  remove(page: number, vm: number): void;
  /** VM `vm` was OOM-killed; all its pages have been removed */
  killed(vm: number): void;
  /** may VM `vm` take a free frame (false: it must replace a page, e.g. at its limit) */
  mayTakeFree(vm: number): boolean;
  /** the page to evict for a fault of VM `vm`, among the pages `accept` takes; -1 if none */
  victim(vm: number, accept: Accept): number;
  /**
   * What each VM is entitled to now, in frames (index = VM), for reports: its partition under
   * `partition`, else its weighted max-min fair share among the live VMs that have touched
   * memory (0 for the others).
   */
  entitlements(): number[];
  /**
   * The one policy every access and victim goes to, while nothing else decides a victim (global
   * without limits or reserves), for the engine's inline replay; null or absent otherwise.
   */
  solePolicy?(): ReplacementPolicy | null;
  /** `balance`: each VM's target frames now (index = VM), for the --interval series */
  targets?(): number[];
}

export interface SchedulerDefinition {
  /** the name users type after --scheduler; equal to the file's name */
  readonly name: string;
  readonly summary: string;
  /** partitions are static: every VM must be known before the replay (a discovery pass) */
  readonly needsAllVms: boolean;
  create(ctx: SchedulerContext): Scheduler;
}
