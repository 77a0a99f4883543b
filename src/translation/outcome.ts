/**
 * The translation figures of a finished run, per mode, per VM and in total (SPEC 2.3, 2.4):
 * what the report prints. The price of translation under the latency model (SPEC 2.5): every
 * walk reference costs `walkref`, every shadow-table update `vmexit`.
 */
import type { Latency } from '../engine/config.js';
import type { VmCounters } from '../engine/stats.js';
import type { TranslationConfig } from './config.js';
import { TranslationCounters } from './counters.js';
import type { GuestLayout, TranslationModel } from './model.js';
import { refsPerMiss, shadowDepth, STAGE_PAGE_SIZES, stageDepth, type TranslationMode } from './walk.js';

/** The largest x86 leaf not above the engine's page size (at least 4 KiB). */
function stagePageOf(pageSize: number): number {
  let best: number = STAGE_PAGE_SIZES[0];
  for (const s of STAGE_PAGE_SIZES) if (s <= pageSize) best = s;
  return best;
}

export interface TranslationVmOutcome {
  name: string;
  counters: TranslationCounters;
  walkRefs: number;
  shadowUpdates: number;
  /** ns spent translating: walkRefs * walkref + shadowUpdates * vmexit */
  translationNs: number;
  /** effective access time with translation, ns */
  eatNs: number;
  /** translationNs / total cost (0 when nothing cost anything) */
  translationShare: number;
}

export interface TranslationModeOutcome {
  mode: TranslationMode;
  /** memory references per TLB miss (of a page in a single host frame when huge blocks back pages) */
  refsPerMiss: number;
  /** memory references per TLB miss of a page mapped by a host huge block (= refsPerMiss without the memory model) */
  refsPerHugeMiss: number;
  /** the VMs in output order */
  vms: TranslationVmOutcome[];
  total: TranslationVmOutcome;
}

export interface TranslationOutcome {
  config: TranslationConfig;
  /** depths of the guest and host tables after huge pages, and of the shadow table */
  guestDepth: number;
  hostDepth: number;
  shadowDepth: number;
  /** TLB reach per VM: entries * page size, bytes */
  tlbReachBytes: number;
  modes: TranslationModeOutcome[];
  /** guest-physical layout per VM in output order */
  layouts: GuestLayout[];
}

export interface VmCost {
  name: string;
  counters: VmCounters;
  /** index into the model's per-VM arrays, -1 for the total */
  vm: number;
}

export function translationOutcome(
  model: TranslationModel,
  pageSize: number,
  latency: Latency,
  vms: VmCost[],
  total: VmCost,
  /** total cost of a VM's accesses without translation, ns */
  baseCost: (c: VmCounters) => number,
): TranslationOutcome {
  const cfg = model.config;
  const empty = new TranslationCounters();
  const countersOf = (v: number): TranslationCounters => model.counters[v] ?? empty;
  const sum = new TranslationCounters();
  for (const c of model.counters) sum.add(c);
  const layouts = model.guestLayouts();
  // With a memory model backing pages by huge blocks, only the misses of pages in a huge block
  // walk with the huge host page; the others walk with the engine's page.
  const smallHostPage = model.backing !== null ? stagePageOf(pageSize) : cfg.hostPageSize;
  const modes = cfg.modes.map((mode) => {
    const perMiss = refsPerMiss(mode, cfg.guestLevels, cfg.hostLevels, cfg.guestPageSize, smallHostPage);
    const perHugeMiss = refsPerMiss(mode, cfg.guestLevels, cfg.hostLevels, cfg.guestPageSize, cfg.hostPageSize);
    const one = (o: VmCost, counters: TranslationCounters): TranslationVmOutcome => {
      const walkRefs = (counters.tlbMisses - counters.hugeMisses) * perMiss + counters.hugeMisses * perHugeMiss;
      const shadowUpdates = counters.shadowUpdates(mode);
      const translationNs = walkRefs * latency.walkrefNs + shadowUpdates * latency.vmexitNs;
      const cost = baseCost(o.counters) + translationNs;
      const accesses = o.counters.accesses;
      return {
        name: o.name,
        counters,
        walkRefs,
        shadowUpdates,
        translationNs,
        eatNs: accesses ? cost / accesses : 0,
        translationShare: cost > 0 ? translationNs / cost : 0,
      };
    };
    return {
      mode,
      refsPerMiss: perMiss,
      refsPerHugeMiss: perHugeMiss,
      vms: vms.map((o) => one(o, countersOf(o.vm))),
      total: one(total, sum),
    };
  });
  return {
    config: cfg,
    guestDepth: stageDepth(cfg.guestLevels, cfg.guestPageSize),
    hostDepth: stageDepth(cfg.hostLevels, cfg.hostPageSize),
    shadowDepth: shadowDepth(cfg.guestLevels, cfg.guestPageSize, cfg.hostPageSize),
    tlbReachBytes: cfg.tlbEntries * pageSize,
    modes,
    layouts: vms.map((o) => layouts[o.vm] ?? { mappedPages: 0, span: 0, regions2MiB: 0, pagesPerRegion: Math.max(1, 2 ** 21 / pageSize) }),
  };
}
