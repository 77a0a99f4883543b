/**
 * Page-walk cost models (SPEC 2.3): how many memory references one TLB miss costs. Pure
 * functions of the table depths and the mode, so that other models (e.g. a buddy allocator that
 * backs real huge frames) can reuse them.
 */

/** The translation modes that walk tables (`none` attaches no model). */
export const TRANSLATION_MODES = ['nested', 'shadow'] as const;
export type TranslationMode = (typeof TRANSLATION_MODES)[number];

export const KIB4 = 4096;
export const MIB2 = 2 * 1024 * 1024;
export const GIB1 = 1024 * 1024 * 1024;
/** The leaf sizes of x86-64 (and ARM64 with a 4 KiB granule) paging. */
export const STAGE_PAGE_SIZES = [KIB4, MIB2, GIB1] as const;

/**
 * Levels a leaf of `pageSize` bytes saves: a 2 MiB page ends the walk one level early (the PDE is
 * the leaf), a 1 GiB page two levels early (the PDPTE is the leaf).
 */
export function levelsSaved(pageSize: number): number {
  if (pageSize >= GIB1) return 2;
  if (pageSize >= MIB2) return 1;
  return 0;
}

/** The depth of a table of `levels` levels whose leaves map pages of `pageSize` bytes. */
export function stageDepth(levels: number, pageSize: number): number {
  return levels - levelsSaved(pageSize);
}

/**
 * Memory references of one walk after a TLB miss.
 * - nested (two-dimensional, EPT/NPT): each of the n guest levels, and the final guest-physical
 *   address, is a guest-physical address that needs an m-level host walk, plus the n guest
 *   entries themselves: n(m+1) + m = (n+1)(m+1) - 1 (Bhargava et al., ASPLOS 2008).
 * - shadow: one walk of the shadow table (guest-virtual -> host), `guestDepth` references; pass
 *   the shadow table's depth (see shadowDepth).
 */
export function walkRefsPerMiss(mode: TranslationMode, guestDepth: number, hostDepth: number): number {
  return mode === 'nested' ? (guestDepth + 1) * (hostDepth + 1) - 1 : guestDepth;
}

/**
 * Depth of the shadow table: it mirrors the guest's table format (guest levels), and a shadow
 * leaf can map a huge page only where both the guest page and its host backing are huge, so its
 * leaves are the smaller of the two page sizes (as in KVM's shadow MMU).
 */
export function shadowDepth(guestLevels: number, guestPageSize: number, hostPageSize: number): number {
  return stageDepth(guestLevels, Math.min(guestPageSize, hostPageSize));
}

/** The depths the walk of `mode` uses, given the configured levels and page sizes. */
export function refsPerMiss(
  mode: TranslationMode,
  guestLevels: number,
  hostLevels: number,
  guestPageSize: number,
  hostPageSize: number,
): number {
  if (mode === 'shadow') return walkRefsPerMiss('shadow', shadowDepth(guestLevels, guestPageSize, hostPageSize), 0);
  return walkRefsPerMiss('nested', stageDepth(guestLevels, guestPageSize), stageDepth(hostLevels, hostPageSize));
}
