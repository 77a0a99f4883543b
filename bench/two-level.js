#!/usr/bin/env node
// Two levels vs one level on the same trace (issue #15's speed target: a one-VM two-level run
// within 2.5x a one-level run). Reads the trace once into memory, then times only the replays,
// alternating one and two levels, BENCH_RUNS times each (default 5), and prints the medians.
// Usage: node bench/two-level.js TRACE FRAMES GUEST_FRAMES [reclaim]
import { loadPageTrace } from '../dist/run/page-trace.js';
import { Engine } from '../dist/engine/engine.js';
import { TwoLevel } from '../dist/engine/two-level.js';
import { PageBatch } from '../dist/pages/expand.js';
import { DEFAULT_LATENCY, DEFAULT_DECOMPRESS_NS } from '../dist/engine/config.js';
import { openSource } from '../dist/trace/source.js';
import { DEFAULT_READ_OPTIONS } from '../dist/trace/reader.js';

const [trace, framesText, guestText, reclaim = 'swap'] = process.argv.slice(2);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const frames = Number(framesText);
const guestFrames = Number(guestText);
const pt = await loadPageTrace([await openSource(trace)], DEFAULT_READ_OPTIONS, 4096);
const base = { frames, pageSize: 4096, swapSlots: Infinity, policy: 'lru', scheduler: 'global', seed: 1, onOom: 'kill', strictAlloc: false, latency: DEFAULT_LATENCY };
const guest = { frames: guestFrames, policy: 'lru', swapSlots: Infinity, balloon: true, balloonMax: 65, compressRatio: 2, compressMax: 10 };
const twoLevel = { defaults: guest, perVm: new Map(), reclaim: reclaim.split(','), freePageReporting: false, decompressNs: DEFAULT_DECOMPRESS_NS };

function replay(machine) {
  const batch = new PageBatch(1 << 14);
  for (let at = 0; at < pt.length; at += batch.capacity) {
    const n = Math.min(batch.capacity, pt.length - at);
    batch.op.set(pt.op.subarray(at, at + n));
    batch.page.set(pt.page.subarray(at, at + n));
    batch.length = n;
    machine.replay(batch);
  }
}

function once(two) {
  const start = process.hrtime.bigint();
  let faults;
  if (two) {
    const m = new TwoLevel({ ...base, twoLevel }, pt.ids);
    m.vmNames = pt.registry.names;
    m.ensureVm(pt.registry.names.length - 1);
    replay(m);
    faults = `guest ${m.guests[0].counters.faults}, host ${m.host.vms[0].faults}`;
  } else {
    const e = new Engine(base, pt.ids);
    e.trackFrames = false;
    e.vmNames = pt.registry.names;
    e.ensureVm(pt.registry.names.length - 1);
    replay(e);
    faults = `${e.vms[0].faults}`;
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, faults };
}

const one = [];
const two = [];
let f1 = '';
let f2 = '';
for (let i = 0; i < RUNS; i++) {
  const a = once(false);
  const b = once(true);
  one.push(a.seconds);
  two.push(b.seconds);
  f1 = a.faults;
  f2 = b.faults;
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
console.log(`${pt.positions} accesses, ${pt.ids.count} pages; F = ${frames}, G = ${guestFrames}, reclaim ${reclaim}`);
console.log(`one level:  ${median(one).toFixed(3)} s (faults ${f1})`);
console.log(`two levels: ${median(two).toFixed(3)} s (faults ${f2})`);
console.log(`ratio ${(median(two) / median(one)).toFixed(2)}x`);
