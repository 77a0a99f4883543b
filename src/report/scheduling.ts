/**
 * The scheduling part of `simulate`'s result: per-VM parameters, entitlement and what the VM got,
 * and Jain's fairness index in TOTAL. These columns come after all the others (after the
 * translation columns when those are on), and only when a scheduler other than `global` or
 * declared VMs (--vm, --config) are in use.
 */
import type { SimulationOutcome, VmOutcome } from '../run/simulate.js';
import type { Column, Row } from './result.js';

export const SCHEDULING_COLUMNS: Column[] = [
  { key: 'priority', heading: 'prio', kind: 'float' },
  { key: 'weight', heading: 'weight', kind: 'float' },
  { key: 'reserve' },
  { key: 'limit' },
  { key: 'entitlement', heading: 'entitled', kind: 'float' },
  { key: 'resident_share', heading: 'share', kind: 'float' },
  { key: 'stole', heading: 'stole' },
  { key: 'fairness', heading: 'jain', kind: 'float' },
];

/** The scheduling cells of a VM's row, or of TOTAL (`o` = out.total). */
export function schedulingCells(o: VmOutcome, out: SimulationOutcome): Row {
  if (o === out.total) {
    let reserve = 0;
    let entitlement = 0;
    for (const v of out.vms) {
      reserve += v.params?.reserve ?? 0;
      entitlement += v.entitlement ?? 0;
    }
    return {
      priority: null,
      weight: null,
      reserve,
      limit: null,
      entitlement,
      resident_share: entitlement > 0 ? o.counters.resident / entitlement : null,
      stole: o.counters.stole,
      fairness: out.scheduling?.jainIndex ?? null,
    };
  }
  const p = o.params;
  const e = o.entitlement ?? 0;
  return {
    priority: p?.priority ?? null,
    weight: p?.weight ?? null,
    reserve: p?.reserve ?? null,
    limit: p === undefined ? null : Number.isFinite(p.limit) ? p.limit : 'unlimited',
    entitlement: e,
    resident_share: e > 0 ? o.counters.resident / e : null,
    stole: o.counters.stole,
    fairness: null,
  };
}

/** JSON `scheduling` member. */
export function schedulingExtra(out: SimulationOutcome): Record<string, unknown> {
  const tax = out.config.idleTax;
  return {
    scheduler: out.config.scheduler,
    jain_index: out.scheduling?.jainIndex ?? null,
    idle_tax: tax ? { rate: tax.rate, active_window: tax.window, sample_pages: tax.samplePages } : null,
    vms: out.vms.map((v) => ({ vm: v.name, ...schedulingCells(v, out), fairness: undefined })),
  };
}

/** One summary line: the scheduler, and the fairness it reached. */
export function schedulingSummary(out: SimulationOutcome): string | undefined {
  if (!out.scheduling) return undefined;
  const n = out.vms.filter((v) => (v.entitlement ?? 0) > 0).length;
  return (
    `fairness: Jain's index ${out.scheduling.jainIndex.toFixed(4)} of resident/entitlement over ${n} VM${n === 1 ? '' : 's'} ` +
    `(1 = every VM holds exactly its entitlement)`
  );
}

/** How the scheduler is described in the summary and config. */
export function schedulerLabel(out: SimulationOutcome): string {
  const tax = out.config.idleTax;
  if (out.config.scheduler !== 'weight' || !tax) return out.config.scheduler;
  const how = tax.samplePages > 0 ? `${tax.samplePages} sampled pages per ${tax.window} accesses` : `active window ${tax.window} accesses`;
  return `weight with idle tax ${tax.rate} (${how})`;
}
