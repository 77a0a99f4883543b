/**
 * `plan`'s result: one row per VM, then TOTAL, with the SPEC 3.1 columns
 * `vm,policy,objective,frames,faults,fault_rate,partition_frames,partition_faults`, then
 * `verified_faults` with --verify, then `accesses,footprint,weight,reserve,limit`, then
 * `target_frames,target_faults` with --target-fault-rate. A plot of each VM's curve with its
 * planned size marked, for the table view.
 */
import { formatBytes } from '../units.js';
import type { PlotSeries } from './plot.js';
import type { Column, CommandResult, Row } from './result.js';

export interface PlanVmOutcome {
  name: string;
  weight: number;
  reserve: number;
  /** Infinity = none */
  limit: number;
  accesses: number;
  footprint: number;
  /** planned frames and the faults the curve predicts there */
  frames: number;
  faults: number;
  /** the weight-proportional split (what `partition` alone does) */
  partitionFrames: number;
  partitionFaults: number;
  /** --verify: faults simulated under partition with reserve = limit = frames */
  verifiedFaults?: number;
  /** --target-fault-rate: least frames keeping the VM's fault rate at or under it (null: not even with all its pages) */
  targetFrames?: number | null;
  targetFaults?: number | null;
  /** faults[x] at x = 0.. (flat beyond) */
  curve: ArrayLike<number>;
}

export interface PlanOutcome {
  traces: string[];
  pageSize: number;
  /** the frames split */
  frames: number;
  /** where they came from: --frames, --memory, or the sum of the target sizes */
  framesFrom: 'frames' | 'memory' | 'target';
  policy: string;
  objective: 'faults' | 'weighted';
  /** the grid (1 = exact) */
  step: number;
  /** frames beyond what the optimum needs (they lower no VM's faults) */
  spare: number;
  /** the programme's size: VMs with a choice x frame counts */
  cells: number;
  vms: PlanVmOutcome[];
  verify: boolean;
  targetRate: number | null;
  skipped: { file: string; counts: { ifetch: number; other: number; bad: number } }[];
}

export function planColumns(verify: boolean, target: boolean): Column[] {
  const columns: Column[] = [
    { key: 'vm', heading: 'vm', kind: 'text' },
    { key: 'policy', heading: 'policy', kind: 'text' },
    { key: 'objective', heading: 'objective', kind: 'text' },
    { key: 'frames', heading: 'frames' },
    { key: 'faults', heading: 'faults' },
    { key: 'fault_rate', heading: 'fault rate', kind: 'rate' },
    { key: 'partition_frames', heading: 'partition frames' },
    { key: 'partition_faults', heading: 'partition faults' },
  ];
  if (verify) columns.push({ key: 'verified_faults', heading: 'verified faults' });
  columns.push({ key: 'accesses' }, { key: 'footprint' }, { key: 'weight', kind: 'number' }, { key: 'reserve' }, { key: 'limit' });
  if (target) columns.push({ key: 'target_frames', heading: 'target frames' }, { key: 'target_faults', heading: 'target faults' });
  return columns;
}

const rate = (faults: number, accesses: number): number => (accesses > 0 ? faults / accesses : 0);
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

