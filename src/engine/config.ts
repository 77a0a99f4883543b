/**
 * Everything the engine needs to know, already validated (the CLI and scenario files build it).
 */
import type { MemoryConfig } from '../memory/config.js';
import type { PolicyName } from '../policies/index.js';
import type { PolicyOptions } from '../policies/policy.js';
import type { SchedulerName } from '../schedulers/index.js';
import type { IdleTaxOptions, VmParams } from '../schedulers/scheduler.js';

export interface Latency {
  /** a hit: one memory access */
  hitNs: number;
  /** a minor fault (first touch, zero fill) */
  minorNs: number;
  /** a major fault (a page read back from swap) */
  majorNs: number;
  /** writing a dirty victim to swap, paid by the faulting access */
  swapoutNs: number;
  /** one memory reference of a page walk (translation) */
  walkrefNs: number;
  /** one VM exit for a shadow-table update (--translation shadow); 0 by default: counted, not priced */
  vmexitNs: number;
}

export const DEFAULT_LATENCY: Latency = { hitNs: 100, minorNs: 2000, majorNs: 50000, swapoutNs: 50000, walkrefNs: 100, vmexitNs: 0 };

export type OnOom = 'kill' | 'error';

/** A VM declared with --vm or in a scenario file: its parameters in frames. */
export interface VmSpec extends VmParams {
  name: string;
  /** where it was declared, for messages: `scenario.json: vms[1]`, `--vm[0]` */
  origin: string;
  /** its trace file, when it names one */
  trace?: string;
  /** two levels (SPEC 2.7): its guest OS's settings as declared (memory=, guest_policy=, ...) */
  guest?: Partial<GuestSettings>;
}

export interface EngineConfig {
  frames: number;
  pageSize: number;
  /** swap slots; Infinity = unlimited */
  swapSlots: number;
  policy: PolicyName;
  scheduler: SchedulerName;
  seed: number;
  onOom: OnOom;
  /** count accesses to never-allocated pages as invalid instead of committing them on demand */
  strictAlloc: boolean;
  latency: Latency;
  /** page sharing, buddy allocator and host huge pages (src/memory); absent: the core engine's frames */
  memory?: MemoryConfig;
  /** declared VMs (--vm, --config); VMs not declared get DEFAULT_VM_PARAMS */
  vms?: readonly VmSpec[];
  /** the `weight` scheduler's ESX idle memory tax; absent or null: off */
  idleTax?: IdleTaxOptions | null;
  /** the `balance` scheduler's accesses between rebalances; absent: 100000 */
  rebalance?: number;
  /** --tick, --aging-bits, --tau; absent: DEFAULT_POLICY_OPTIONS */
  policyOptions?: PolicyOptions;
  /** two levels of memory (SPEC 2.7, two-level.ts); absent: one level */
  twoLevel?: TwoLevelConfig;
}

/** A guest OS's settings (SPEC 2.7): per VM (`--vm ...,memory=`), else the run's defaults. */
export interface GuestSettings {
  /** guest frames G; Infinity: as many as the VM touches (a VM given no memory) */
  frames: number;
  policy: PolicyName;
  /** guest swap slots; Infinity = unlimited */
  swapSlots: number;
  /** has a balloon driver (balloon=0: none) */
  balloon: boolean;
  /** the most of its guest frames the balloon may hold, a fraction (ESX Mem.CtlMaxPercent, 0.65) */
  balloonMax: number;
  /** pages per frame of the compression cache */
  compressRatio: number;
  /** the most of its guest frames the compression cache may hold, a fraction (ESX Mem.MemZipMaxPct, 0.10) */
  compressMax: number;
}

export type ReclaimStep = 'share' | 'balloon' | 'compress' | 'swap';
export const RECLAIM_STEPS: readonly ReclaimStep[] = ['share', 'balloon', 'compress', 'swap'];

export interface TwoLevelConfig {
  /** VMs not declared with settings of their own (`--guest-memory`, `--guest-policy`, ...) */
  defaults: GuestSettings;
  /** per declared VM name */
  perVm: ReadonlyMap<string, GuestSettings>;
  /** --reclaim, in order */
  reclaim: readonly ReclaimStep[];
  freePageReporting: boolean;
  /** --latency decompress= */
  decompressNs: number;
}

export const DEFAULT_DECOMPRESS_NS = 5000;
