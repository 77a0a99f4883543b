#!/usr/bin/env node
// docs/scheduling.md, "Example: three VMs, five schedulers": faults / frames held at the end per
// VM of traces/three-vms/scenario.json under each option set, with the frames that changed hands
// and Jain's index.
import { markdown, row, vmmemJson } from './lib.js';

const CASES = [
  '--scheduler global',
  '--scheduler partition',
  '--scheduler highest',
  '--scheduler lowest',
  '--scheduler weight',
  '--idle-tax 0.75',
  '--idle-tax 0.75 --active-window 1000',
  '--idle-tax 0.75 --active-window 1000 --sample-pages 20',
  '--scheduler highest --vm name=batch,reserve=0',
];
const VMS = ['web', 'cache', 'batch'];
const rows = CASES.map((options) => {
  const result = vmmemJson(['simulate', '--config', 'traces/three-vms/scenario.json', ...options.split(' ')]);
  const total = row(result, 'TOTAL');
  return [
    `\`${options}\``,
    ...VMS.map((vm) => `${row(result, vm).faults} / ${row(result, vm).resident_end}`),
    total.faults,
    total.stole,
    total.fairness.toFixed(3),
  ];
});
console.log(markdown(['options', ...VMS, 'total faults', 'stole', 'Jain'], rows));
