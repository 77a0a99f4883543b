#!/usr/bin/env node
// Two levels vs one level on the same trace (issue #15's speed target: a one-VM two-level run
// within 2.5x a one-level run). Reads the trace once into memory, then times only the replays,
// alternating one and two levels, BENCH_RUNS times each (default 5), and prints the medians of
// CPU time (user + system of this process: the machine may be shared, wall time is not kept).
// Usage: node bench/two-level.js TRACE FRAMES GUEST_FRAMES [reclaim]
// `npm run bench` (bench/run.js) runs twoLevelCases() on a 2M-access Zipf trace.
import { fileURLToPath } from 'node:url';
import { loadPageTrace } from '../dist/run/page-trace.js';
import { Engine } from '../dist/engine/engine.js';
import { TwoLevel } from '../dist/engine/two-level.js';
import { PageBatch } from '../dist/pages/expand.js';
import { DEFAULT_LATENCY, DEFAULT_DECOMPRESS_NS } from '../dist/engine/config.js';
import { openSource } from '../dist/trace/source.js';
import { DEFAULT_READ_OPTIONS } from '../dist/trace/reader.js';

/** the speed target: a one-VM two-level run within this factor of a one-level run */
export const TWO_LEVEL_TARGET = 2.5;

function replay(pt, machine) {
  const batch = new PageBatch(1 << 14);
  for (let at = 0; at < pt.length; at += batch.capacity) {
    const n = Math.min(batch.capacity, pt.length - at);
    batch.op.set(pt.op.subarray(at, at + n));
    batch.page.set(pt.page.subarray(at, at + n));
    batch.length = n;
    machine.replay(batch);
  }
}

function once(pt, base, twoLevel) {
  const start = process.cpuUsage();
  let faults;
  if (twoLevel) {
    const m = new TwoLevel({ ...base, twoLevel }, pt.ids);
    m.vmNames = pt.registry.names;
    m.ensureVm(pt.registry.names.length - 1);
    replay(pt, m);
    faults = `guest ${m.guests[0].counters.faults}, host ${m.host.vms[0].faults}`;
  } else {
    const e = new Engine(base, pt.ids);
    e.trackFrames = false;
    e.vmNames = pt.registry.names;
    e.ensureVm(pt.registry.names.length - 1);
    replay(pt, e);
    faults = `${e.vms[0].faults}`;
  }
  const used = process.cpuUsage(start);
  return { seconds: (used.user + used.system) / 1e6, faults };
}

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

/** One case: medians of `runs` alternating one-level and two-level replays of the loaded trace. */
export function twoLevelCase(pt, { frames, guestFrames, reclaim = 'swap', runs = 5 }) {
  const base = { frames, pageSize: 4096, swapSlots: Infinity, policy: 'lru', scheduler: 'global', seed: 1, onOom: 'kill', strictAlloc: false, latency: DEFAULT_LATENCY };
  const guest = { frames: guestFrames, policy: 'lru', swapSlots: Infinity, balloon: true, balloonMax: 65, compressRatio: 2, compressMax: 10 };
  const twoLevel = { defaults: guest, perVm: new Map(), reclaim: reclaim.split(','), freePageReporting: false, decompressNs: DEFAULT_DECOMPRESS_NS };
  const one = [];
  const two = [];
  let f1 = '';
  let f2 = '';
  for (let i = 0; i < runs; i++) {
    const a = once(pt, base, null);
    const b = once(pt, base, twoLevel);
    one.push(a.seconds);
    two.push(b.seconds);
    f1 = a.faults;
    f2 = b.faults;
  }
  const ratio = median(two) / median(one);
  return { frames, guestFrames, reclaim, oneSeconds: median(one), twoSeconds: median(two), ratio, oneFaults: f1, twoFaults: f2, ok: ratio <= TWO_LEVEL_TARGET };
}

export async function loadTrace(trace) {
  return loadPageTrace([await openSource(trace)], DEFAULT_READ_OPTIONS, 4096);
}

/** The cases `npm run bench` reports: G = F, and G = 2F under swap and balloon,swap. */
export async function twoLevelCases(trace, frames, runs) {
  const pt = await loadTrace(trace);
  return [
    twoLevelCase(pt, { frames, guestFrames: frames, reclaim: 'swap', runs }),
    twoLevelCase(pt, { frames, guestFrames: 2 * frames, reclaim: 'swap', runs }),
    twoLevelCase(pt, { frames, guestFrames: 2 * frames, reclaim: 'balloon,swap', runs }),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [trace, framesText, guestText, reclaim = 'swap'] = process.argv.slice(2);
  const pt = await loadTrace(trace);
  const c = twoLevelCase(pt, { frames: Number(framesText), guestFrames: Number(guestText), reclaim, runs: Number(process.env.BENCH_RUNS ?? 5) });
  console.log(`${pt.positions} accesses, ${pt.ids.count} pages; F = ${c.frames}, G = ${c.guestFrames}, reclaim ${reclaim} (CPU time, median of ${process.env.BENCH_RUNS ?? 5})`);
  console.log(`one level:  ${c.oneSeconds.toFixed(3)} s (faults ${c.oneFaults})`);
  console.log(`two levels: ${c.twoSeconds.toFixed(3)} s (faults ${c.twoFaults})`);
  console.log(`ratio ${c.ratio.toFixed(2)}x`);
}
