/**
 * --plot-out (SPEC 3.2a): the figures are well-formed SVG with one series per policy or VM and
 * labelled axes; the HTML page holds the same figure and its data; files are whole or absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { vmmem } from '../cli/in-process.js';
import { renderSvg, timeFigure } from '../../src/report/figure.js';

/** Every element of a parsed XML tree with its attributes, depth first. */
function elements(node: unknown, out: { name: string; attrs: Record<string, string>; text: string }[] = [], name = ''): typeof out {
  if (Array.isArray(node)) for (const n of node) elements(n, out, name);
  else if (node !== null && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(o)) if (k.startsWith('@_')) attrs[k.slice(2)] = String(v);
    const text = typeof o['#text'] === 'string' || typeof o['#text'] === 'number' ? String(o['#text']) : '';
    if (name) out.push({ name, attrs, text });
    for (const [k, v] of Object.entries(o)) if (!k.startsWith('@_') && k !== '#text') elements(v, out, k);
  } else if (name) out.push({ name, attrs: {}, text: String(node) });
  return out;
}

function parseSvg(file: string) {
  const text = readFileSync(file, 'utf8');
  expect(XMLValidator.validate(text)).toBe(true);
  const tree = new XMLParser({ ignoreAttributes: false, isArray: () => true }).parse(text) as unknown;
  const all = elements(tree);
  expect(all[0]!.name).toBe('svg');
  const texts = all.filter((e) => e.name === 'text').map((e) => e.text);
  // a line mark's group holds one path per series
  const groupsOf = (cls: string) => all.filter((e) => e.name === 'g' && (e.attrs.class ?? '').startsWith(cls));
  return { text, all, texts, groupsOf };
}

