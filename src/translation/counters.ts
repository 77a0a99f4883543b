/**
 * Translation counters of one VM. They do not depend on the mode: the TLB sees the same accesses
 * and invalidations under nested and shadow paging; only the price of a miss (walk.ts) and
 * whether mapping changes cost shadow-table updates differ, so one replay serves every mode.
 */
import type { TranslationMode } from './walk.js';

export class TranslationCounters {
  tlbHits = 0;
  tlbMisses = 0;
  /** TLB entries dropped because their page was evicted, remapped or freed */
  tlbInvalidations = 0;
  /** RESETs (each flushes the VM's TLB) */
  tlbFlushes = 0;
  /** guest mappings created: a guest-virtual page got a guest-physical page (first touch, or first touch after F/RESET) */
  newMappings = 0;
  /** guest mappings removed by F or RESET (resident or not) */
  guestUnmaps = 0;
  /** host-stage entries created (every fault backs a guest-physical page with a frame) */
  hostMaps = 0;
  /** host-stage entries removed because the host evicted the page */
  evictionUnmaps = 0;
  /** host-stage entries removed because the guest freed the page (F, RESET) */
  releaseUnmaps = 0;
  /**
   * major faults that brought a page back into a different frame than it was in before, and
   * resident pages the host moved to another frame (compaction, page merging, copy-on-write)
   */
  remaps = 0;
  /** TLB misses of pages mapped by a host huge block (their host walk is shorter; memory model only) */
  hugeMisses = 0;

  /** Translations withdrawn: by the host (eviction) or by the guest (F, RESET). */
  get unmaps(): number {
    return this.evictionUnmaps + this.guestUnmaps;
  }

  /** Shadow-table updates (VM exits) under shadow paging: new mappings, unmaps and remaps. */
  shadowUpdates(mode: TranslationMode): number {
    return mode === 'shadow' ? this.newMappings + this.unmaps + this.remaps : 0;
  }

  add(o: TranslationCounters): void {
    this.tlbHits += o.tlbHits;
    this.tlbMisses += o.tlbMisses;
    this.tlbInvalidations += o.tlbInvalidations;
    this.tlbFlushes += o.tlbFlushes;
    this.newMappings += o.newMappings;
    this.guestUnmaps += o.guestUnmaps;
    this.hostMaps += o.hostMaps;
    this.evictionUnmaps += o.evictionUnmaps;
    this.releaseUnmaps += o.releaseUnmaps;
    this.remaps += o.remaps;
    this.hugeMisses += o.hugeMisses;
  }
}
