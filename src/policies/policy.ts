/**
 * The one interface every replacement policy implements (libCacheSim's idea: a small vtable of
 * insert / hit / remove / victim). A policy sees dense integer page ids only; it knows nothing of
 * VMs, swap or trace formats. Per-page state lives in typed arrays indexed by page id.
 */

/** Accepts or refuses a candidate page (e.g. "can be dropped without a write when swap is full"). */
export type Accept = ((page: number) => boolean) | null;

export interface PolicyContext {
  /** seed for policies that draw random numbers */
  seed: number;
  /**
   * For look-ahead policies (opt): nextUse[i] is the position of the next access to the page
   * accessed at position i, or -1 when it is never accessed again.
   */
  nextUse?: Int32Array;
  /**
   * incoming[0] is the page the fault being served loads, written by the engine before it asks
   * for a victim (-1 when the victim is wanted for a page that is not this policy's, e.g. another
   * VM's fault under a stealing scheduler). For policies whose choice depends on the page coming
   * in, as ARC's does on a ghost hit; others ignore it.
   */
  incoming?: Int32Array;
  /**
   * The frames this policy's pages may fill (its cache size, for policies whose queue sizes are
   * fractions of it: 2Q, SLRU, LIRS, S3-FIFO). Absent: the pages it holds when asked for a victim.
   */
  capacity?: () => number;
  /** --tick, --aging-bits, --tau; absent: DEFAULT_POLICY_OPTIONS */
  options?: PolicyOptions;
  /**
   * The host's page-access position of the access being served (the engine's `position`: every
   * R and W page touch of every VM), for policies whose clock ticks (nru, aging) when a victim
   * is asked for between their own accesses.
   */
  now?: () => number;
  /** the VM of a page, for policies that keep per-VM time (wsclock) */
  vmOf?: (page: number) => number;
  /**
   * Writes a resident dirty page to swap now, leaving it resident and clean (a swap-out: it takes
   * a slot; SPEC 2: the copy is valid until the page is written again). False when it cannot (swap
   * full). For policies that clean pages ahead of eviction (wsclock).
   */
  writeBack?: (page: number) => boolean;
  /**
   * True while the engine removes a page because it evicts it (the page victim() named), false
   * when the page is freed (F, RESET, OOM kill) or moved: for policies that remember evicted pages
   * (linux's shadow entries).
   */
  evicting?: () => boolean;
  /** the page was evicted since it was last freed (F, RESET, kill): its load is a refault */
  refault?: (page: number) => boolean;
  /**
   * True for one of many instances (one per VM or class): its memory must follow its own pages,
   * not the trace (opt keeps a bitmap over the trace's positions in a run's one instance only).
   */
  perGroup?: boolean;
}

/** The options of the operating systems' policies (SPEC 2.1). */
export interface PolicyOptions {
  /** nru, aging: referenced bits are cleared (aging: counters shifted) every `tick` host accesses */
  tick: number;
  /** aging: bits per counter */
  agingBits: number;
  /** wsclock: working-set window, in the page's VM's own accesses */
  tau: number;
}

export const DEFAULT_POLICY_OPTIONS: Readonly<PolicyOptions> = { tick: 1000, agingBits: 8, tau: 10000 };

/** The most bits an aging counter may have (a page's reference history is one 32-bit word). */
export const MAX_AGING_BITS = 31;

export interface ReplacementPolicy {
  /** Make room for page ids below `pages` (called before such ids are inserted). */
  resize(pages: number): void;
  /** `page` was loaded into a frame by the access at `position` (`write`: that access writes it). */
  insert(page: number, position: number, write?: boolean): void;
  /** resident `page` was accessed again at `position` (`write`: a write; the page is then dirty). */
  hit(page: number, position: number, write?: boolean): void;
  /** `page` left memory (evicted, freed, or its VM was killed). */
  remove(page: number): void;
  /**
   * The page to evict: the first candidate in the policy's order that `accept` takes (all, when
   * null), or -1 when there is none. Selecting does not remove: the engine calls remove().
   */
  victim(accept: Accept): number;
  /** resident pages it tracks */
  readonly size: number;
  /** the policy as one list the engine may drive inline (InlineQueue); null or absent: it may not */
  inlineQueue?(): InlineQueue | null;
}

/**
 * A policy that is one list of pages (links as PageList's) and nothing else but what is named
 * here, so that the engine's inline replay (Engine.replayQueue) can work on it itself and call
 * none of the policy's methods (a property test holds the two ways equal):
 * - without `clock`: the victim is always the head, a loaded page goes to the tail, and a hit
 *   moves its page to the tail (`movesOnHit`: lru) or leaves it (fifo);
 * - with `clock` (second chance): a hit sets the page's reference bit; the victim is the first
 *   page from the hand, read circularly, whose bit is clear (the bits passed over are cleared),
 *   and the hand moves to the page after it; a loaded page goes just before the hand with its
 *   bit clear (at the tail, as the hand, into an empty list).
 */
export interface InlineQueue {
  readonly list: { links: Int32Array; head: number; tail: number; size: number };
  readonly movesOnHit: boolean;
  readonly clock: InlineClock | null;
}

/** A clock's reference bits (index = page) and its hand (a page of the list; -1 when it is empty). */
export interface InlineClock {
  ref: Uint8Array;
  hand: number;
}

