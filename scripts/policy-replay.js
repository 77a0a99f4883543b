#!/usr/bin/env node
/**
 * Replays a vmmem csv page trace (as scripts/oracle-general.js writes it) through one policy of
 * dist/policies with C frames, the way libCacheSim's cachesim runs a cache: no swap, no VMs.
 * Prints "faults droppedHits": droppedHits counts accesses to pages the policy let go on a hit
 * (slru with C not a multiple of 4, lirs) - hits here, misses in libCacheSim - so faults + droppedHits
 * is libCacheSim's miss count. Used by scripts/vs-libcachesim.sh; not part of npm test.
 *
 *   node scripts/policy-replay.js POLICY TRACE.csv C
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [name, file, frames] = process.argv.slice(2);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { policies } = await import(join(root, 'dist/policies/index.js'));
const ids = new Map();
const seq = readFileSync(file, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const addr = line.slice(line.indexOf(',') + 1);
    if (!ids.has(addr)) ids.set(addr, ids.size);
    return ids.get(addr);
  });
const c = Number(frames);
const incoming = new Int32Array(1);
const policy = policies[name].create({ seed: 1, incoming, capacity: () => c });
policy.resize(ids.size);
const resident = new Uint8Array(ids.size);
let used = 0;
let faults = 0;
seq.forEach((p, i) => {
  if (resident[p]) {
    policy.hit(p, i);
    return;
  }
  faults++;
  incoming[0] = p;
  if (used < c) used++;
  else {
    const q = policy.victim(null);
    policy.remove(q);
    resident[q] = 0;
  }
  policy.insert(p, i);
  resident[p] = 1;
});
process.stdout.write(`${faults} ${policy.droppedHits ?? 0}\n`);
