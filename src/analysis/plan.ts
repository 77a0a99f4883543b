/**
 * The optimal split of a host's frames between VMs, given each VM's miss-ratio curve (SPEC 3
 * `plan`, and the targets of the `balance` scheduler, SPEC 2.2).
 *
 * Minimise sum_i w_i f_i(x_i) subject to sum_i x_i = F and lo_i <= x_i <= hi_i, where f_i(x) is
 * VM i's faults with x frames of its own (non-increasing in x: LRU and OPT are stack
 * algorithms). The curves are not convex (a loop needs all its pages or gains nothing), so
 * handing out frames by marginal gain is not enough; this is a multiple-choice knapsack, solved
 * exactly by a dynamic programme over VMs and frames:
 *
 *   D_0(c) = 0,  D_k(c) = min over u <= c of D_{k-1}(c - u) + w_k f_k(lo_k + u),
 *
 * D_k(c) = the least cost of VMs 1..k given at most c frames above their reserves. Two facts make
 * it cheaper than O(n F^2):
 * - f_k is flat from the VM's largest stack distance on: frames beyond it buy nothing, so u runs
 *   to min(hi_k, that size) - lo_k only, and the frames dimension stops at the sum of those;
 * - D_{k-1} is non-increasing in c, so within a run of equal f_k the smallest u is best: only the
 *   sizes where f_k drops (the distinct stack distances, S_k of them) are candidates.
 * So the work is O(C * sum_k S_k) and the memory O(n C) for the choices, C = min(F, sum of the
 * useful sizes). With `step` K > 1 every VM's frames above its reserve are a multiple of K
 * (capped at its limit): the same programme over C / K units, exact on that grid.
 *
 * Frames no VM can use (F above every footprint) are spare: they are shared by weight within the
 * limits (max-min fair, largest remainder, as `partition` splits), which changes no VM's faults.
 * Equal optima: from the last VM listed to the first, each takes the fewest frames that still
 * reach the optimum (so earlier VMs get more), never beyond where its curve stops dropping; the
 * spare frames are then shared by weight as above.
 */
import type { StackHistogram } from './mrc.js';
import { largestRemainder, maxMinShares } from '../schedulers/shares.js';

export interface PlanClaim {
  /**
   * faults at x frames for x = 0..faults.length - 1; beyond the end the curve stays at its last
   * value (faults[x] for x >= the VM's largest stack distance is its cold misses)
   */
  faults: ArrayLike<number>;
  /** the cost of a fault: 1 for the `faults` objective, the VM's weight for `weighted` */
  weight: number;
  /** reserve: at least this many frames */
  lo: number;
  /** limit: at most this many (Infinity = none) */
  hi: number;
  /** the VM's share weight, for sharing spare frames (default: weight) */
  share?: number;
}

export interface Split {
  /** frames per VM, summing to min(F, sum of limits) */
  frames: number[];
  /** sum of weight x faults at those frames */
  cost: number;
  /** the grid: frames above the reserve are multiples of it (1 = exact) */
  step: number;
  /** frames beyond what the optimum needs, shared by weight (they change no VM's faults) */
  spare: number;
}

/** Most choice cells (VMs x frame counts) the programme keeps; beyond, a coarser step is needed. */
export const MAX_PLAN_CELLS = 1 << 27;

/** The faults of a curve at x frames (flat beyond its end). */
export function faultsAtFrames(faults: ArrayLike<number>, x: number): number {
  if (faults.length === 0) return 0;
  return faults[Math.min(x, faults.length - 1)]!;
}

/** The smallest size from which the curve no longer drops. */
function flatFrom(faults: ArrayLike<number>): number {
  let x = faults.length - 1;
  while (x > 0 && faults[x - 1]! === faults[x]!) x--;
  return Math.max(0, x);
}

/** The cells the programme would keep for these claims at this step (to choose a step). */
export function planCells(claims: readonly PlanClaim[], frames: number, step: number): number {
  return cellsOf(layout(claims, frames, step));
}