export interface PolicyDefinition {
  /** the name users type after --policy; equal to the file's name */
  readonly name: string;
  /** one line for --help and docs/engine.md */
  readonly summary: string;
  /** true when it needs the whole future of the trace (read in advance) */
  readonly needsFuture: boolean;
  /**
   * true when the policy's order is a sort of the pages by keys of their own (last access, load
   * time, count, next use) and victim() changes nothing: the first page of any subset that
   * `accept` takes is then the victim of an instance that saw only that subset's pages. A
   * scheduler may keep such an instance per VM beside its shared one, so that a VM at its limit
   * finds its own page without walking past other VMs' (schedulers/own-pages.ts).
   */
  readonly ordersSubsets?: boolean;
  /**
   * true when the policy reads nothing of the engine while it runs (of its PolicyContext at most
   * seed, nextUse, incoming, capacity, options, perGroup: no callback into the engine's state),
   * so that the engine may keep its own counts in locals around the policy's calls
   * (Engine.replayPolicy, the inline replay).
   */
  readonly engineFree?: boolean;
  /**
   * Else, the engine's callbacks it reads, when they are only these, which the inline replay
   * keeps true as the general way does: `now` (the position is kept current around its calls),
   * `evicting` (set around an eviction's remove()), `refault` (the pages' states are kept in
   * place). A policy that calls writeBack or vmOf has neither field.
   */
  readonly engineReads?: readonly ('now' | 'evicting' | 'refault')[];
  /** the options of PolicyOptions it reads (the CLI refuses the others with it) */
  readonly options?: readonly (keyof PolicyOptions)[];
  create(ctx: PolicyContext): ReplacementPolicy;
  /**
   * Many instances of the policy at once, one per group of pages (a VM, a priority class), over
   * shared arrays indexed by page id: for schedulers that keep a policy per VM, so that 10,000
   * VMs do not mean 10,000 objects and arrays cold in the cache. Optional: without it the
   * schedulers make one instance per group (schedulers/groups.ts). Each group must order its
   * pages exactly as an instance of create() given only that group's pages would.
   */
  createGroups?(ctx: PolicyContext): GroupedPolicy;
}

/** Instances of one policy, each over the pages of one group; page ids throughout (see createGroups). */
export interface GroupedPolicy {
  /** groups so far */
  readonly length: number;
  /**
   * A new group, numbered from 0; `capacity` gives the frames the group may fill when the
   * scheduler fixes it (a partition), for policies whose queue sizes are fractions of it.
   */
  add(capacity?: () => number): number;
  /** Make room for page ids below `pages`. */
  resize(pages: number): void;
  insert(page: number, group: number, position: number, write: boolean): void;
  hit(page: number, group: number, position: number, write: boolean): void;
  remove(page: number, group: number): void;
  /** resident pages of the group */
  size(group: number): number;
  /** The group's victim among the pages `accept` takes; -1 if none. */
  victim(group: number, accept: Accept): number;
  /**
   * Only for a policy whose groups list their pages in order of last access, least recent first
   * (lru): the page of `page`'s group accessed next after it, -1 when it is the latest.
   */
  newer?(page: number): number;
}

/**
 * A policy whose per-page state is arrays indexed by page id, which it can hand over and take
 * from another instance: instances over disjoint pages can then run over one set of arrays.
 */
export interface SharingPolicy<A> extends ReplacementPolicy {
  /** its per-page arrays */
  arrays(): A;
  /** from now on, work on these (another instance's) */
  share(arrays: A): void;
}

/**
 * GroupedPolicy from instances over one set of per-page arrays (PolicyDefinition.createGroups):
 * an instance per group, so each group chooses exactly as an instance given only its pages would,
 * but no arrays of its own to grow and no ids of its own to translate. The first instance grows
 * the arrays; the others are pointed at them again after each growth (a doubling: O(log pages)
 * times in all).
 */
export class SharedGroups<A> implements GroupedPolicy {
  private readonly members: SharingPolicy<A>[] = [];
  private pages = 0;

  constructor(private readonly make: () => SharingPolicy<A>) {}

  get length(): number {
    return this.members.length;
  }

  add(): number {
    const member = this.make();
    const first = this.members[0];
    if (first === undefined) member.resize(this.pages);
    else member.share(first.arrays());
    return this.members.push(member) - 1;
  }

  resize(pages: number): void {
    this.pages = Math.max(this.pages, pages);
    const first = this.members[0];
    if (first === undefined) return;
    first.resize(pages);
    const arrays = first.arrays();
    for (let k = 1; k < this.members.length; k++) this.members[k]!.share(arrays);
  }

  insert(page: number, group: number, position: number, write: boolean): void {
    this.members[group]!.insert(page, position, write);
  }

  hit(page: number, group: number, position: number, write: boolean): void {
    this.members[group]!.hit(page, position, write);
  }

  remove(page: number, group: number): void {
    this.members[group]!.remove(page);
  }

  size(group: number): number {
    return this.members[group]!.size;
  }

  victim(group: number, accept: Accept): number {
    return this.members[group]!.victim(accept);
  }

  /** the per-page arrays every member works on (none before the first group) */
  protected shared(): A | undefined {
    return this.members[0]?.arrays();
  }
}

/** Grows a typed array to at least `n` entries (doubling), keeping its contents. */
export function grown<T extends Int32Array | Uint32Array | Uint8Array | Float64Array>(arr: T, n: number, fill = 0): T {
  if (n <= arr.length) return arr;
  let cap = Math.max(16, arr.length);
  while (cap < n) cap *= 2;
  const next = new (arr.constructor as new (n: number) => T)(cap);
  next.set(arr);
  if (fill !== 0) next.fill(fill, arr.length);
  return next;
}
