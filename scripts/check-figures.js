#!/usr/bin/env node
// npm run check:figures: draws each kind of figure as .html with vmmem (--plot-out), opens every
// page in headless Chromium (Debian's `chromium`, installed with apt-get when missing) and fails
// on a console error or a page whose figure is empty; saves PNG screenshots under figures/ for a
// person to look at. Not part of npm test; .ci/run runs it (installing chromium when missing).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'figures');
const BIN = join(ROOT, 'bin', 'vmmem.js');

const FIGURES = [
  ['mrc', ['mrc', 'traces/ls.lackey.gz', '--policy', 'lru,opt', '--points', '20']],
  ['mrc-sampled', ['mrc', 'traces/zipf.csv', '--policy', 'lru', '--sample-rate', '0.3', '--exact-too', '--points', '15']],
  ['compare', ['compare', 'traces/zipf.csv', '--policies', 'lru,fifo,clock,lfu,opt', '--frames', '10..160x2']],
  ['simulate-interval', ['simulate', '--config', 'traces/three-vms/scenario.json', '--idle-tax', '0.75', '--active-window', '1000', '--interval', '1000']],
  ['simulate-balance', ['simulate', '--config', 'traces/three-vms/scenario.json', '--scheduler', 'balance', '--rebalance', '5000', '--interval', '2000']],
  ['simulate-two-levels', ['simulate', '--vm', 'name=a,trace=traces/ls.lackey.gz,memory=64,balloon=0', '--vm', 'name=b,trace=traces/ls.lackey.gz,memory=64', '--frames', '85', '--reclaim', 'balloon,swap', '--interval', '8000']],
  ['plan', ['plan', 'traces/web.csv', 'traces/db.csv', '--frames', '140']],
  ['plan-ls', ['plan', 'traces/ls.lackey.gz', 'traces/web.csv', 'traces/db.csv', '--frames', '200', '--objective', 'weighted']],
];

function chromium() {
  for (const name of ['chromium', 'chromium-browser']) {
    if (spawnSync('which', [name]).status === 0) return name;
  }
  console.log('check:figures: installing Debian\'s chromium (apt-get install -y chromium)');
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', 'chromium'], { stdio: 'inherit' });
  return 'chromium';
}

const browser = chromium();
mkdirSync(OUT, { recursive: true });
let failed = 0;
for (const [name, args] of FIGURES) {
  const html = join(OUT, `${name}.html`);
  const png = join(OUT, `${name}.png`);
  const run = spawnSync(process.execPath, [BIN, ...args, '--plot-out', html, '-q', '--format', 'csv'], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) {
    console.error(`${name}: vmmem exited ${run.status}: ${run.stderr}`);
    failed++;
    continue;
  }
  const common = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--enable-logging=stderr', '--v=0'];
  const shot = spawnSync(browser, [...common, `--screenshot=${png}`, '--window-size=1000,1200', pathToFileURL(html).href], { encoding: 'utf8', timeout: 120_000 });
  const dom = spawnSync(browser, [...common, '--dump-dom', pathToFileURL(html).href], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  const console_ = `${shot.stderr}\n${dom.stderr}`.split('\n').filter((l) => /CONSOLE|Uncaught/.test(l));
  const marks = (dom.stdout.match(/aria-roledescription="(line|area|symbol) mark"/g) ?? []).length;
  const problems = [];
  if (shot.status !== 0 || !existsSync(png)) problems.push(`no screenshot (exit ${shot.status})`);
  if (console_.length > 0) problems.push(`console: ${console_.join(' | ')}`);
  if (marks === 0) problems.push('the figure draws no line, area or point');
  if (!readFileSync(html, 'utf8').includes('<table>')) problems.push('no data table');
  if (problems.length > 0) {
    failed++;
    console.error(`${name}: ${problems.join('; ')}`);
  } else console.log(`${name}: ok (${marks} marks), ${png}`);
}
if (failed > 0) {
  console.error(`check:figures: ${failed} of ${FIGURES.length} figures failed`);
  process.exitCode = 1;
} else console.log(`check:figures: ${FIGURES.length} figures ok; screenshots in figures/`);