/** The cells of a laid-out plan: a row of units + 1 per active VM. */
function cellsOf(l: Layout): number {
  return l.active.length * (l.units + 1);
}

/**
 * The finest grid, from `step` up, on which a plan of these claims fits in MAX_PLAN_CELLS cells
 * (its cells never grow with the step, so a binary search finds it). Dividing the cells by the
 * limit is not enough: each active VM keeps one cell more than its units, so with thousands of
 * active VMs that estimate can still be over the limit.
 */
export function fittingStep(claims: readonly PlanClaim[], frames: number, step = 1): number {
  if (planCells(claims, frames, step) <= MAX_PLAN_CELLS) return step;
  let lo = step;
  let hi = step;
  do {
    lo = hi;
    hi *= 2;
  } while (planCells(claims, frames, hi) > MAX_PLAN_CELLS);
  // planCells(lo) is over the limit, planCells(hi) within it
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (planCells(claims, frames, mid) > MAX_PLAN_CELLS) lo = mid;
    else hi = mid;
  }
  return hi;
}

type Layout = ReturnType<typeof layout>;

function layout(claims: readonly PlanClaim[], frames: number, step: number) {
  const n = claims.length;
  let sumLo = 0;
  let sumUnits = 0;
  /** per VM: the most units worth giving (frames up to the limit or the end of the drops) */
  const maxUnits = new Array<number>(n);
  const active: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = claims[i]!;
    sumLo += c.lo;
    const useful = Math.min(c.hi, Math.max(c.lo, flatFrom(c.faults)));
    const m = Math.ceil((useful - c.lo) / step);
    maxUnits[i] = m;
    sumUnits += m;
    if (m > 0) active.push(i);
  }
  const units = Math.max(0, Math.min(Math.floor((frames - sumLo) / step), sumUnits));
  return { sumLo, maxUnits, sumUnits, units, active };
}

/**
 * The split of `frames` that minimises sum weight x faults within [lo, hi] per VM (exact on the
 * grid of `step`). The reserves must fit (sum lo <= frames); when the limits add up to less than
 * `frames` every VM may get up to its limit and the rest stays unused (the caller decides whether
 * that is an error).
 */
export function optimalSplit(claims: readonly PlanClaim[], frames: number, step = 1, workspace?: PlanWorkspace): Split {
  return split(claims, frames, step, true, workspace);
}

/**
 * optimalSplit on the finest grid whose plan fits in MAX_PLAN_CELLS cells, as
 * optimalSplit(claims, frames, fittingStep(claims, frames)) makes it, laying the claims out
 * once when the exact plan fits (balance, at every window).
 */
export function fittedSplit(claims: readonly PlanClaim[], frames: number, workspace?: PlanWorkspace): Split {
  const exact = layout(claims, frames, 1);
  if (cellsOf(exact) <= MAX_PLAN_CELLS) return split(claims, frames, 1, true, workspace, exact);
  return split(claims, frames, fittingStep(claims, frames), true, workspace);
}

/** optimalSplit without the shortcut for budgets that hold every useful frame: the programme always runs (for tests). */
export function optimalSplitByProgramme(claims: readonly PlanClaim[], frames: number, step = 1): Split {
  return split(claims, frames, step, false);
}

/**
 * The programme's arrays, kept from one optimalSplit to the next by a caller that plans again
 * and again (`balance`, every window): its table of choices can be MAX_PLAN_CELLS cells
 * (512 MiB), which a fresh allocation per plan pays for again in page faults and collections.
 * Every cell of it is written before it is read, so it is reused as it is.
 */
export class PlanWorkspace {
  choice = new Int32Array(0);
  prev = new Float64Array(0);
  next = new Float64Array(0);
}

