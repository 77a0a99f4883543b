/**
 * Strict priority, shared by `highest` (a larger priority wins) and `lowest` (a smaller one
 * wins: priority as a rank). SPEC 2.2: the frame comes from the VM with the weakest priority that
 * holds frames above its reserve - possibly the faulting VM itself - and a VM never loses a frame
 * to a VM of weaker priority. VMs of equal priority form a class with one policy instance over
 * all their pages, so among equals the policy chooses.
 *
 * When swap is full and the weakest class has no page that can be dropped without a write, the
 * next class up is tried (never one stronger than the faulting VM). A VM that holds no frame and
 * finds every frame held by stronger VMs (or reserved) gets none: the engine treats that like
 * out of memory (--on-oom).
 */
import type { Accept, GroupedPolicy } from '../policies/policy.js';
import { BaseScheduler } from './base.js';
import { policyGroups } from './groups.js';
import { OwnPages } from './own-pages.js';
import type { SchedulerContext, VmParams } from './scheduler.js';
import { VmHeap } from './vm-heap.js';

export class RankedScheduler extends BaseScheduler {
  private readonly groups: GroupedPolicy;
  /** each limited VM's pages in its class's order, when the policy allows (own-pages.ts) */
  private readonly own: OwnPages;
  /** VM -> class (a policy group) */
  private classOf: number[] = [];
  /** priority -> class */
  private readonly classOfPriority = new Map<number, number>();
  /** per class: its priority */
  private classPriority: number[] = [];
  /** per class: frames its VMs hold above their reserves (what others may take) */
  private spare: number[] = [];
  /** per class: some VM in it has a reserve (its victim search passes over such VMs' pages) */
  private filtered: boolean[] = [];
  private memberCount: number[] = [];
  /**
   * The classes with spare frames, weakest on top (key = -strength; priorities differ between
   * classes, so keys never tie): the victim class in O(log classes), not a walk from the
   * weakest class up past those with nothing to give (SPEC 2.2: O(log n)).
   */
  private readonly withSpare = new VmHeap(0);
  /** classes taken out of withSpare while a search (swap full) passes over them */
  private setAside: number[] = [];
  // victim filter state, in fields so that a search allocates nothing
  private faulting = 0;
  private outer: Accept = null;
  private readonly allowed = (page: number): boolean =>
    this.canLose(this.view.vmOf[page]!, this.faulting) && (this.outer === null || this.outer(page));
  private readonly ownOnly = (page: number): boolean =>
    this.view.vmOf[page] === this.faulting && (this.outer === null || this.outer(page));

  /** `sign` 1: larger priority is stronger (highest); -1: smaller is stronger (lowest) */
  constructor(
    ctx: SchedulerContext,
    private readonly sign: 1 | -1,
  ) {
    super(ctx);
    this.groups = policyGroups(ctx.policy, ctx.policyContext);
    this.own = new OwnPages(ctx.policy, ctx.policyContext);
  }

  /** strength of a class: larger = keeps its frames */
  private strength(c: number): number {
    return this.sign * this.classPriority[c]!;
  }

  override addVm(vm: number, params: VmParams): void {
    super.addVm(vm, params);
    let c = this.classOfPriority.get(params.priority);
    if (c === undefined) {
      c = this.groups.add();
      this.classOfPriority.set(params.priority, c);
      this.classPriority.push(params.priority);
      this.spare.push(0);
      this.filtered.push(false);
      this.memberCount.push(0);
    }
    this.classOf[vm] = c;
    this.own.addVm(vm, params.limit);
    this.memberCount[c]!++;
    if (params.reserve > 0) this.filtered[c] = true;
  }

  resize(pages: number): void {
    this.groups.resize(pages);
    this.own.resize(pages);
  }

  insert(page: number, vm: number, position: number, write: boolean): void {
    const c = this.classOf[vm]!;
    const p = this.params[vm]!;
    const resident = this.view.vms[vm]!.resident;
    if (resident >= p.reserve) {
      if (this.spare[c]!++ === 0) this.withSpare.set(c, -this.strength(c));
    } else this.reserveDeficit--;
    this.groups.insert(page, c, position, write);
    if (this.anyLimit) this.own.insert(page, vm, position, write);
  }

  hit(page: number, vm: number, position: number, write: boolean): void {
    this.groups.hit(page, this.classOf[vm]!, position, write);
    if (this.anyLimit) this.own.hit(page, vm, position, write);
  }

  remove(page: number, vm: number): void {
    const c = this.classOf[vm]!;
    const resident = this.view.vms[vm]!.resident;
    if (resident > this.params[vm]!.reserve) {
      if (--this.spare[c]! === 0) this.withSpare.remove(c);
    } else this.reserveDeficit++;
    this.groups.remove(page, c);
    if (this.anyLimit) this.own.remove(page, vm);
  }

  victim(vm: number, accept: Accept): number {
    const own = this.classOf[vm]!;
    this.faulting = vm;
    this.outer = accept;
    if (this.atLimit(vm)) {
      if (this.memberCount[own]! === 1) return this.groups.victim(own, accept);
      return this.own.tracks(vm) ? this.own.victim(vm, accept) : this.groups.victim(own, this.ownOnly);
    }
    const mine = this.strength(own);
    // Classes weakest first: those with spare frames below the faulting VM's, then its own (it
    // may replace its own pages whenever it holds any); never a stronger one.
    const ownMay = this.spare[own]! > 0 || this.view.vms[vm]!.resident > 0;
    let page = -1;
    for (;;) {
      const t = this.withSpare.top();
      const c = t >= 0 && this.strength(t) < mine ? t : ownMay ? own : -1;
      if (c < 0) break;
      page = this.groups.victim(c, this.filtered[c] ? this.allowed : accept);
      if (page >= 0 || c === own) break;
      // swap full and nothing in class c can be dropped without a write: the next class up
      this.withSpare.remove(c);
      this.setAside.push(c);
    }
    while (this.setAside.length > 0) {
      const c = this.setAside.pop()!;
      this.withSpare.set(c, -this.strength(c));
    }
    return page;
  }
}
