import { Command } from 'commander';
import { framesForFaultRate, faultsAtFrames, MAX_PLAN_CELLS, optimalSplit, planCells, type PlanClaim } from '../analysis/plan.js';
import { vmCurves, type CurvePolicy } from '../run/vm-curves.js';
import { DEFAULT_LATENCY, type EngineConfig, type VmSpec } from '../engine/config.js';
import { simulate } from '../run/simulate.js';
import { ConfigError, UsageError } from '../errors.js';
import { planResult, type PlanOutcome, type PlanVmOutcome } from '../report/plan.js';
import { largestRemainder, maxMinShares } from '../schedulers/shares.js';
import { declaredVmSource, openSource, type TraceSource } from '../trace/source.js';
import { parseCount } from '../units.js';
import { emit, type Io } from './io.js';
import { planFigure } from '../report/figure.js';
import { addPlotOutOption, plotOutKind, writeFigure } from './figure-out.js';
import { addOutputOptions, addTraceOptions, outputFormat, parseFrames, parsePageSize, readOptions, type RawOptions } from './options.js';
import { checkScenarioOptions, mergeOptions, parseVmFlag, readScenario, resolveVms, type SchedulingRawOptions } from './scenario.js';

interface PlanOptions extends RawOptions, SchedulingRawOptions {
  objective?: string;
  verify?: boolean;
  step?: string;
  targetFaultRate?: string;
  plotOut?: string;
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

export function planCommand(io: Io): Command {
  const cmd = new Command('plan')
    .summary('the split of host memory between VMs that minimises faults (exact, from per-VM miss-ratio curves)')
    .description(
      "How to split F host frames between the VMs. Each VM's exact miss-ratio curve over its own " +
        'accesses (what it faults with x frames of its own, as under --scheduler partition) comes from ' +
        'one pass; the plan is the split x_1..x_n (sum F, each within [reserve, limit]) that minimises ' +
        'the total faults (--objective weighted: the sum of weight x faults). It is the true optimum, ' +
        'not a greedy estimate (curves are not convex): a dynamic programme over the VMs and frames. ' +
        "Beside it: the weight-proportional split, what --scheduler partition would do.",
    )
    .argument('[trace...]', 'trace files, one VM each (or a vm column); - reads standard input')
    .option('-p, --policy <policy>', 'lru or opt: the curves, and the policy --verify replays (default lru)')
    .option('-f, --frames <n>', 'host frames to split')
    .option('-m, --memory <size>', 'host memory to split, e.g. 512MiB (frames = floor(size / page size))')
    .option('--page-size <size>', 'page size, a power of two from 1 B to 1 GiB (default 4KiB)')
    .option('--objective <name>', 'faults (default): minimise the total faults; weighted: the sum of weight x faults')
    .option('--step <k>', 'plan in steps of K frames above each reserve: exact on that grid, K times less work (default 1: exact)')
    .option('--verify', 'replay the traces under --scheduler partition with reserve = limit = the plan and print the simulated faults')
    .option('--target-fault-rate <r>', "also the least frames per VM keeping its fault rate <= R, and their sum; without --frames/--memory the plan splits that sum")
    .option('--vm <spec>', 'declare a VM (repeatable): name=NAME,trace=FILE,weight=W,reserve=SIZE,limit=SIZE', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--config <file>', 'scenario file (JSON): the VMs and options, as simulate reads it')
    .option('--plot', 'draw the curves above the table even when standard output is not a terminal')
    .option('--no-plot', 'no plot, not even on a terminal');
  addPlotOutOption(cmd, "each VM's curve with its planned size and the weight-proportional split marked");
  addTraceOptions(cmd);
  addOutputOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nColumns (CSV/JSON): vm,policy,objective,frames,faults,fault_rate,partition_frames,\n' +
      'partition_faults, then verified_faults (--verify), then accesses,footprint,weight,\n' +
      'reserve,limit, then target_frames,target_faults (--target-fault-rate); one row per\n' +
      'VM in command-line order, then TOTAL.\n' +
      'Rules: every VM with accesses gets at least one frame (with none it could not run);\n' +
      'reserves (plus that frame) must fit in F and the limits must add up to at least F\n' +
      '(else exit 64). Frames beyond what the optimum needs are spare (no VM faults less with\n' +
      'them) and are shared by weight within the limits. Equal optima: the VM listed first\n' +
      'gets more. Work: O(C x S) for C = min(F, the sizes worth having) and S the number of\n' +
      'sizes at which some curve drops; --step K divides C by K. See docs/planning.md.\n' +
      '\nExamples:\n' +
      '  vmmem plan traces/ls.lackey.gz traces/gzip.lackey.gz --frames 256 --verify\n' +
      '  vmmem plan --config scenario.json --memory 64MiB --objective weighted --format csv\n' +
      '  vmmem plan web.csv db.csv --target-fault-rate 0.01\n' +
      '\nExit codes: 0 ok, 64 bad usage or configuration, 65 bad trace data, 66 trace\n' +
      'missing or unreadable, 70 internal error.',
  );
  cmd.action(async (traces: string[], cliOptions: PlanOptions) => {
    const scenario = cliOptions.config === undefined ? undefined : readScenario(cliOptions.config);
    if (scenario) {
      checkScenarioOptions(scenario, (raw) => {
        if (raw.frames !== undefined || raw.memory !== undefined) parseFrames(raw, parsePageSize(raw));
        if (raw.pageSize !== undefined) parsePageSize(raw);
      });
    }
    const raw = mergeOptions(cliOptions, scenario);
    const read = readOptions(raw);
    outputFormat(raw);
    const policy = parseCurvePolicy(raw.policy);
    const objective = parseObjective(raw.objective);
    const pageSize = parsePageSize(raw);
    const sized = raw.frames !== undefined || raw.memory !== undefined;
    const targetRate = raw.targetFaultRate === undefined ? null : parseRate(raw.targetFaultRate);
    if (!sized && targetRate === null) throw new UsageError('plan: give the memory to split (--frames N or --memory SIZE), or --target-fault-rate R');
    const framesGiven = sized ? parseFrames(raw, pageSize) : null;
    const step = raw.step === undefined ? 1 : parseCount(raw.step, '--step', 1);
    plotOutKind(raw.plotOut);
    if (raw.plot === true && outputFormat(raw) !== 'table') throw new UsageError(`--plot draws in the table view, not in ${outputFormat(raw)}`);
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
      const k = Math.ceil((step * cells) / MAX_PLAN_CELLS);
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
    const format = outputFormat(raw);
    const withChart = format === 'table' && (raw.plot === true || (raw.plot === undefined && io.stdoutIsTty));
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
    const result = planResult(outcome, withChart);
    if (raw.plotOut !== undefined) await writeFigure(raw.plotOut, planFigure(outcome), result.summary?.join('\n') ?? '');
    emit(io, result, raw);
  });
  return cmd;
}