function split(claims: readonly PlanClaim[], frames: number, step: number, shortcut: boolean, workspace?: PlanWorkspace, laidOut?: Layout): Split {
  if (!(Number.isInteger(step) && step >= 1)) throw new Error(`step ${step} is not a whole number >= 1`);
  const { sumLo, maxUnits, sumUnits, units, active } = laidOut ?? layout(claims, frames, step);
  if (sumLo > frames) throw new Error(`reserves of ${sumLo} frames exceed ${frames} frames`);
  const n = claims.length;
  const sizeOf = (i: number, u: number): number => Math.min(claims[i]!.lo + u * step, claims[i]!.hi);
  const costOf = (i: number, u: number): number => claims[i]!.weight * faultsAtFrames(claims[i]!.faults, sizeOf(i, u));
  const width = units + 1;
  if (active.length * width > MAX_PLAN_CELLS) throw new Error(`plan of ${active.length} x ${width} cells is too large`);
  const unitsOf = new Array<number>(n).fill(0);
  if (shortcut && units === sumUnits) {
    // Everything useful fits (common when a short window's curves are small beside F, as in
    // balance with many VMs): each VM at its last drop, which is exactly where the programme's
    // walk puts it, so it need not run. Proof: let before_k = sum_{j<k} maxUnits_j (as the
    // programme counts it) and top_k the last candidate of VM k (a candidate is <= maxUnits_k).
    // The walk reaches VM k with c_k = units - sum_{j>k} u_j, u_j <= maxUnits_j, so
    // c_k >= before_k + maxUnits_k. At that c, `fits` (the largest candidate <= c) is top_k,
    // as every candidate is <= maxUnits_k <= c, and `first` (the largest candidate
    // <= c - before_k, at most fits) is top_k too, as c - before_k >= maxUnits_k. So the loop
    // over j = fits..first sees the one candidate top_k and takes it: best starts at Infinity
    // and value = prev[c - u] + own is never NaN (costs are >= 0, weights > 0, `cost < last` lets
    // no NaN be a candidate), so `value <= best` holds. Hence choice[k][c_k] = candidates[top_k]
    // for k = last (c = units) down to the first, whatever the costs, ties and rounding, and
    // lastDrop finds the same u by the same scan with the same `<`. The spare frames are shared
    // from the same split by the same code (finish). test/analysis/plan.test.ts checks it against
    // the programme.
    for (const i of active) unitsOf[i] = lastDrop(maxUnits[i]!, (u) => costOf(i, u));
  } else dynamicProgramme(active, maxUnits, units, costOf, unitsOf, workspace ?? new PlanWorkspace());
  return finish(claims, frames, step, sizeOf, unitsOf);
}

/**
 * The candidates of a VM in the programme: the units u = 0..max where its cost drops (u = 0
 * first; `cost < last`, as the programme lists them); returns the last, the fewest units at its
 * least cost.
 */
function lastDrop(max: number, costOf: (u: number) => number): number {
  let last = Infinity;
  let at = 0;
  for (let u = 0; u <= max; u++) {
    const cost = costOf(u);
    if (cost < last) {
      last = cost;
      at = u;
    }
  }
  return at;
}

