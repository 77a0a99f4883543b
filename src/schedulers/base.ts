/**
 * What every scheduler shares: the VMs' parameters and the two rules that hold under all of
 * them (SPEC 2.2) -
 * - limit: a VM at its limit takes no free frame; it replaces one of its own pages;
 * - reserve: no VM takes a frame from another VM at or below its reserve, and free frames are
 *   held back for VMs still below their reserves (else a VM that starts late could never reach
 *   its reserve under strict priority).
 */
import type { Accept } from '../policies/policy.js';
import { maxMinShares } from './shares.js';
import type { Scheduler, SchedulerContext, SchedulerView, VmParams } from './scheduler.js';

export abstract class BaseScheduler implements Scheduler {
  protected readonly view: SchedulerView;
  protected readonly params: VmParams[] = [];
  /**
   * Frames held back for reserves: sum over live VMs of max(0, reserve - resident), counting the
   * reserves of declared VMs from the start (they join with nothing resident).
   */
  protected reserveDeficit: number;
  /** some VM has a reserve: loads and evictions keep reserveDeficit */
  protected anyReserve: boolean;
  protected anyLimit = false;

  constructor(ctx: SchedulerContext) {
    this.view = ctx.view;
    this.reserveDeficit = ctx.declaredReserve;
    this.anyReserve = ctx.declaredReserve > 0;
  }

  abstract resize(pages: number): void;
  abstract insert(page: number, vm: number, position: number, write: boolean): void;
  abstract hit(page: number, vm: number, position: number, write: boolean): void;
  abstract remove(page: number, vm: number): void;
  abstract victim(vm: number, accept: Accept): number;

  addVm(vm: number, params: VmParams): void {
    this.params[vm] = params;
    if (Number.isFinite(params.limit)) this.anyLimit = true;
  }

  /** call on every load, before the engine counts the page resident */
  protected loaded(vm: number): void {
    if (this.view.vms[vm]!.resident < this.params[vm]!.reserve) this.reserveDeficit--;
  }

  /** call on every eviction or release, while the page still counts as resident */
  protected unloaded(vm: number): void {
    if (this.view.vms[vm]!.resident <= this.params[vm]!.reserve) this.reserveDeficit++;
  }

  killed(vm: number): void {
    // A dead VM holds nothing and never comes back: its reserve is free for the others.
    this.reserveDeficit -= this.params[vm]!.reserve;
  }

  mayTakeFree(vm: number): boolean {
    const resident = this.view.vms[vm]!.resident;
    const p = this.params[vm]!;
    if (resident >= p.limit) return false;
    if (this.reserveDeficit === 0) return true;
    const own = Math.max(0, p.reserve - resident);
    return this.view.frames - this.view.framesInUse > this.reserveDeficit - own;
  }

  /** may VM `u` lose a frame to a fault of VM `vm` (reserve rule) */
  protected canLose(u: number, vm: number): boolean {
    const resident = this.view.vms[u]!.resident;
    return u === vm ? resident > 0 : resident > this.params[u]!.reserve;
  }

  protected atLimit(vm: number): boolean {
    // without limits nothing to read (two cold objects per fault with 10,000 VMs)
    return this.anyLimit && this.view.vms[vm]!.resident >= this.params[vm]!.limit;
  }

  /** a live VM that has touched memory (takes part in the shares) */
  protected counts(vm: number): boolean {
    const c = this.view.vms[vm]!;
    return c.faults > 0 && c.oomKills === 0;
  }

  entitlements(): number[] {
    return this.fairShares((v) => this.counts(v));
  }

  /** weighted max-min fair shares of all frames among the VMs `member` picks; 0 for the rest */
  protected fairShares(member: (vm: number) => boolean): number[] {
    const members: number[] = [];
    for (let v = 0; v < this.params.length; v++) if (member(v)) members.push(v);
    const frames = this.view.frames;
    const shares = maxMinShares(
      frames,
      members.map((v) => {
        const p = this.params[v]!;
        return { weight: p.weight, lo: p.reserve, hi: Math.min(p.limit, frames) };
      }),
    );
    const out = new Array<number>(this.params.length).fill(0);
    members.forEach((v, i) => {
      out[v] = shares[i]!;
    });
    return out;
  }
}
