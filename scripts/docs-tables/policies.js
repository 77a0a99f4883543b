#!/usr/bin/env node
// docs/policy-study.md, "ls under every policy": faults of traces/ls.lackey.gz under every
// registered policy at 10%, 25%, 50%, 75% and 100% of its footprint (`vmmem compare
// traces/ls.lackey.gz --policies all`). The fewest faults per size among the policies that do not
// read the future is in bold (none where all tie); opt is the bound.
import { markdown, vmmemJson } from './lib.js';

const PCTS = ['10%', '25%', '50%', '75%', '100%'];
const result = vmmemJson(['compare', 'traces/ls.lackey.gz', '--policies', 'all', '--frames', PCTS.join(','), '--jobs', '1']);
const policies = result.config.policies;
const lookAhead = new Set(result.config.look_ahead_policies ?? ['opt']);
const sizes = [...new Set(result.rows.map((r) => r.frames))];
const faults = (policy, frames) => {
  const r = result.rows.find((x) => x.policy === policy && x.frames === frames);
  if (!r || r.error) throw new Error(`no row ${policy} ${frames}`);
  return r.faults;
};
const online = policies.filter((p) => !lookAhead.has(p));
// The best per size; none is marked where every policy ties (at 100% each page faults once).
const best = sizes.map((f) => {
  const counts = online.map((p) => faults(p, f));
  const min = Math.min(...counts);
  return counts.every((c) => c === min) ? null : min;
});
const rows = policies.map((p) => [
  lookAhead.has(p) ? `${p} (bound)` : p,
  ...sizes.map((f, i) => (!lookAhead.has(p) && faults(p, f) === best[i] ? `**${faults(p, f)}**` : `${faults(p, f)}`)),
]);
console.log(markdown(['policy', ...sizes.map((f, i) => `${f} frames (${PCTS[i]})`)], rows));
