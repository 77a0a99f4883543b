/**
 * The bits of a page's state (SPEC 2), one byte per page in the pager's `state` array. Here,
 * below both the engine and the frame stores, because both read them: the engine sets them; a
 * store that scans or moves pages (the KSM scanner, compaction, its invariant checks) reads them.
 */
export const RESIDENT = 1;
export const DIRTY = 2;
/** the page's content is in a swap slot (a valid copy while clean) */
export const SWAPPED = 4;
export const COMMITTED = 8;
/**
 * evicted since the page was last released (F, RESET, kill): its next load is a refault (for
 * policies that remember evicted pages, PolicyContext.refault); a release clears it
 */
export const EVICTED = 16;
