/**
 * The two-stage address translation of SPEC 2.3, layered on the engine as an observer: it never
 * changes paging, it watches it.
 *
 * - Guest stage (per VM): guest-virtual page -> guest-physical page, created on the page's first
 *   touch by the VM's guest allocator (guest-alloc.ts), removed when the guest frees the page
 *   (F, RESET, OOM kill). An engine page id is a (VM, guest-virtual page), so this stage is one
 *   Int32Array indexed by page id.
 * - Host stage (per VM): guest-physical page -> host frame (the engine's frame), set on every
 *   fault, cleared on eviction and on release. A *remap* is a major fault that lands in another
 *   frame than the page was in before.
 * - TLB (per VM, tlb.ts): guest-virtual page -> host frame; looked up on every access, filled by
 *   a walk of both stages on a miss; an entry is invalidated when its page is evicted, remapped
 *   or freed, and a VM's whole TLB is flushed on RESET.
 *
 * Every translation is checked against the frame the engine put the page in: a stale TLB entry
 * or host-stage entry (a VM reaching a frame it does not hold) stops the run as an internal error.
 */
import { HIT, MAJOR, type Engine, type EngineObserver } from '../engine/engine.js';
import { mulberry32 } from '../rng.js';
import type { MemoryModel } from '../memory/model.js';
import { grown } from '../policies/policy.js';
import type { TranslationConfig } from './config.js';
import { TranslationCounters } from './counters.js';
import { guestAllocator, type GuestPhysicalAllocator } from './guest-alloc.js';
import { Tlb } from './tlb.js';

/** A VM's guest-physical layout at the end of the run (fragmentation of the guest stage). */
export interface GuestLayout {
  /** guest-virtual pages mapped to guest-physical pages */
  mappedPages: number;
  /** highest guest-physical page in use + 1 */
  span: number;
  /** distinct 2 MiB-aligned guest-physical regions holding mapped pages: the 2 MiB host frames it would take to back them */
  regions2MiB: number;
  /** pages of the engine's page size per 2 MiB region */
  pagesPerRegion: number;
}

export class TranslationModel implements EngineObserver {
  readonly tlb: Tlb;
  readonly counters: TranslationCounters[] = [];
  /** the frame the last access's translation yielded (TLB or walk) */
  lastFrame = -1;
  /** whether the last access hit the TLB */
  lastTlbHit = false;

  /** guest stage: page id -> guest-physical page, -1 when unmapped */
  private gppnOf = new Int32Array(0);
  /** host stage, per VM: guest-physical page -> host frame, -1 when not backed */
  private hostStage: Int32Array[] = [];
  private allocators: GuestPhysicalAllocator[] = [];
  private pageCapacity = 0;
  /** the host's memory model when it backs pages with huge blocks (walk costs then follow the backing) */
  readonly backing: MemoryModel | null;

  constructor(
    readonly config: TranslationConfig,
    private readonly engine: Engine,
  ) {
    this.tlb = new Tlb(config.tlbEntries, config.tlbWays);
    const memory = engine.memory;
    this.backing = memory !== null && memory.config.hugeOrder > 0 ? memory : null;
  }

  private ensureVm(v: number): void {
    this.tlb.ensureVm(v);
    const seed = this.engine.config.seed;
    while (this.counters.length <= v) {
      const vm = this.counters.length;
      this.counters.push(new TranslationCounters());
      this.hostStage.push(new Int32Array(0));
      // One generator per VM: a VM's layout does not depend on how the others interleave.
      const random = mulberry32((Math.imul(seed, 0x9e3779b1) ^ Math.imul(vm + 1, 0x85ebca77)) >>> 0);
      this.allocators.push(guestAllocator(this.config.guestAlloc, this.config.guestPhysicalPages, random));
    }
  }

  private ensurePages(): void {
    const n = this.engine.ids.count;
    if (n <= this.pageCapacity) return;
    this.gppnOf = grown(this.gppnOf, n, -1);
    this.pageCapacity = this.gppnOf.length;
    this.tlb.ensurePages(this.pageCapacity);
  }

