/**
 * Runs the engine on an explicit sequence of (VM, page) accesses and records every eviction:
 * which VM faulted, and which VM lost which page. Optionally checks scheduling invariants at
 * every step (limit, reserve, priority) by watching the scheduler's calls.
 */
import { DEFAULT_LATENCY, type EngineConfig, type VmSpec } from '../../src/engine/config.js';
import { Engine } from '../../src/engine/engine.js';
import { PageBatch } from '../../src/pages/expand.js';
import { PageIds } from '../../src/pages/page-ids.js';
import { nextUseOf } from '../../src/run/page-trace.js';
import type { PolicyName } from '../../src/policies/index.js';
import type { Accept } from '../../src/policies/policy.js';
import type { SchedulerName } from '../../src/schedulers/index.js';
import type { IdleTaxOptions, VmParams } from '../../src/schedulers/scheduler.js';
import { OP_READ, OP_WRITE } from '../../src/trace/rows.js';

export interface Access {
  vm: string;
  page: number;
  write?: boolean;
}

/** `a1 b2 a3w` -> accesses (VM = letters, page = digits, trailing w = write). */
export function seq(text: string): Access[] {
  return text
    .trim()
    .split(/\s+/)
    .map((t) => {
      const m = /^([a-z]+)(\d+)(w?)$/.exec(t);
      if (!m) throw new Error(`bad access ${t}`);
      return { vm: m[1]!, page: Number(m[2]), write: m[3] === 'w' };
    });
}

export interface Eviction {
  /** 0-based index of the access that faulted */
  at: number;
  faulting: string;
  /** `b1`: VM and page that lost its frame */
  lost: string;
}

export interface Harness {
  engine: Engine;
  evictions: Eviction[];
  /** the evictions as `faulting>lost` strings, e.g. `a>b1` */
  log: string[];
  names: string[];
  resident(vm: string): number;
  /** violations of the scheduling rules seen (empty when all held) */
  violations: string[];
}

export interface HarnessOptions {
  frames: number;
  scheduler: SchedulerName;
  policy?: PolicyName;
  vms?: (Partial<VmParams> & { name: string })[];
  idleTax?: IdleTaxOptions | null;
  swapSlots?: number;
  seed?: number;
  /** `balance`: accesses between rebalances */
  rebalance?: number;
  /** called after every victim choice with swap not full (accept null), before the eviction */
  watch?: (engine: Engine, faulting: number, page: number) => void;
}

export function runAccesses(accesses: Access[], opts: HarnessOptions): Harness {
  const specs: VmSpec[] = (opts.vms ?? []).map((v) => ({ priority: 0, weight: 1, reserve: 0, limit: Infinity, origin: `test ${v.name}`, ...v }));
  const config: EngineConfig = {
    frames: opts.frames,
    pageSize: 1,
    swapSlots: opts.swapSlots ?? Infinity,
    policy: opts.policy ?? 'lru',
    scheduler: opts.scheduler,
    seed: opts.seed ?? 1,
    onOom: 'kill',
    strictAlloc: false,
    latency: { ...DEFAULT_LATENCY },
    vms: specs,
    idleTax: opts.idleTax ?? null,
    ...(opts.rebalance !== undefined ? { rebalance: opts.rebalance } : {}),
  };
  // VM indices in order of first appearance, like the trace registry
  const names: string[] = [];
  for (const a of accesses) if (!names.includes(a.vm)) names.push(a.vm);
  const ids = new PageIds();
  const batch = new PageBatch(Math.max(1, accesses.length));
  for (const a of accesses) {
    batch.op[batch.length] = a.write ? OP_WRITE : OP_READ;
    batch.page[batch.length++] = ids.id(names.indexOf(a.vm), 0, a.page);
  }
  const nextUse = config.policy === 'opt' ? nextUseOf({ op: batch.op, page: batch.page, length: batch.length }, ids.count) : undefined;
  const engine = new Engine(config, ids, nextUse);
  engine.vmNames = names;
  engine.ensureVm(names.length - 1);

  const evictions: Eviction[] = [];
  const violations: string[] = [];
  const label = (page: number): string => `${names[ids.vmOf[page]!]}${ids.loOf[page]}`;
  const params = (v: number): VmParams => engine.vmParams[v]!;
  const scheduler = engine.scheduler;
  const victim = scheduler.victim.bind(scheduler);
  scheduler.victim = (v: number, accept: Accept): number => {
    const page = victim(v, accept);
    if (accept === null) opts.watch?.(engine, v, page);
    if (page < 0 && accept === null && engine.vms[v]!.resident < params(v).reserve) {
      violations.push(`access ${engine.position - 1}: ${names[v]} below its reserve got no frame`);
    }
    if (page >= 0 && accept !== null && !accept(page)) violations.push(`access ${engine.position - 1}: swap full, yet a page that needs a write was chosen`);
    if (page >= 0) {
      const u = ids.vmOf[page]!;
      const at = engine.position - 1;
      evictions.push({ at, faulting: names[v]!, lost: label(page) });
      const resident = engine.vms[u]!.resident;
      if (u !== v && resident <= params(u).reserve) violations.push(`access ${at}: ${names[v]} took a frame of ${names[u]} at its reserve (${resident})`);
      if (u !== v && config.scheduler === 'partition') violations.push(`access ${at}: ${names[v]} took a frame across partitions from ${names[u]}`);
      const pu = params(u).priority;
      const pv = params(v).priority;
      if (u !== v && config.scheduler === 'highest' && pu > pv) violations.push(`access ${at}: ${names[v]} (priority ${pv}) took a frame of ${names[u]} (priority ${pu})`);
      if (u !== v && config.scheduler === 'lowest' && pu < pv) violations.push(`access ${at}: ${names[v]} (rank ${pv}) took a frame of ${names[u]} (rank ${pu})`);
    }
    return page;
  };
  const insert = scheduler.insert.bind(scheduler);
  scheduler.insert = (page: number, v: number, position: number, write: boolean): void => {
    // the engine counts the page resident right after this call
    if (engine.vms[v]!.resident + 1 > params(v).limit) violations.push(`access ${position}: ${names[v]} went above its limit ${params(v).limit}`);
    insert(page, v, position, write);
  };
  engine.replay(batch);
  let total = 0;
  for (const c of engine.vms) total += c.resident;
  if (total > config.frames) violations.push(`${total} frames resident, more than ${config.frames}`);
  return {
    engine,
    evictions,
    log: evictions.map((e) => `${e.faulting}>${e.lost}`),
    names,
    resident: (vm) => engine.vms[names.indexOf(vm)]!.resident,
    violations,
  };
}
