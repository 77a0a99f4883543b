/**
 * Several instances of one replacement policy, each over the pages of one group (a VM, or a
 * priority class): the policy's own createGroups() when it has one (shared arrays, no object
 * per group), else an instance per group (PolicyGroups).
 */
import { grown, type Accept, type GroupedPolicy, type PolicyContext, type PolicyDefinition, type ReplacementPolicy } from '../policies/policy.js';

/** The groups a scheduler keeps: the policy's shared ones, or one instance per group. */
export function policyGroups(definition: PolicyDefinition, context: PolicyContext): GroupedPolicy {
  return definition.createGroups?.(context) ?? new PolicyGroups(definition, context);
}

/**
 * An instance per group. A page always belongs to the same group (its VM's), so it gets a dense
 * local id within the group on its first load: every instance indexes typed arrays by local id,
 * and memory stays proportional to the number of pages, not to pages x groups.
 */
export class PolicyGroups implements GroupedPolicy {
  private readonly policies: ReplacementPolicy[] = [];
  /** per group: local id -> page id */
  private readonly pageOf: Int32Array[] = [];
  private readonly counts: number[] = [];
  /** per group: the incoming cell its policy reads (a local id, or -1 for another group's page) */
  private readonly incoming: Int32Array[] = [];
  /** page id -> local id in its group, -1 before its first load */
  private localOf = new Int32Array(0);
  // The filter handed to a policy translates local ids back; kept in fields so that a victim
  // search allocates nothing.
  private filterGroup = 0;
  private filter: (page: number) => boolean = () => true;
  private readonly localFilter = (local: number): boolean => this.filter(this.pageOf[this.filterGroup]![local]!);

  constructor(
    private readonly definition: PolicyDefinition,
    private readonly context: PolicyContext,
  ) {}

  get length(): number {
    return this.policies.length;
  }

  /**
   * A new group; instance k of a seeded policy (random) draws from seed + k. `capacity` gives the
   * frames the group may fill, when the scheduler fixes it (a partition); else the policy is told
   * the context's (all frames).
   */
  add(capacity?: () => number): number {
    const k = this.policies.length;
    const cell = new Int32Array(1).fill(-1);
    this.incoming.push(cell);
    // Callbacks that take a page get the group's local id: translate it back.
    const { vmOf, writeBack, refault } = this.context;
    const policy = this.definition.create({
      ...this.context,
      seed: (this.context.seed + k) >>> 0,
      incoming: cell,
      capacity: capacity ?? this.context.capacity,
      perGroup: true,
      vmOf: vmOf && ((local: number) => vmOf(this.pageOf[k]![local]!)),
      writeBack: writeBack && ((local: number) => writeBack(this.pageOf[k]![local]!)),
      refault: refault && ((local: number) => refault(this.pageOf[k]![local]!)),
    });
    policy.resize(16);
    this.policies.push(policy);
    this.pageOf.push(new Int32Array(16));
    this.counts.push(0);
    return k;
  }

  resize(pages: number): void {
    this.localOf = grown(this.localOf, pages, -1);
  }

  insert(page: number, group: number, position: number, write: boolean): void {
    let local = this.localOf[page]!;
    if (local < 0) {
      local = this.counts[group]!++;
      if (local >= this.pageOf[group]!.length) {
        this.pageOf[group] = grown(this.pageOf[group]!, local + 1);
        this.policies[group]!.resize(this.pageOf[group]!.length);
      }
      this.pageOf[group]![local] = page;
      this.localOf[page] = local;
    }
    this.policies[group]!.insert(local, position, write);
  }

  hit(page: number, group: number, position: number, write: boolean): void {
    this.policies[group]!.hit(this.localOf[page]!, position, write);
  }

  remove(page: number, group: number): void {
    this.policies[group]!.remove(this.localOf[page]!);
  }

  /** resident pages of the group */
  size(group: number): number {
    return this.policies[group]!.size;
  }

  /** The group's policy's victim among the pages `accept` takes (page ids); -1 if none. */
  victim(group: number, accept: Accept): number {
    const global = this.context.incoming;
    if (global !== undefined) {
      // The engine's incoming page, in the group's local ids (-1 when it is another group's).
      const page = global[0]!;
      const local = page >= 0 && page < this.localOf.length ? this.localOf[page]! : -1;
      this.incoming[group]![0] = local >= 0 && this.pageOf[group]![local] === page ? local : -1;
    }
    let local: number;
    if (accept === null) local = this.policies[group]!.victim(null);
    else {
      this.filterGroup = group;
      this.filter = accept;
      local = this.policies[group]!.victim(this.localFilter);
    }
    return local < 0 ? -1 : this.pageOf[group]![local]!;
  }
}
