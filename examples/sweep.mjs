#!/usr/bin/env node
// A policy x memory-size sweep through the library: one simulate() per cell, the faults printed
// as a small CSV table (one row per size, one column per policy).
//   node examples/sweep.mjs [TRACE] [POLICIES] [SIZES]
//   node examples/sweep.mjs traces/zipf.csv lru,fifo,clock,opt 16,32,64,128
// From a project that depends on vmmem the import is the same: import { simulate } from 'vmmem'.
import { simulate } from 'vmmem';

const [trace = 'traces/zipf.csv', policyList = 'lru,fifo,clock,opt', sizeList = '16,32,64,128'] = process.argv.slice(2);
const policies = policyList.split(',');
const sizes = sizeList.split(',').map(Number);

console.log(['frames', ...policies].join(','));
for (const frames of sizes) {
  const faults = [];
  for (const policy of policies) {
    const result = await simulate({ traces: [trace], frames, policy });
    faults.push(result.rows.find((row) => row.vm === 'TOTAL').faults);
  }
  console.log([frames, ...faults].join(','));
}
