/**
 * Proportional shares of host memory (SPEC 2.2, `weight` and `partition`): weighted max-min
 * fairness with per-VM bounds, and its rounding to whole frames.
 */

export interface ShareClaim {
  /** > 0 */
  weight: number;
  /** at least this many frames (the reserve) */
  lo: number;
  /** at most this many (the limit; Infinity = none) */
  hi: number;
}

/**
 * Weighted max-min fair shares of `total` frames: share_i = clamp(lambda * w_i, lo_i, hi_i) with
 * the one lambda that makes the shares add up to `total` - so what a VM cannot hold above its
 * limit goes to the others in proportion to their weights, and a reserve is never cut. When the
 * limits add up to less than `total`, every VM gets its limit. Real numbers, not rounded.
 */
export function maxMinShares(total: number, claims: readonly ShareClaim[]): number[] {
  return shares(total, claims, true);
}

/** maxMinShares without its shortcut: the breakpoints are always sorted and searched (for tests). */
export function maxMinSharesBySearch(total: number, claims: readonly ShareClaim[]): number[] {
  return shares(total, claims, false);
}

function shares(total: number, claims: readonly ShareClaim[], shortcut: boolean): number[] {
  const n = claims.length;
  if (n === 0) return [];
  let sumHi = 0;
  let sumLo = 0;
  for (const c of claims) {
    sumHi += c.hi;
    sumLo += c.lo;
  }
  if (sumHi <= total) return claims.map((c) => c.hi);
  if (sumLo >= total) return claims.map((c) => c.lo);
  // g(lambda) = sum clamp(lambda w_i, lo_i, hi_i) is piecewise linear and non-decreasing, with
  // breakpoints at lo_i / w_i and hi_i / w_i: find the segment where it crosses `total`.
  const g = (lambda: number): number => {
    let s = 0;
    for (const c of claims) s += Math.min(c.hi, Math.max(c.lo, lambda * c.weight));
    return s;
  };
  if (shortcut && sumLo === 0) {
    // No reserve, so every lo / w breakpoint is 0 and g(0) = 0 < total. If g reaches total by
    // the smallest positive limit breakpoint b, the search below would stop at (the first
    // copy of) b with a = 0, the breakpoint before it: the same formula, without sorting 2n
    // breakpoints and evaluating g at log2(2n) of them (balance shares its spare frames so at
    // every window, over every VM).
    let b = Infinity;
    for (const c of claims) {
      if (!Number.isFinite(c.hi)) continue;
      const x = c.hi / c.weight;
      if (x > 0 && x < b) b = x;
    }
    const gb = b === Infinity ? 0 : g(b);
    if (gb >= total) {
      const a = 0;
      const ga = g(a);
      const lambda = gb === ga ? b : a + ((total - ga) * (b - a)) / (gb - ga);
      return claims.map((c) => Math.min(c.hi, Math.max(c.lo, lambda * c.weight)));
    }
  }
  let count = n;
  for (const c of claims) if (Number.isFinite(c.hi)) count++;
  // a typed array sorts numerically, as (a, b) => a - b would (no NaN; no -0, as lo, hi >= 0 and w > 0)
  const points = new Float64Array(count);
  count = 0;
  for (const c of claims) {
    points[count++] = c.lo / c.weight;
    if (Number.isFinite(c.hi)) points[count++] = c.hi / c.weight;
  }
  points.sort();
  // first breakpoint where g reaches total (binary search: g is monotone)
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (g(points[mid]!) >= total) hi = mid;
    else lo = mid + 1;
  }
  let lambda: number;
  if (lo < points.length) {
    const b = points[lo]!;
    const a = lo > 0 ? points[lo - 1]! : 0;
    const ga = g(a);
    const gb = g(b);
    lambda = gb === ga ? b : a + ((total - ga) * (b - a)) / (gb - ga);
  } else {
    // beyond every breakpoint only the unlimited VMs still grow
    const a = points[points.length - 1]!;
    let slope = 0;
    for (const c of claims) if (!Number.isFinite(c.hi)) slope += c.weight;
    lambda = a + (total - g(a)) / slope;
  }
  return claims.map((c) => Math.min(c.hi, Math.max(c.lo, lambda * c.weight)));
}

/**
 * Whole frames from real shares by the largest remainder method (Hamilton): every VM gets the
 * floor of its share, and the frames left over go one each to the largest fractional parts;
 * equal remainders go to the VM listed first (the lower VM index: command-line order). A VM
 * never goes above its `hi`.
 */
export function largestRemainder(shares: readonly number[], his: readonly number[]): number[] {
  // Shares such as 10/3 * 3 come out as 9.999999999999998: snap to a whole number first.
  const snapped = shares.map((s) => (Math.abs(s - Math.round(s)) < 1e-9 ? Math.round(s) : s));
  const whole = snapped.map((s) => Math.floor(s));
  const target = Math.round(snapped.reduce((a, b) => a + b, 0));
  let left = target - whole.reduce((a, b) => a + b, 0);
  // largest remainder first, equal ones in VM order (all equal, as with equal weights: no sort)
  const remainder = snapped.map((s, i) => s - whole[i]!);
  const order = snapped.map((_, i) => i);
  if (remainder.some((r) => r !== remainder[0])) order.sort((a, b) => remainder[b]! - remainder[a]! || a - b);
  for (const i of order) {
    if (left <= 0) break;
    if (whole[i]! + 1 <= his[i]!) {
      whole[i]!++;
      left--;
    }
  }
  return whole;
}

/** Jain's fairness index of x: (sum x)^2 / (n sum x^2); 1 when all are equal, 1/n at worst. */
export function jainIndex(x: readonly number[]): number {
  if (x.length === 0) return 1;
  let s = 0;
  let s2 = 0;
  for (const v of x) {
    s += v;
    s2 += v * v;
  }
  return s2 === 0 ? 1 : (s * s) / (x.length * s2);
}
