/**
 * --plot-out (SPEC 3.2a): the figures are well-formed SVG with one series per policy or VM and
 * labelled axes; the HTML page holds the same figure and its data; files are whole or absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { vmmem } from '../cli/in-process.js';

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