export function planResult(out: PlanOutcome, withChart: boolean): CommandResult {
  const target = out.targetRate !== null;
  const rows: Row[] = out.vms.map((v) => {
    const row: Row = {
      vm: v.name,
      policy: out.policy,
      objective: out.objective,
      frames: v.frames,
      faults: v.faults,
      fault_rate: rate(v.faults, v.accesses),
      partition_frames: v.partitionFrames,
      partition_faults: v.partitionFaults,
    };
    if (out.verify) row.verified_faults = v.verifiedFaults ?? null;
    Object.assign(row, { accesses: v.accesses, footprint: v.footprint, weight: v.weight, reserve: v.reserve, limit: Number.isFinite(v.limit) ? v.limit : null });
    if (target) Object.assign(row, { target_frames: v.targetFrames ?? null, target_faults: v.targetFaults ?? null });
    return row;
  });
  const accesses = sum(out.vms.map((v) => v.accesses));
  const faults = sum(out.vms.map((v) => v.faults));
  const partitionFaults = sum(out.vms.map((v) => v.partitionFaults));
  const total: Row = {
    vm: 'TOTAL',
    policy: out.policy,
    objective: out.objective,
    frames: sum(out.vms.map((v) => v.frames)),
    faults,
    fault_rate: rate(faults, accesses),
    partition_frames: sum(out.vms.map((v) => v.partitionFrames)),
    partition_faults: partitionFaults,
  };
  if (out.verify) total.verified_faults = sum(out.vms.map((v) => v.verifiedFaults ?? 0));
  Object.assign(total, { accesses, footprint: sum(out.vms.map((v) => v.footprint)), weight: null, reserve: sum(out.vms.map((v) => v.reserve)), limit: null });
  const unreachable = out.vms.filter((v) => v.targetFrames === null);
  if (target) {
    Object.assign(total, {
      target_frames: unreachable.length > 0 ? null : sum(out.vms.map((v) => v.targetFrames ?? 0)),
      target_faults: unreachable.length > 0 ? null : sum(out.vms.map((v) => v.targetFaults ?? 0)),
    });
  }
  rows.push(total);

  const summary: string[] = [];
  const what = out.objective === 'weighted' ? 'the sum of weight x faults' : 'the total faults';
  summary.push(
    `${out.frames} frames of ${formatBytes(out.pageSize)} (${formatBytes(out.frames * out.pageSize)}) split to minimise ${what}, ` +
      `from each VM's exact ${out.policy} curve over its own accesses (as under partition)`,
  );
  summary.push(
    out.step === 1
      ? `the optimum: exact (dynamic programme over the VMs and frames, ${out.cells} cells)`
      : `--step ${out.step}: exact on a grid of ${out.step} frames above each reserve (${out.cells} cells); the frames left over are shared by weight`,
  );
  const saved = partitionFaults - faults;
  summary.push(
    `weight-proportional split (partition): ${partitionFaults} faults; the plan: ${faults}` +
      (partitionFaults > 0 ? ` (${saved >= 0 ? '' : '+'}${Math.abs(Math.round((saved / partitionFaults) * 1000) / 10)}% ${saved >= 0 ? 'fewer' : 'more'})` : ''),
  );
  if (out.objective === 'weighted') {
    const weighted = (f: (v: PlanVmOutcome) => number): number => sum(out.vms.map((v) => v.weight * f(v)));
    summary.push(`weight x faults: the plan ${weighted((v) => v.faults)}, partition ${weighted((v) => v.partitionFaults)}`);
  }
  if (out.spare > 0) summary.push(`${out.spare} frames are spare: no VM faults less with more (shared by weight within the limits)`);
  if (out.verify) {
    const differ = out.vms.filter((v) => v.verifiedFaults !== v.faults);
    summary.push(
      differ.length === 0
        ? 'verified: simulate --scheduler partition with reserve = limit = the plan gives the predicted faults'
        : `verify: the simulated faults differ from the prediction for ${differ.map((v) => v.name).join(', ')}`,
    );
  }
  if (target) {
    if (unreachable.length > 0) {
      summary.push(`fault rate <= ${out.targetRate}: not reachable for ${unreachable.map((v) => v.name).join(', ')} (cold misses alone are above it)`);
    } else {
      const need = sum(out.vms.map((v) => v.targetFrames ?? 0));
      summary.push(`fault rate <= ${out.targetRate} for every VM: ${need} frames in all (${formatBytes(need * out.pageSize)})`);
    }
  }
  const notes: string[] = [];
  for (const s of out.skipped) {
    const { ifetch, other, bad } = s.counts;
    if (bad) notes.push(`${s.file}: skipped ${bad} bad line${bad === 1 ? '' : 's'} (--skip-bad-lines)`);
    if (ifetch) notes.push(`${s.file}: skipped ${ifetch} instruction fetch${ifetch === 1 ? '' : 'es'} (replay them with --ifetch)`);
    if (other) notes.push(`${s.file}: skipped ${other} line${other === 1 ? '' : 's'} that are not accesses`);
  }
  return {
    command: 'plan',
    config: {
      traces: out.traces,
      policy: out.policy,
      objective: out.objective,
      frames: out.frames,
      frames_from: out.framesFrom,
      page_size: out.pageSize,
      step: out.step,
      verify: out.verify,
      target_fault_rate: out.targetRate,
    },
    columns: planColumns(out.verify, target),
    rows,
    extra: { spare_frames: out.spare, exact: out.step === 1 },
    summary,
    notes,
    chart: withChart ? planChart(out) : undefined,
  };
}

/** Each VM's miss ratio against its frames, its planned size marked. */
function planChart(out: PlanOutcome): CommandResult['chart'] {
  let xMax = 1;
  for (const v of out.vms) xMax = Math.max(xMax, v.frames <= v.footprint ? v.frames : 0, v.curve.length - 1, v.partitionFrames <= v.footprint ? v.partitionFrames : 0);
  const series: PlotSeries[] = out.vms.map((v) => {
    const points: [number, number][] = [];
    let last = NaN;
    for (let x = 0; x < v.curve.length; x++) {
      const y = rate(v.curve[x]!, v.accesses);
      if (y !== last) points.push([x, y]);
      last = y;
    }
    if (points.length === 0) points.push([0, 0]);
    points.push([xMax, rate(v.curve[v.curve.length - 1] ?? 0, v.accesses)]);
    return { name: `${v.name} (${v.frames})`, points };
  });
  return {
    series,
    options: {
      xLabel: 'frames (each VM alone)',
      yLabel: 'fault rate',
      marks: out.vms.map((v, k) => ({ x: Math.min(v.frames, xMax), series: k })),
      marksLabel: 'planned frames',
    },
  };
}
