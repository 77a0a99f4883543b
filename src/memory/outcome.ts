/**
 * The memory model's figures at the end of a run, per VM (output order) and in total: what the
 * report prints (SPEC 2.6, docs/memory.md).
 */
import type { MemoryConfig } from './config.js';
import { MemoryVmCounters, type MemoryModel, type Pager } from './model.js';

export interface MemoryVmOutcome {
  name: string;
  /** shared frames whose first mapper is this VM's page (TOTAL: every frame backing 2+ pages) */
  pagesShared: number;
  /** this VM's further mappings of shared frames: frames saved */
  pagesSharing: number;
  savedBytes: number;
  counters: MemoryVmCounters;
  /** resident pages mapped by a huge block, and their share of the resident pages */
  hugePages: number;
  hugeCoverage: number;
}

export interface MemoryOutcome {
  config: MemoryConfig;
  pageSize: number;
  vms: MemoryVmOutcome[];
  total: MemoryVmOutcome;
  /** pages_sharing / (frames in use + pages_sharing): the share of the memory the resident pages would take unshared that sharing saves */
  savedFraction: number;
  framesInUse: number;
  freeFrames: number;
  /** free blocks per order 0 .. max order */
  freeBlocks: number[];
  /** the order of a 2 MiB block, null when the page size or memory does not allow one */
  order2MiB: number | null;
  /** Gorman's unusable free space index for 2 MiB blocks (null as order2MiB) */
  unusableIndex2MiB: number | null;
  ksmPagesScanned: number;
  ksmFullScans: number;
  compactions: number;
  compactionFrames: number;
  compactionFailures: number;
}

/** The buddy order of a 2 MiB block, null when the page size or memory does not allow one. */
export function orderOf2MiB(model: MemoryModel, pageSize: number): number | null {
  const order = Math.log2((2 * 1024 * 1024) / pageSize);
  return Number.isInteger(order) && order >= 0 && order <= model.buddy.maxOrder ? order : null;
}

export function memoryOutcome(model: MemoryModel, order: number[], names: readonly string[], engine: Pager): MemoryOutcome {
  const pageSize = engine.config.pageSize;
  const snap = model.snapshot(names.length);
  const zero = { pagesShared: 0, pagesSharing: 0, hugePages: 0 };
  const vmOutcome = (name: string, figures: typeof zero, counters: MemoryVmCounters, resident: number): MemoryVmOutcome => ({
    name,
    pagesShared: figures.pagesShared,
    pagesSharing: figures.pagesSharing,
    savedBytes: figures.pagesSharing * pageSize,
    counters,
    hugePages: figures.hugePages,
    hugeCoverage: resident > 0 ? figures.hugePages / resident : 0,
  });
  const vms = order.map((v) => vmOutcome(names[v]!, snap.perVm[v] ?? zero, model.counters[v] ?? new MemoryVmCounters(), engine.vms[v]?.resident ?? 0));
  const sum = new MemoryVmCounters();
  for (const c of model.counters) for (const key of Object.keys(sum) as (keyof MemoryVmCounters)[]) sum[key] += c[key];
  let resident = 0;
  for (const c of engine.vms) resident += c.resident;
  const total = vmOutcome('TOTAL', { pagesShared: snap.pagesShared, pagesSharing: snap.pagesSharing, hugePages: snap.hugePages }, sum, resident);
  const framesInUse = model.framesInUse;
  const order2MiB = orderOf2MiB(model, pageSize);
  return {
    config: model.config,
    pageSize,
    vms,
    total,
    savedFraction: framesInUse + snap.pagesSharing > 0 ? snap.pagesSharing / (framesInUse + snap.pagesSharing) : 0,
    framesInUse,
    freeFrames: snap.freeFrames,
    freeBlocks: snap.freeBlocks,
    order2MiB,
    unusableIndex2MiB: order2MiB === null ? null : model.buddy.unusableIndex(order2MiB),
    ksmPagesScanned: model.ksmPagesScanned,
    ksmFullScans: model.ksmFullScans,
    compactions: model.compactions,
    compactionFrames: model.compactionFrames,
    compactionFailures: model.compactionFailures,
  };
}
