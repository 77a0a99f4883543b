/**
 * `plan`: the validation, defaults and optimiser run behind `vmmem plan` (src/cli/plan.ts maps
 * argv onto these and formats the result).
 */
import { fittingStep, framesForFaultRate, faultsAtFrames, MAX_PLAN_CELLS, optimalSplit, planCells, type PlanClaim } from '../analysis/plan.js';
import { vmCurves, type CurvePolicy } from '../run/vm-curves.js';
import { DEFAULT_LATENCY, type EngineConfig, type VmSpec } from '../engine/config.js';
import { simulate } from '../run/simulate.js';
import { ConfigError, UsageError } from '../errors.js';
import { planResult, type PlanOutcome, type PlanVmOutcome } from '../report/plan.js';
import { largestRemainder, maxMinShares } from '../schedulers/shares.js';
import { declaredVmSource, openSource, type TraceSource } from '../trace/source.js';
import { parseCount } from '../units.js';
import { parseFrames, parsePageSize, readOptions, type RawOptions } from '../options/options.js';
import { checkScenarioOptions, mergeOptions, parseVmFlag, readScenario, resolveVms, type SchedulingRawOptions } from '../options/scenario.js';
import { toDocument, type ResultDocument } from './document.js';
import { toRaw, type Library } from './options.js';

/** The raw (command-line) options of `vmmem plan`. */
export interface PlanRawOptions extends RawOptions, SchedulingRawOptions {
  objective?: string;
  verify?: boolean;
  step?: string;
  targetFaultRate?: string;
}

function parseCurvePolicy(text: string | undefined): CurvePolicy {
  const p = (text ?? 'lru').trim();
  if (p !== 'lru' && p !== 'opt') {
    throw new UsageError(`--policy: '${p}' has no exact miss-ratio curve in one pass: lru or opt (stack algorithms)`);
  }
  return p;
}

function parseObjective(text: string | undefined): 'faults' | 'weighted' {
  const o = (text ?? 'faults').trim();
  if (o !== 'faults' && o !== 'weighted') throw new UsageError(`--objective: '${o}' is not faults or weighted`);
  return o;
}

function parseRate(text: string): number {
  const r = /^\s*(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text) ? Number(text) : NaN;
  if (!(r >= 0 && r <= 1)) throw new UsageError(`--target-fault-rate: '${text}' is not a fault rate from 0 to 1 (e.g. 0.01)`);
  return r;
}

export interface PlanHooks {
  /** after the reader options are checked, with the options merged with the scenario's (the CLI checks --format here) */
  readChecked?(raw: PlanRawOptions): void;
  /** after --step is checked (the CLI checks --plot here) */
  stepChecked?(raw: PlanRawOptions): void;
}

export interface PlanRun {
  outcome: PlanOutcome;
  /** the options merged with the scenario file's */
  raw: PlanRawOptions;
}

