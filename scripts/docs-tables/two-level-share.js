#!/usr/bin/env node
// docs/two-levels.md: traces/clones.csv at two levels (512 KiB of guest memory per clone, which
// holds each clone's 128 pages, on a 1 MiB host), lru at both levels, without sharing and with
// each --dedup mode and ladder (the TOTAL row of each run).
import { markdown, row, vmmemJson } from './lib.js';

const CASES = [
  ['off', 'swap', []],
  ['ideal', 'swap', ['--dedup', 'ideal']],
  ['ksm, `--ksm-interval 50`', 'swap', ['--dedup', 'ksm', '--ksm-interval', '50']],
  ['ksm (default interval)', 'swap', ['--dedup', 'ksm']],
  ['ksm (default interval)', 'share,swap', ['--dedup', 'ksm', '--reclaim', 'share,swap']],
  ['ksm, `--ksm-interval 50`', 'share,swap', ['--dedup', 'ksm', '--ksm-interval', '50', '--reclaim', 'share,swap']],
];
const rows = CASES.map(([label, ladder, options]) => {
  const doc = vmmemJson(['simulate', 'traces/clones.csv', '--memory', '1MiB', '--guest-memory', '512KiB', ...options]);
  const t = row(doc, 'TOTAL');
  const shared = options.length > 0;
  const reclaims = shared ? doc.levels.total.share_reclaims : '';
  return [label, `\`${ladder}\``, t.faults, t.host_faults, t.host_major_faults, t.host_swap_outs, t.backed_peak, t.eat_ns.toFixed(1), shared ? t.pages_shared : '', shared ? t.pages_sharing : '', shared ? t.cow_faults : '', reclaims];
});
console.log(
  markdown(['`--dedup`', '`--reclaim`', 'guest faults', 'host faults', 'host major', 'host swap-outs', 'host frames (peak)', '`eat_ns`', 'pages_shared', 'pages_sharing', 'COW', 'share rung merges'], rows),
);
