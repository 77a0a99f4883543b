/**
 * The check behind a paged vmt file's promise that no two PAGE records define one page (header
 * bit 3, see vmt.ts), run once at the end of a read over the whole page table.
 *
 * Why it is shaped so: one hash table of every page (PageIds) is far bigger than the caches on
 * big traces (millions of pages), and every insert into it is a random access to memory. Here
 * the pages are first partitioned by the top bits of a hash of their key (a counting sort: one
 * pass hashes and counts, one copies each hash with its page index into bucket-contiguous
 * pairs, in index order), so that equal keys share a bucket and both passes go through memory
 * mostly in order. Each bucket (about BUCKET_KEYS pages) is then checked with a small
 * open-addressing table that stays in cache. Only (hash, index) is copied, 8 bytes a page, not
 * the key: fewer bytes and write streams make the scatter, the dearest pass, faster; the keys
 * themselves are read from the page table only when two full hashes are equal (rare unless the
 * pages are). Typed arrays only, proportional to the pages.
 */

/** average pages per bucket: a bucket's pairs and table fit in a core's L2 cache */
const BUCKET_KEYS = 4096;
/** at most 2^MAX_BITS buckets: with more, the scatter's many write streams slow it down */
const MAX_BITS = 10;

/**
 * A hash of page key (VM, page number hi:lo) whose every bit depends on every key bit (exported
 * for the tests, which plant keys of equal hashes).
 */
export function keyHash(vm: number, hi: number, lo: number): number {
  const h = lo ^ Math.imul(hi, 0x9e3779b1) ^ Math.imul(vm, 0x85ebca77);
  // murmur3's finalizer
  const h2 = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  const h3 = Math.imul(h2 ^ (h2 >>> 13), 0xc2b2ae35);
  return h3 ^ (h3 >>> 16);
}

/**
 * The first two page indices of a page table (`table[4 * ref]` = page low, `+ 1` = page high,
 * `+ 2` = VM, per index `ref` below `refs`) that define the same page, or null: [a, b] with b
 * the smallest index whose page an earlier index defines, and a the first index of that page.
 */
export function firstRepeat(table: Int32Array, refs: number): [number, number] | null {
  let bits = 0;
  while (bits < MAX_BITS && refs > BUCKET_KEYS << bits) bits++;
  const buckets = 1 << bits;
  // bucket of hash h: its top `bits` bits (in two shifts, as bits may be 0 and h >>> 32 is h)
  const down = 16 - bits;

  // Hash and count; then start[k] = where bucket k begins.
  const hashes = new Int32Array(refs);
  const start = new Int32Array(buckets + 1);
  for (let ref = 0, at = 0; ref < refs; ref++, at += 4) {
    const h = keyHash(table[at + 2]!, table[at + 1]!, table[at]!);
    hashes[ref] = h;
    start[((h >>> 16) >>> down) + 1]++;
  }
  let largest = 0;
  for (let k = 0; k < buckets; k++) {
    largest = Math.max(largest, start[k + 1]!);
    start[k + 1] += start[k]!;
  }

  // Scatter (hash, index) pairs, in index order: each bucket lists its pages by increasing index.
  const pairs = new Int32Array(2 * refs);
  const next = start.slice(0, buckets);
  for (let ref = 0; ref < refs; ref++) {
    const h = hashes[ref]!;
    const j = 2 * next[(h >>> 16) >>> down]!++;
    pairs[j] = h;
    pairs[j + 1] = ref;
  }

  // In each bucket the first page met before (the smallest such index of the bucket); the
  // answer is the smallest over buckets. Slots hold positions in `pairs` from the bucket's start.
  let size = 16;
  while (size < 2 * largest) size *= 2;
  const slots = new Int32Array(size);
  let a = -1;
  let b = refs;
  for (let k = 0; k < buckets; k++) {
    const from = 2 * start[k]!;
    const to = 2 * start[k + 1]!;
    let mask = 15;
    while (mask + 1 < to - from) mask = 2 * mask + 1;
    slots.fill(-1, 0, mask + 1);
    scan: for (let j = from; j < to && pairs[j + 1]! < b; j += 2) {
      const h = pairs[j]!;
      for (let i = h & mask; ; i = (i + 1) & mask) {
        const s = slots[i]!;
        if (s < 0) {
          slots[i] = j - from;
          break;
        }
        const at = from + s;
        if (pairs[at] === h && samePage(table, pairs[at + 1]!, pairs[j + 1]!)) {
          a = pairs[at + 1]!;
          b = pairs[j + 1]!;
          break scan;
        }
      }
    }
  }
  return a < 0 ? null : [a, b];
}

function samePage(table: Int32Array, x: number, y: number): boolean {
  return table[4 * x] === table[4 * y] && table[4 * x + 1] === table[4 * y + 1] && table[4 * x + 2] === table[4 * y + 2];
}