/** The programme over the active VMs; writes each one's units into unitsOf (walked back from `units`). */
function dynamicProgramme(active: readonly number[], maxUnits: readonly number[], units: number, costOf: (i: number, u: number) => number, unitsOf: number[], workspace: PlanWorkspace): void {
  const width = units + 1;
  if (workspace.choice.length < active.length * width) workspace.choice = new Int32Array(active.length * width);
  if (workspace.prev.length < width) {
    workspace.prev = new Float64Array(width);
    workspace.next = new Float64Array(width);
  }
  const choice = workspace.choice;
  // D_0 = 0 (next is written in full for every VM before it is read)
  let prev = workspace.prev.fill(0, 0, width);
  let next = workspace.next;
  const candidates: number[] = [];
  const candidateCost: number[] = [];
  /** units the VMs before this one could use at most */
  let before = 0;
  active.forEach((i, k) => {
    // The units where this VM's cost drops (and 0): within a flat run the fewest frames win.
    candidates.length = 0;
    candidateCost.length = 0;
    let last = Infinity;
    for (let u = 0; u <= maxUnits[i]!; u++) {
      const cost = costOf(i, u);
      if (cost < last) {
        candidates.push(u);
        candidateCost.push(cost);
        last = cost;
      }
    }
    const row = k * width;
    const top = candidates.length - 1;
    let first = 0;
    let fits = 0;
    for (let c = 0; c < width; c++) {
      // the largest candidate that fits in c units
      while (fits < top && candidates[fits + 1]! <= c) fits++;
      // Units c - u beyond what the VMs before can use cost them no less than `before` units:
      // of those candidates only the largest (the cheapest for this VM) can win.
      while (first < fits && candidates[first + 1]! <= c - before) first++;
      // From the most units down: this VM's cost rises and the others' cost is at least prev[c],
      // so once prev[c] + this VM's cost exceeds the best, no smaller u wins.
      const floor = prev[c]!;
      let best = Infinity;
      let bestU = 0;
      for (let j = fits; j >= first; j--) {
        const own = candidateCost[j]!;
        if (floor + own > best) break;
        const u = candidates[j]!;
        const value = prev[c - u]! + own;
        // on equal cost the fewer units for this VM, so earlier VMs keep more
        if (value <= best) {
          best = value;
          bestU = u;
        }
      }
      next[c] = best;
      choice[row + c] = bestU;
    }
    before += maxUnits[i]!;
    const t = prev;
    prev = next;
    next = t;
  });
  // Walk the choices back from the whole budget.
  let c = units;
  for (let k = active.length - 1; k >= 0; k--) {
    const u = choice[k * width + c]!;
    unitsOf[active[k]!] = u;
    c -= u;
  }
}

/** The frames of the chosen units, then the spare frames shared by weight within the limits. */
function finish(claims: readonly PlanClaim[], frames: number, step: number, sizeOf: (i: number, u: number) => number, unitsOf: readonly number[]): Split {
  const n = claims.length;
  const split = claims.map((_, i) => sizeOf(i, unitsOf[i]!));
  // Spare frames: shared by weight within what each VM may still take.
  let used = 0;
  let room = 0;
  for (let i = 0; i < n; i++) {
    used += split[i]!;
    room += claims[i]!.hi - split[i]!;
  }
  const spare = Math.max(0, Math.min(frames - used, room));
  if (spare > 0) {
    const his = claims.map((cl, i) => cl.hi - split[i]!);
    const extra = largestRemainder(maxMinShares(spare, claims.map((cl, i) => ({ weight: cl.share ?? (cl.weight > 0 ? cl.weight : 1), lo: 0, hi: his[i]! }))), his);
    extra.forEach((e, i) => {
      split[i]! += e;
    });
  }
  let cost = 0;
  for (let i = 0; i < n; i++) cost += claims[i]!.weight * faultsAtFrames(claims[i]!.faults, split[i]!);
  return { frames: split, cost, step, spare };
}

/** The least frames at which the curve's fault rate is at most `rate` (faults / accesses). */
export function framesForFaultRate(faults: ArrayLike<number>, accesses: number, rate: number): number | null {
  if (accesses === 0) return 0;
  // faults are non-increasing: binary search the first size at or under the rate
  const ok = (x: number): boolean => faultsAtFrames(faults, x) <= rate * accesses + 1e-9;
  const end = Math.max(0, faults.length - 1);
  if (!ok(end)) return null;
  let lo = 0;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** faults[x] for x = 0..maxDistance from a stack-distance histogram (x = 0: every access faults) */
export function curveOf(h: StackHistogram): Float64Array {
  const cum = h.cumulative();
  const faults = new Float64Array(h.maxDistance + 1);
  faults[0] = h.accesses;
  for (let x = 1; x <= h.maxDistance; x++) faults[x] = h.accesses - cum[x]!;
  return faults;
}