/** The curves and optimiser behind `vmmem plan TRACES... OPTIONS`: the plan, unformatted. */
export async function runPlan(traces: string[], cliOptions: PlanRawOptions, hooks: PlanHooks = {}): Promise<PlanRun> {
  const scenario = cliOptions.config === undefined ? undefined : readScenario(cliOptions.config);
  if (scenario) {
    checkScenarioOptions(scenario, (raw) => {
      if (raw.frames !== undefined || raw.memory !== undefined) parseFrames(raw, parsePageSize(raw));
      if (raw.pageSize !== undefined) parsePageSize(raw);
    });
  }
  const raw = mergeOptions(cliOptions, scenario);
  const read = readOptions(raw);
  hooks.readChecked?.(raw);
  const policy = parseCurvePolicy(raw.policy);
  const objective = parseObjective(raw.objective);
  const pageSize = parsePageSize(raw);
  const sized = raw.frames !== undefined || raw.memory !== undefined;
  const targetRate = raw.targetFaultRate === undefined ? null : parseRate(raw.targetFaultRate);
  if (!sized && targetRate === null) throw new UsageError('plan: give the memory to split (--frames N or --memory SIZE), or --target-fault-rate R');
  const framesGiven = sized ? parseFrames(raw, pageSize) : null;
  const step = raw.step === undefined ? 1 : parseCount(raw.step, '--step', 1);
  hooks.stepChecked?.(raw);
  // Reserves and limits are checked against F once F is known (it may be the target's sum).
  const drafts = [...(scenario?.vms ?? []), ...(raw.vm ?? []).map((spec, i) => parseVmFlag(spec, i))];
  const declared = drafts.length > 0 ? resolveVms(drafts, { frames: framesGiven ?? Number.MAX_SAFE_INTEGER, pageSize }) : [];
  const stdin = traces.filter((t) => t === '-').length + declared.filter((v) => v.trace === '-').length;
  if (stdin > 1) throw new UsageError('standard input (-) can be given once');
  if (traces.length === 0 && declared.every((v) => v.trace === undefined)) throw new UsageError('no trace: give TRACE files, --vm name=NAME,trace=FILE or --config FILE');
  const sources: TraceSource[] = [];
  for (const v of declared) if (v.trace !== undefined) sources.push(declaredVmSource(await openSource(v.trace, read.traceFormat), v.name));
  for (const t of traces) sources.push(await openSource(t, read.traceFormat));
  if (raw.verify) for (const s of sources) s.retain();

  const pass = await vmCurves(sources, read, pageSize, policy);
  const byName = new Map(declared.map((d) => [d.name, d]));
  for (const d of declared) {
    if (!pass.vms.some((v) => v.name === d.name)) throw new ConfigError(`${d.origin}.name: VM '${d.name}' has no accesses in the traces`);
  }
  const params = pass.vms.map((v) => byName.get(v.name) ?? { name: v.name, origin: v.name, priority: 0, weight: 1, reserve: 0, limit: Infinity });
  const targets = targetRate === null ? null : pass.vms.map((v) => framesForFaultRate(v.faults, v.accesses, targetRate));
  let frames = framesGiven;
  let framesFrom: PlanOutcome['framesFrom'] = raw.memory !== undefined ? 'memory' : 'frames';
  if (frames === null) {
    const unreachable = pass.vms.filter((_, i) => targets![i] === null).map((v) => v.name);
    if (unreachable.length > 0) {
      throw new UsageError(`--target-fault-rate ${targetRate}: ${unreachable.join(', ')} fault more often than that even with all their pages (cold misses): give --frames to plan anyway`);
    }
    frames = Math.max(1, targets!.reduce((a: number, b) => a + b!, 0));
    framesFrom = 'target';
  }
  // Every VM with accesses needs a frame to run; reserves and that frame must fit, limits must reach F.
  const lo = pass.vms.map((v, i) => Math.max(params[i]!.reserve, v.accesses > 0 ? 1 : 0));
  const sumLo = lo.reduce((a, b) => a + b, 0);
  if (sumLo > frames) {
    const reserves = params.reduce((a, p) => a + p.reserve, 0);
    throw new ConfigError(
      reserves > frames
        ? `the reserves add up to ${reserves} frames, more than the ${frames} frames to split`
        : `${frames} frames cannot give each of the ${pass.vms.length} VMs its reserve and at least one frame (${sumLo} needed)`,
    );
  }
  const sumHi = params.reduce((a, p) => a + p.limit, 0);
  if (sumHi < frames) throw new ConfigError(`the limits add up to ${sumHi} frames, less than the ${frames} frames to split: raise a limit or plan fewer frames`);
  pass.vms.forEach((v, i) => {
    if (params[i]!.limit < lo[i]!) throw new ConfigError(`${params[i]!.origin}.limit: VM '${v.name}' needs at least one frame, its limit is 0`);
  });
  const claims: PlanClaim[] = pass.vms.map((v, i) => ({
    faults: v.faults,
    weight: objective === 'weighted' ? params[i]!.weight : 1,
    share: params[i]!.weight,
    lo: lo[i]!,
    hi: Math.min(params[i]!.limit, frames!),
  }));
  const cells = planCells(claims, frames, step);
  if (cells > MAX_PLAN_CELLS) {
    const k = fittingStep(claims, frames, step);
    throw new UsageError(`plan: ${cells} cells (VMs x frame counts) are too many to plan exactly; plan on a grid with --step ${k} or more`);
  }
  const split = optimalSplit(claims, frames, step);
  // The weight-proportional split, as --scheduler partition makes it.
  const shares = maxMinShares(frames, params.map((p) => ({ weight: p.weight, lo: p.reserve, hi: Math.min(p.limit, frames!) })));
  const partition = largestRemainder(shares, params.map((p) => Math.min(p.limit, frames!)));

  let verified: number[] | null = null;
  if (raw.verify) {
    const vms: VmSpec[] = params.map((p, i) => ({ ...p, reserve: split.frames[i]!, limit: split.frames[i]! }));
    const config: EngineConfig = {
      frames,
      pageSize,
      swapSlots: Infinity,
      policy,
      scheduler: 'partition',
      seed: 1,
      onOom: 'kill',
      strictAlloc: false,
      latency: { ...DEFAULT_LATENCY },
      vms,
    };
    const outcome = await simulate({ sources, read, config });
    verified = pass.vms.map((v) => outcome.vms.find((o) => o.name === v.name)?.counters.faults ?? 0);
  }
  const vms: PlanVmOutcome[] = pass.vms.map((v, i) => {
    const p = params[i]!;
    const t = targets?.[i];
    return {
      name: v.name,
      weight: p.weight,
      reserve: p.reserve,
      limit: p.limit,
      accesses: v.accesses,
      footprint: v.footprint,
      frames: split.frames[i]!,
      faults: faultsAtFrames(v.faults, split.frames[i]!),
      partitionFrames: partition[i]!,
      partitionFaults: faultsAtFrames(v.faults, partition[i]!),
      verifiedFaults: verified?.[i],
      targetFrames: targets ? (t ?? null) : undefined,
      targetFaults: targets ? (t === null || t === undefined ? null : faultsAtFrames(v.faults, t)) : undefined,
      curve: v.faults,
    };
  });
  const outcome: PlanOutcome = {
    traces: sources.map((s) => s.display),
    pageSize,
    frames,
    framesFrom,
    policy,
    objective,
    step,
    spare: split.spare,
    cells,
    vms,
    verify: raw.verify === true,
    targetRate,
    skipped: pass.skipped,
  };
  return { outcome, raw };
}

