/**
 * The one interface between the pager (src/engine/engine.ts) and a host's frames when they are
 * more than a count. The engine alone replays accesses and owns every paging rule (SPEC 2:
 * commit, hit, fault, evict, swap, write-back, release, OOM); it asks a frame store only where a
 * frame comes from, tells it when one is given back, and asks which pages a frame backs.
 *
 * - The plain store, F interchangeable frames handed out lowest first with a freed frame reused
 *   first, is not an object: it is a few counters inline in the engine (Engine.store === null),
 *   so that the replay of the common case stays one monomorphic loop (an earlier attempt that
 *   called a counting store object on every fault ran 3-8% slower).
 * - MemoryModel (model.ts) is the store of `--host-page`, `--compaction` and `--dedup`: frames
 *   from a buddy allocator, huge blocks for aligned guest regions, compaction, and content
 *   sharing layered over them, where one frame may back several pages.
 *
 * The per-frame half of the frame table, `frameOwner`, is the store's; the per-page half,
 * `frameOf`, is the engine's.
 */
export interface FrameStore {
  /** frames in use: holding pages, or set aside for them in a huge block */
  readonly inUse: number;
  /** per frame: the page in it (the first of its pages when shared), -1 when free; covers every frame */
  readonly frameOwner: Int32Array;
  /** whether a frame may back several pages (content sharing): the engine then reports content changes */
  readonly sharing: boolean;
  /** the page after p among its frame's pages (frameOwner[frame] is the first), -1 at the end */
  nextSharer(p: number): number;
  /** follows the pager's page capacity (called as it grows) */
  ensurePages(): void;

  // where a frame comes from
  /**
   * A frame set aside for page p of VM v, taken without eviction and without asking the
   * scheduler (its slot in its region's huge block), or -1.
   */
  reserved(p: number, v: number): number;
  /** whether a frame is free */
  hasFree(): boolean;
  /** takes a free frame for page p (hasFree() said there is one) */
  take(p: number): number;
  /** page p now lives in `frame` (a fault, or a copy-on-write), the frame's first page */
  map(p: number, frame: number): void;

  // what happens when one is given back
  /** released page p (F, RESET, OOM kill) has left `frame`; the frame is free once no page holds it */
  release(p: number, frame: number): void;
  /** every page of `frame` has been evicted: it goes back to the allocator (the engine asks again) */
  reclaim(frame: number): void;

  // content (a store without sharing keeps only what the engine tells it)
  /** whether tick() does anything (a scanner runs: KSM); the engine calls it only then */
  readonly scanning: boolean;
  /** one access done (a scanner's clock, as KSM's) */
  tick(): void;
  /** page p's content id */
  contentOf(p: number): number;
  /** non-resident page p has content c (an allocation row's token; 0: freed, a zero page again) */
  recordContent(p: number, c: number): void;
  /** a write fault of page p leaves content `token` (0: a content no other page has) */
  written(p: number, token: number): void;
  /** the resident frame faulting page p of VM v joins because it holds p's content (p is mapped), or -1 */
  sharedFrame(p: number, v: number): number;
  /**
   * Resident page p of VM v gets content `token` (0: a content no other page has). True when p
   * keeps a frame (changed in place, or merged into one holding that content); false when it
   * left a shared frame (copy-on-write) and needs a frame of its own, which the engine takes and
   * hands to map().
   */
  rewrite(p: number, v: number, token: number): boolean;
}