describe('--plot-out', () => {
  it('mrc: one line per curve, axes in frames (with bytes) and miss ratio in %', async () => {
    const file = join(tempDir(), 'mrc.svg');
    const r = await vmmem(['mrc', 'traces/zipf.csv', '--policy', 'lru,opt', '--frames', '1,4,16,64,200', '--plot-out', file, '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    const svg = parseSvg(file);
    expect(svg.groupsOf('mark-line role-mark')).toHaveLength(2);
    expect(svg.texts).toEqual(expect.arrayContaining(['Miss-ratio curve', 'memory: frames (bytes), log scale', 'miss ratio (faults / accesses)', 'lru', 'opt', '10 (40 KiB)']));
    expect(svg.texts.some((t) => /^\d+(\.\d)?%$/.test(t))).toBe(true);
    // standard output still carries the result
    expect(r.stdout.split('\n')[0]).toBe('policy,frames,memory_bytes,faults,miss_ratio,major_faults,swap_ins,swap_outs,evictions,accesses,sample_rate');
  });

  it('compare: one line per policy; the .html page is self-contained with the figure and its data', async () => {
    const dir = tempDir();
    const svgFile = join(dir, 'c.svg');
    const htmlFile = join(dir, 'c.html');
    const args = ['compare', 'traces/zipf.csv', '--policies', 'lru,fifo,clock', '--frames', '10,40,160', '-q'];
    expect((await vmmem([...args, '--plot-out', svgFile])).code).toBe(0);
    expect((await vmmem([...args, '--plot-out', htmlFile])).code).toBe(0);
    const svg = parseSvg(svgFile);
    expect(svg.groupsOf('mark-line role-mark')).toHaveLength(3);
    expect(svg.texts).toEqual(expect.arrayContaining(['fault rate (faults / accesses)', 'lru', 'fifo', 'clock']));
    const html = readFileSync(htmlFile, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(html).toContain('<svg');
    // 3 policies x 3 sizes rows in the data table, with the faults of the CSV result
    expect(html.match(/<tr><td>/g)).toHaveLength(9);
    const csv = await vmmem([...args.filter((a) => a !== '-q'), '--format', 'csv']);
    const lruAt40 = csv.stdout.split('\n').find((l) => l.startsWith('traces/zipf.csv,lru,40,'))!.split(',')[4];
    expect(html).toContain(`<tr><td>lru</td><td>40</td><td>163840</td><td>${lruAt40}</td>`);
  });

  it('simulate --interval: one stacked area per VM', async () => {
    const file = join(tempDir(), 't.svg');
    const r = await vmmem(['simulate', '--config', 'traces/three-vms/scenario.json', '--interval', '2000', '--plot-out', file, '-q', '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    const svg = parseSvg(file);
    const areas = svg.all.filter((e) => e.name === 'path' && (e.attrs['aria-roledescription'] ?? '') === 'area mark');
    expect(areas).toHaveLength(3);
    expect(svg.texts).toEqual(expect.arrayContaining(['web', 'cache', 'batch', 'accesses replayed', 'frames held (stacked)']));
  });

  it("simulate --interval: the areas are stacked (each VM's band starts where the one before ends)", async () => {
    // a holds 1 frame, b 2, at t = 1 and 2: y runs 0..3 frames over 380 px, so a fills 380..253.3
    // and b 253.3..0; x runs t = 1..2 over 640 px
    const rows = [1, 2].flatMap((t) => [{ t, vm: 'a', resident: 1 }, { t, vm: 'b', resident: 2 }]);
    const file = join(tempDir(), 's.svg');
    writeFileSync(file, await renderSvg(timeFigure(rows, { scheduler: 'global', policy: 'lru', frames: 3 })));
    const areas = parseSvg(file).all.filter((e) => e.name === 'path' && e.attrs['aria-roledescription'] === 'area mark');
    expect(areas.map((a) => a.attrs.d)).toEqual(['M0,253.333L640,253.333L640,253.333L640,380L640,380L0,380Z', 'M0,0L640,0L640,0L640,253.333L640,253.333L0,253.333Z']);
  });

  it('simulate --interval --scheduler balance: the stacked targets drawn over the areas', async () => {
    const file = join(tempDir(), 'b.svg');
    const r = await vmmem(['simulate', '--config', 'traces/three-vms/scenario.json', '--scheduler', 'balance', '--rebalance', '5000', '--interval', '5000', '--plot-out', file, '-q', '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    const svg = parseSvg(file);
    expect(svg.all.filter((e) => e.name === 'path' && e.attrs['aria-roledescription'] === 'area mark')).toHaveLength(3);
    // one dashed black step per VM: its target stacked on those before it
    // (each area's own outline is a solid line mark too)
    const lines = svg.all.filter((e) => e.name === 'path' && e.attrs['aria-roledescription'] === 'line mark');
    expect(lines.filter((l) => l.attrs['stroke-dasharray'] === undefined)).toHaveLength(3);
    const targets = lines.filter((l) => l.attrs['stroke-dasharray'] === '5,3');
    expect(targets).toHaveLength(3);
    for (const t of targets) expect(t.attrs.stroke).toBe('black');
    expect(svg.texts).toEqual(expect.arrayContaining(['targets (stacked)', 'frames held (stacked); targets dashed']));
  });

  it('simulate --interval with two levels: per VM guest resident, backed and balloon, each its own dash (SPEC 2.7 example)', async () => {
    // W 0, W 1, R 2 with G = 2, F = 1, balloon first (docs/two-levels.md): after access 1 the guest
    // holds page 0, backed; at access 2 the host needs a frame for guest frame 1, the balloon takes
    // guest frame 0 (its page swapped out by the guest); access 3 evicts page 1 in the guest.
    // resident 1,1,1; backed 1,1,1; balloon 0,1,1.
    const dir = tempDir();
    const trace = join(dir, 'wx.txt');
    writeFileSync(trace, 'W 0\nW 1\nR 2\n');
    const file = join(dir, 'l.svg');
    const args = ['simulate', trace, '--trace-format', 'plain', '--page-size', '1', '--frames', '1', '--guest-memory', '2', '--reclaim', 'balloon,swap', '--interval', '1', '-q', '--format', 'csv'];
    const r = await vmmem([...args, '--plot-out', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n').slice(-4)).toEqual(['t,vm,faults,swap_ins,swap_outs,resident,backed,balloon', '1,wx,1,0,0,1,1,0', '2,wx,1,0,1,1,1,1', '3,wx,1,0,1,1,1,1']);
    const svg = parseSvg(file);
    const lines = svg.all.filter((e) => e.name === 'path' && e.attrs['aria-roledescription'] === 'line mark');
    expect(lines).toHaveLength(3);
    // three dashes, so that they read in black and white
    expect(new Set(lines.map((l) => l.attrs['stroke-dasharray'])).size).toBe(3);
    // x: t = 1..3 over 640 px; y: 0..1 frames over the panel's 160 px (up is smaller). Resident
    // and backed stay at 1 frame; the balloon steps from 0 to 1 at t = 2.
    expect(lines.map((l) => l.attrs.d)).toEqual(['M0,0L320,0L320,0L640,0L640,0', 'M0,0L320,0L320,0L640,0L640,0', 'M0,160L320,160L320,0L640,0L640,0']);
    expect(svg.texts).toEqual(expect.arrayContaining(['Guest and host memory per VM over time', 'guest resident', 'backed (host frames)', 'balloon', 'accesses replayed', 'frames', 'wx']));
  });

  it('two levels, two VMs: one panel each, titled with its name', async () => {
    const file = join(tempDir(), 'l2.svg');
    const r = await vmmem([
      'simulate', '--vm', 'name=web,trace=traces/web.csv,memory=30', '--vm', 'name=db,trace=traces/db.csv,memory=100,balloon=0', '--page-size', '4KiB',
      '--frames', '100', '--reclaim', 'balloon,swap', '--interval', '600', '--plot-out', file, '-q', '--format', 'csv',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const svg = parseSvg(file);
    // 2 VMs x 3 measures
    expect(svg.all.filter((e) => e.name === 'path' && e.attrs['aria-roledescription'] === 'line mark')).toHaveLength(6);
    // each panel draws its lines in a group of its own
    const panels = svg.all.filter((e) => e.name === 'g' && (e.attrs.class ?? '').endsWith('_pathgroup'));
    expect(panels).toHaveLength(2);
    expect(svg.texts).toEqual(expect.arrayContaining(['web', 'db']));
  });

  it('--plot and --plot-out with two levels need --interval (64)', async () => {
    const r = await vmmem(['simulate', 'traces/web.csv', '--guest-memory', '120KiB', '--frames', '20', '--plot-out', join(tempDir(), 'x.svg')]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--plot-out with two levels of memory needs --interval N/);
  });

  it('refuses a name that is not .svg or .html (64) and leaves nothing when the file cannot be written (73)', async () => {
    const bad = await vmmem(['mrc', 'traces/zipf.csv', '--plot-out', '/tmp/x.png']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/should end in \.svg or \.html/);
    const missing = join(tempDir(), 'no', 'such', 'dir', 'f.svg');
    const r = await vmmem(['mrc', 'traces/zipf.csv', '--plot-out', missing]);
    expect(r.code).toBe(73);
    expect(r.stdout).toBe('');
    expect(existsSync(missing)).toBe(false);
  });
});

describe('plan --plot-out', () => {
  // VM a loops over 3 pages four times (12 accesses); b alternates 2 pages three times (6). Under
  // LRU a faults 12 times below 3 frames and 3 times (cold) at 3; b faults 6 times with 1 frame
  // and 2 with 2. F = 4, each VM at least one frame: (1,3) 12 + 2, (2,2) 12 + 2, (3,1) 3 + 6 = 9,
  // so the plan is a = 3, b = 1; the weight-proportional split is 2 and 2 (14 faults).
  function traces(): string[] {
    const dir = tempDir();
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    writeFileSync(a, `op,addr\n${'R,0x0\nR,0x1000\nR,0x2000\n'.repeat(4)}`);
    writeFileSync(b, `op,addr\n${'R,0x0\nR,0x1000\n'.repeat(3)}`);
    return [a, b];
  }

  it('the hand-worked plan: one curve per VM, the planned sizes and the split marked where they are', async () => {
    const file = join(tempDir(), 'p.svg');
    const r = await vmmem(['plan', ...traces(), '--frames', '4', '--format', 'csv', '--plot-out', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').slice(1, 3).map((l) => l.split(',').slice(0, 8).join(','))).toEqual(['a,lru,faults,3,3,0.25,2,12', 'b,lru,faults,1,6,1,2,2']);
    const svg = parseSvg(file);
    expect(svg.groupsOf('mark-line role-mark')).toHaveLength(2);
    expect(svg.texts).toEqual(expect.arrayContaining(['Planned memory per VM', 'memory: frames (bytes) the VM has alone', "fault rate (faults / the VM's accesses)", 'a', 'b', 'planned', 'weight-proportional', '0 (0 B)', '2 (8 KiB)']));
    expect(svg.texts.some((t) => /^\d+(\.\d)?%$/.test(t))).toBe(true);
    // x runs 0..4 frames (the largest size, 3, and 5% more, rounded up) over 640 px, y 0..100% over 380 px
    const rules = svg.all.filter((e) => e.name === 'line' && e.attrs['aria-roledescription'] === 'rule mark');
    const at = (label: string) => rules.filter((e) => e.attrs['aria-label']!.endsWith(label)).map((e) => [e.attrs.transform, e.attrs.y2, e.attrs['stroke-dasharray']]);
    expect(at('VM: a; marked size: planned')).toEqual([['translate(480,380)', '-95', '1,0']]);
    expect(at('VM: b; marked size: planned')).toEqual([['translate(160,380)', '-380', '1,0']]);
    expect(at('VM: a; marked size: weight-proportional')).toEqual([['translate(320,380)', '-380', '2,3']]);
    // b at 2 frames: 2 faults in 6 accesses, a third of the height
    const [[bSplit, bY, bDash]] = at('VM: b; marked size: weight-proportional') as [string[]];
    expect([bSplit, bDash]).toEqual(['translate(320,380)', '2,3']);
    expect(Number(bY)).toBeCloseTo(-380 / 3, 6);
    // a point on each curve at each marked size: filled for the plan, hollow (white) for the split
    const points = svg.all.filter((e) => e.name === 'path' && e.attrs['aria-roledescription'] === 'point');
    expect(points).toHaveLength(4);
    const where = (hollow: boolean) => points.filter((p) => (p.attrs.fill === 'white') === hollow).map((p) => p.attrs.transform!.replace(/\.\d+/g, ''));
    expect(where(false)).toEqual(['translate(480,285)', 'translate(160,0)']);
    expect(where(true)).toEqual(['translate(320,0)', 'translate(320,253)']);
  });

  it('.html: the figure, the summary and the marks and curves as a table', async () => {
    const file = join(tempDir(), 'p.html');
    const r = await vmmem(['plan', ...traces(), '--frames', '4', '-q', '--plot-out', file]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script/);
    expect(html).toContain('weight-proportional split (partition): 14 faults; the plan: 9');
    expect(html).toContain('<tr><td>a</td><td>planned</td><td>3</td><td>12288</td><td>3</td><td>0.25</td></tr>');
    expect(html).toContain('<tr><td>b</td><td>weight-proportional</td><td>2</td><td>8192</td><td>2</td><td>0.3333333333333333</td></tr>');
  });

  it('refuses a figure name that is not .svg or .html before planning (64)', async () => {
    const r = await vmmem(['plan', ...traces(), '--frames', '4', '--plot-out', join(tempDir(), 'p.png')]);
    expect(r.code).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the figures in the docs', () => {
  it('docs/figures/*.svg are what scripts/docs-figures.js draws now (run it after changing a figure)', () => {
    const dir = tempDir();
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'docs-figures.js'), dir], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const name of readdirSync(dir)) {
      expect(readFileSync(join(ROOT, 'docs', 'figures', name), 'utf8'), name).toBe(readFileSync(join(dir, name), 'utf8'));
    }
    expect(readdirSync(dir).sort()).toEqual(readdirSync(join(ROOT, 'docs', 'figures')).sort());
  }, 120_000);
});
