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
import type { Accept } from '../policies/policy.js';
import { BaseScheduler } from './base.js';
import { PolicyGroups } from './groups.js';
import type { SchedulerContext, VmParams } from './scheduler.js';

export class RankedScheduler extends BaseScheduler {
  private readonly groups: PolicyGroups;
  /** VM -> class (a policy group) */
  private classOf: number[] = [];
  /** per class: its priority, and classes from weakest to strongest */
  private classPriority: number[] = [];
  private weakestFirst: number[] = [];
  /** per class: frames its VMs hold above their reserves (what others may take) */
  private spare: number[] = [];
  /** per class: some VM in it has a reserve (its victim search passes over such VMs' pages) */
  private filtered: boolean[] = [];
  private members: number[][] = [];
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
    this.groups = new PolicyGroups(ctx.policy, ctx.policyContext);
  }

  /** strength of a priority: larger = keeps its frames */
  private strength(priority: number): number {
    return this.sign * priority;
  }

  override addVm(vm: number, params: VmParams): void {
    super.addVm(vm, params);
    let c = this.classPriority.indexOf(params.priority);
    if (c < 0) {
      c = this.groups.add();
      this.classPriority.push(params.priority);
      this.spare.push(0);
      this.filtered.push(false);
      this.members.push([]);
      this.weakestFirst = this.classPriority
        .map((_, i) => i)
        .sort((a, b) => this.strength(this.classPriority[a]!) - this.strength(this.classPriority[b]!));
    }
    this.classOf[vm] = c;
    this.members[c]!.push(vm);
    this.filtered[c] = this.members[c]!.some((u) => this.params[u]!.reserve > 0);
  }

  resize(pages: number): void {
    this.groups.resize(pages);
  }

  insert(page: number, vm: number, position: number, write: boolean): void {
    const c = this.classOf[vm]!;
    const p = this.params[vm]!;
    const resident = this.view.vms[vm]!.resident;
    if (resident >= p.reserve) this.spare[c]!++;
    else this.reserveDeficit--;
    this.groups.insert(page, c, position, write);
  }

  hit(page: number, vm: number, position: number, write: boolean): void {
    this.groups.hit(page, this.classOf[vm]!, position, write);
  }

  remove(page: number, vm: number): void {
    const c = this.classOf[vm]!;
    const resident = this.view.vms[vm]!.resident;
    if (resident > this.params[vm]!.reserve) this.spare[c]!--;
    else this.reserveDeficit++;
    this.groups.remove(page, c);
  }

  victim(vm: number, accept: Accept): number {
    const own = this.classOf[vm]!;
    this.faulting = vm;
    this.outer = accept;
    if (this.atLimit(vm)) return this.groups.victim(own, this.members[own]!.length > 1 ? this.ownOnly : accept);
    const mine = this.strength(this.classPriority[own]!);
    const resident = this.view.vms[vm]!.resident;
    for (const c of this.weakestFirst) {
      if (this.strength(this.classPriority[c]!) > mine) break;
      if (this.spare[c] === 0 && !(c === own && resident > 0)) continue;
      const page = this.groups.victim(c, this.filtered[c] ? this.allowed : accept);
      if (page >= 0) return page;
    }
    return -1;
  }
}