/**
 * Options of {@link plan}: `vmmem plan`'s options in camelCase (`frames` or `memory` to split, or
 * `targetFaultRate`; `vm` the `--vm` specs; `config` a scenario file).
 */
export interface PlanOptions extends Library<Omit<PlanRawOptions, 'format' | 'color' | 'quiet' | 'output' | 'columns' | 'wide' | 'plot' | 'interval' | 'intervalOut' | 'scheduler' | 'idleTax' | 'activeWindow' | 'samplePages' | 'rebalance'>> {
  /** trace files, one VM each (or a vm column) */
  traces?: string[];
}

/** The result of {@link plan}: `vmmem plan --format json`, parsed. */
export type PlanResult = ResultDocument<'plan'>;

/**
 * The split of host memory between VMs that minimises the (weighted) faults, from each VM's exact
 * miss-ratio curve; the result is `vmmem plan ... --format json`, parsed.
 *
 * @example
 * const r = await plan({ traces: ['traces/ls.lackey.gz', 'traces/gzip.lackey.gz'], frames: 256, verify: true });
 */
export async function plan(options: PlanOptions): Promise<PlanResult> {
  const { traces = [], ...rest } = options;
  const { outcome } = await runPlan(traces, toRaw<PlanRawOptions>(rest));
  return toDocument<'plan'>(planResult(outcome, false));
}
