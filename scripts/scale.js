#!/usr/bin/env node
// npm run scale -- [--accesses 1e6,1e7,1e8] [--pages 100000] [--frames 16384] [--pattern zipf]
//                  [--policy lru] [--to csv|vmt] [--distinct N] [--self-rss]
// Streams a generated trace through standard input, `vmmem generate ... -o - | vmmem simulate -`,
// for each length in --accesses, and reports the simulating process's peak RSS (GNU time's %M
// when /usr/bin/time is there, else the process's own resourceUsage().maxRSS, printed by this
// script run as a wrapper around the CLI), its run time, and the accesses it replayed (all of
// them: the count is checked). The footprint (--pages) stays the same while the trace grows, so
// the peak RSS must stay flat (SPEC 4: memory follows distinct pages, not trace length).
// --distinct N instead runs one sequential scan of N distinct pages (each touched once) and
// checks that all N are counted: more than 2^24 of them is past what a V8 Map could hold.
// Not part of `npm test` (10^8 accesses take minutes); `npm run build` first.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'vmmem.js');
const SELF = fileURLToPath(import.meta.url);

if (process.argv[2] === '--wrap') {
  // In-process CLI: report our own peak RSS on stderr when done.
  const { main } = await import(join(ROOT, 'dist', 'cli', 'main.js'));
  const code = await main(process.argv.slice(3));
  process.stderr.write(`\nMAXRSS_KB ${process.resourceUsage().maxRSS}\n`);
  process.exitCode = code;
} else {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const pages = Number(opt('--pages', '100000'));
  const frames = opt('--frames', '16384');
  const pattern = opt('--pattern', 'zipf');
  const policy = opt('--policy', 'lru');
  const to = opt('--to', 'csv');
  const distinct = opt('--distinct', undefined);
  const gnuTime = !args.includes('--self-rss') && existsSync('/usr/bin/time');

  /** generate | simulate: { accesses, distinctPages, maxRssMiB, seconds } */
  const run = (generateArgs, simulateArgs) =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const gen = spawn(process.execPath, [BIN, 'generate', ...generateArgs, '-o', '-', '--to', to, '-q'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const sim = gnuTime
        ? spawn('/usr/bin/time', ['-f', 'MAXRSS_KB %M', process.execPath, BIN, 'simulate', '-', ...simulateArgs, '--format', 'json', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] })
        : spawn(process.execPath, [SELF, '--wrap', 'simulate', '-', ...simulateArgs, '--format', 'json', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
      gen.stdout.pipe(sim.stdin);
      let out = '';
      let err = '';
      sim.stdout.on('data', (d) => (out += d));
      sim.stderr.on('data', (d) => (err += d));
      sim.on('close', (code) => {
        const rss = /MAXRSS_KB (\d+)/.exec(err);
        if (code !== 0 || !rss) return reject(new Error(`simulate exited ${code}: ${err}`));
        const doc = JSON.parse(out);
        resolve({
          accesses: doc.rows.at(-1).accesses,
          faults: doc.rows.at(-1).faults,
          distinctPages: doc.host.distinct_pages,
          maxRssMiB: Number(rss[1]) / 1024,
          seconds: (Date.now() - started) / 1000,
        });
      });
    });

  const fmt = (n) => n.toLocaleString('en-US');
  console.log(`node ${process.version}, ${gnuTime ? 'GNU time %M' : 'resourceUsage().maxRSS'}, trace as ${to} on standard input`);
  if (distinct !== undefined) {
    const n = Number(distinct);
    const r = await run(['--pattern', 'scan', '--pages', String(n), '--accesses', String(n), '--write-ratio', '0'], ['--frames', '1024', '--policy', 'lru']);
    const ok = r.accesses === n && r.distinctPages === n && r.faults === n;
    console.log(`scan of ${fmt(n)} distinct pages (2^24 = ${fmt(2 ** 24)}): replayed ${fmt(r.accesses)}, distinct ${fmt(r.distinctPages)}, faults ${fmt(r.faults)}; peak RSS ${r.maxRssMiB.toFixed(0)} MiB, ${r.seconds.toFixed(0)} s ${ok ? 'ok' : 'WRONG'}`);
    process.exitCode = ok ? 0 : 1;
  } else {
    console.log(`pattern ${pattern}, ${fmt(pages)} pages, ${frames} frames, policy ${policy}`);
    console.log('accesses        replayed        distinct pages  peak RSS   time');
    for (const m of opt('--accesses', '1e6,1e7,1e8').split(',').map(Number)) {
      const r = await run(['--pattern', pattern, '--pages', String(pages), '--accesses', String(m)], ['--frames', frames, '--policy', policy]);
      const ok = r.accesses === m;
      console.log(`${fmt(m).padEnd(16)}${fmt(r.accesses).padEnd(16)}${fmt(r.distinctPages).padEnd(16)}${`${r.maxRssMiB.toFixed(0)} MiB`.padEnd(11)}${r.seconds.toFixed(0)} s${ok ? '' : '  WRONG: accesses lost'}`);
      if (!ok) process.exitCode = 1;
    }
  }
}
