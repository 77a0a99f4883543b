// One measured run in a fresh process: prints {seconds, maxRssBytes, result} as JSON.
// Usage: node bench/child.js simulate TRACE POLICY FRAMES [REPEAT]
//        node bench/child.js cli ARGS...   (times the CLI in-process)
import { performance } from 'node:perf_hooks';
import { openSource } from '../dist/trace/source.js';
import { simulate } from '../dist/run/simulate.js';
import { DEFAULT_LATENCY } from '../dist/engine/config.js';
import { main } from '../dist/cli/main.js';

const [mode, ...args] = process.argv.slice(2);
const t0 = performance.now();
let result;
if (mode === 'simulate') {
  const [trace, policy, frames, repeat = '1'] = args;
  const source = await openSource(trace);
  const times = Number(repeat);
  if (times > 1) {
    // The same trace streamed `times` times over: memory must not grow with it.
    const chunks = source.chunks.bind(source);
    source.chunks = async function* () {
      for (let i = 0; i < times; i++) yield* chunks();
    };
  }
  const out = await simulate({
    sources: [source],
    read: { ifetch: false, hex: false, skipBadLines: false },
    config: { frames: Number(frames), pageSize: 4096, swapSlots: Infinity, policy, scheduler: 'global', seed: 1, onOom: 'kill', strictAlloc: false, latency: DEFAULT_LATENCY },
  });
  result = { accesses: out.total.counters.accesses, faults: out.total.counters.faults, distinctPages: out.host.distinctPages };
} else if (mode === 'scan') {
  // N distinct pages, each touched once, synthesised on the fly (no file): V8's Map would stop at 2^24.
  const [pages] = args;
  const n = Number(pages);
  const source = {
    path: 'scan',
    display: 'scan',
    vmName: 'scan',
    format: 'plain',
    gzip: false,
    bytes: undefined,
    retain() {},
    async *chunks() {
      const perChunk = 1 << 16;
      for (let start = 0; start < n; start += perChunk) {
        let text = '';
        for (let p = start; p < Math.min(n, start + perChunk); p++) text += `R 0x${(p * 4096).toString(16)}\n`;
        yield Buffer.from(text);
      }
    },
  };
  const out = await simulate({
    sources: [source],
    read: { ifetch: false, hex: false, skipBadLines: false },
    config: { frames: 1024, pageSize: 4096, swapSlots: Infinity, policy: 'lru', scheduler: 'global', seed: 1, onOom: 'kill', strictAlloc: false, latency: DEFAULT_LATENCY },
  });
  result = { accesses: out.total.counters.accesses, faults: out.total.counters.faults, distinctPages: out.host.distinctPages };
} else if (mode === 'cli') {
  let text = '';
  const io = { stdout: (t) => (text += t), stderr: () => {}, stdoutIsTty: false, stderrIsTty: false, env: process.env };
  const code = await main(args, io);
  result = { code, bytes: text.length };
}
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage();
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(JSON.stringify({ seconds, cpuSeconds, maxRssBytes: process.resourceUsage().maxRSS * 1024, result }) + '\n');
