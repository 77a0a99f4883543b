#!/usr/bin/env node
// docs/memory.md: traces/clones.csv in 1 MiB under LRU, without sharing and with each --dedup mode
// (the TOTAL row of each run).
import { markdown, row, vmmemJson } from './lib.js';

const CASES = [
  ['off', []],
  ['ideal', ['--dedup', 'ideal']],
  ['ksm, `--ksm-interval 50`', ['--dedup', 'ksm', '--ksm-interval', '50']],
  ['ksm (default interval)', ['--dedup', 'ksm']],
];
const rows = CASES.map(([label, options]) => {
  const t = row(vmmemJson(['simulate', 'traces/clones.csv', '--memory', '1MiB', ...options]), 'TOTAL');
  const shared = options.length > 0;
  return [label, t.faults, t.major_faults, t.swap_outs, t.eat_ns.toFixed(1), shared ? t.pages_shared : '', shared ? t.pages_sharing : '', shared ? t.cow_faults : ''];
});
console.log(markdown(['`--dedup`', 'faults', 'major', 'swap-outs', '`eat_ns`', 'pages_shared', 'pages_sharing', 'COW'], rows));