  access(p: number, v: number, frame: number, kind: number, _write: boolean, previousFrame: number): void {
    if (p >= this.pageCapacity) this.ensurePages();
    if (v >= this.counters.length) this.ensureVm(v);
    const c = this.counters[v]!;
    let gppn = this.gppnOf[p]!;
    if (gppn < 0) {
      gppn = this.allocators[v]!.take();
      this.gppnOf[p] = gppn;
      c.newMappings++;
      if (gppn >= this.hostStage[v]!.length) this.hostStage[v] = grown(this.hostStage[v]!, gppn + 1, -1);
    }
    const host = this.hostStage[v]!;
    if (kind !== HIT) {
      host[gppn] = frame;
      c.hostMaps++;
      if (kind === MAJOR && previousFrame >= 0 && previousFrame !== frame) {
        c.remaps++;
        // The page's entry went at its eviction; a remap invalidates it in any case.
        if (this.tlb.invalidate(p)) c.tlbInvalidations++;
      }
    }
    let got = this.tlb.lookup(p);
    if (got >= 0) {
      c.tlbHits++;
      this.lastTlbHit = true;
    } else {
      // The walk: guest stage, then host stage.
      c.tlbMisses++;
      this.lastTlbHit = false;
      got = host[this.gppnOf[p]!]!;
      // The walk follows the actual backing: a page in a huge block ends the host walk early.
      if (this.backing !== null && this.backing.hugeMapped(p)) c.hugeMisses++;
      const ids = this.engine.ids;
      this.tlb.fill(p, v, this.tlb.setOf(ids.hiOf[p]!, ids.loOf[p]!), got);
    }
    if (got !== frame) {
      throw new Error(`translation of page ${p} of VM ${v} yields frame ${got}, but the page is in frame ${frame}`);
    }
    this.lastFrame = got;
  }

  unmapped(p: number, v: number, frame: number): void {
    // Releases were handled by released(), which the engine calls first.
    const gppn = p < this.pageCapacity ? this.gppnOf[p]! : -1;
    if (gppn < 0) return;
    const host = this.hostStage[v]!;
    if (host[gppn] !== frame) return;
    host[gppn] = -1;
    const c = this.counters[v]!;
    c.evictionUnmaps++;
    if (this.tlb.invalidate(p)) c.tlbInvalidations++;
  }

  /** The host moved resident page p to another frame: its host-stage entry changes, its TLB entry goes (a remap). */
  moved(p: number, v: number, from: number, to: number): void {
    const gppn = p < this.pageCapacity ? this.gppnOf[p]! : -1;
    if (gppn < 0) return;
    const host = this.hostStage[v]!;
    if (host[gppn] !== from) return;
    host[gppn] = to;
    const c = this.counters[v]!;
    c.remaps++;
    if (this.tlb.invalidate(p)) c.tlbInvalidations++;
  }

  released(p: number, v: number): void {
    const gppn = p < this.pageCapacity ? this.gppnOf[p]! : -1;
    if (gppn < 0) return;
    // An OOM-killed VM's tables go away whole: nothing is counted for it.
    const counted = !this.engine.isDead(v);
    const c = this.counters[v]!;
    const host = this.hostStage[v]!;
    if (host[gppn]! >= 0) {
      host[gppn] = -1;
      if (counted) c.releaseUnmaps++;
    }
    if (this.tlb.invalidate(p) && counted) c.tlbInvalidations++;
    this.gppnOf[p] = -1;
    this.allocators[v]!.free(gppn);
    if (counted) c.guestUnmaps++;
  }

  reset(v: number): void {
    if (v >= this.counters.length) this.ensureVm(v);
    // Every page of v was released just before: its TLB is already empty; the flush is what
    // the hardware does (a new address space), counted as one.
    this.tlb.flush(v);
    this.counters[v]!.tlbFlushes++;
  }

  /** The frame a walk of both stages yields for page p now, or -1 (no side effects, no TLB). */
  translate(p: number): number {
    if (p >= this.pageCapacity) return -1;
    const gppn = this.gppnOf[p]!;
    if (gppn < 0) return -1;
    return this.hostStage[this.engine.ids.vmOf[p]!]![gppn]!;
  }

  /** The guest-physical page of page p, or -1. */
  guestPhysical(p: number): number {
    return p < this.pageCapacity ? this.gppnOf[p]! : -1;
  }

  /** Calls fn for every host-stage entry (for checks and tests, not the hot path). */
  forEachHostMapping(fn: (vm: number, gppn: number, frame: number) => void): void {
    this.hostStage.forEach((host, v) => {
      for (let g = 0; g < host.length; g++) if (host[g]! >= 0) fn(v, g, host[g]!);
    });
  }

  /** Every VM's guest-physical layout now (index = VM), in one pass over the pages. */
  guestLayouts(): GuestLayout[] {
    const pagesPerRegion = Math.max(1, (2 * 1024 * 1024) / this.engine.config.pageSize);
    const vms = this.counters.length;
    const regions: number[][] = Array.from({ length: vms }, () => []);
    const span = new Array<number>(vms).fill(0);
    const vmOf = this.engine.ids.vmOf;
    for (let p = 0; p < Math.min(this.engine.ids.count, this.pageCapacity); p++) {
      const gppn = this.gppnOf[p]!;
      if (gppn < 0) continue;
      const v = vmOf[p]!;
      if (gppn + 1 > span[v]!) span[v] = gppn + 1;
      regions[v]!.push(Math.floor(gppn / pagesPerRegion));
    }
    return regions.map((r, v) => {
      const sorted = Float64Array.from(r).sort();
      let distinct = 0;
      for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
      return { mappedPages: r.length, span: span[v]!, regions2MiB: distinct, pagesPerRegion };
    });
  }
}
