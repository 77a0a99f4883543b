/**
 * Figures as files (`--plot-out FILE.svg|FILE.html`, SPEC 3.2a): the figure a paper would show for
 * a command's result, as a Vega-Lite specification rendered to SVG by Vega's headless renderer
 * (no browser, no canvas: Vega lays out and draws the scene graph itself in Node). Built from the
 * plain result object, like every other output format; knows nothing of the engine.
 *
 * Readable in black and white: lines differ by point shape and dash as well as colour (sampled
 * curves are dashed), stacked areas use a colour scheme whose luminance runs one way (viridis).
 * `.html` is one self-contained page: the same SVG inline and the figure's data as a table, no
 * script and nothing fetched.
 */
import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';
import { formatBytes } from '../units.js';
import type { Cell, CommandResult, Row } from './result.js';

export interface Figure {
  title: string;
  spec: TopLevelSpec;
  /** the data drawn, for the HTML page's table */
  table: { columns: string[]; rows: Cell[][] };
}

const WIDTH = 640;
const HEIGHT = 380;
const SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down', 'triangle-left', 'triangle-right'];
const DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [1, 3], [10, 4]];

/** A Vega expression that labels a size in frames with its bytes too: "64 (256 KiB)". */
function framesLabel(pageSize: number): string {
  const bytes = `datum.value * ${pageSize}`;
  return (
    `datum.value + ' (' + (${bytes} >= 1073741824 ? format(${bytes} / 1073741824, '.3~g') + ' GiB' : ` +
    `${bytes} >= 1048576 ? format(${bytes} / 1048576, '.3~g') + ' MiB' : ${bytes} >= 1024 ? format(${bytes} / 1024, '.3~g') + ' KiB' : ${bytes} + ' B') + ')'`
  );
}

function pageSizeOf(result: CommandResult): number {
  const p = result.config.page_size;
  return typeof p === 'number' && p > 0 ? p : 4096;
}

function base(title: string, subtitle: string): Partial<TopLevelSpec> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle, anchor: 'start' },
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    config: { font: 'sans-serif', axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#e4e4e4' }, legend: { labelFontSize: 11, titleFontSize: 12 } },
  } as Partial<TopLevelSpec>;
}

/** Lines with points, one series per `series` value, each its own shape and dash. */
function lineLayer(values: Row[], x: object, y: object, series: string, dashed?: string): TopLevelSpec {
  const names = [...new Set(values.map((v) => String(v[series])))];
  const shape = { field: series, type: 'nominal', title: null, scale: { domain: names, range: names.map((_, i) => SHAPES[i % SHAPES.length]) } };
  const dash = dashed && values.some((v) => v[dashed] === 'sampled')
    ? { field: dashed, type: 'nominal', title: null, legend: null, scale: { domain: ['exact', 'sampled'], range: [[1, 0], [6, 4]] } }
    : { field: series, type: 'nominal', title: null, scale: { domain: names, range: names.map((_, i) => DASHES[i % DASHES.length]) } };
  return {
    data: { values },
    mark: { type: 'line', point: { filled: true, size: 45 }, strokeWidth: 1.6 },
    encoding: { x, y, color: { field: series, type: 'nominal', title: null, scale: { scheme: 'dark2' } }, shape, strokeDash: dash, detail: { field: series } },
  } as unknown as TopLevelSpec;
}

/** mrc: miss ratio against memory, one line per curve; sampled curves dashed. */
export function mrcFigure(result: CommandResult): Figure {
  const pageSize = pageSizeOf(result);
  const values = result.rows.map((r) => {
    const sampled = typeof r.sample_rate === 'number' && r.sample_rate < 1 || (r.method !== undefined && r.method !== 'stack' && r.method !== 'replay');
    const curve = sampled ? `${String(r.policy)} (${String(r.method ?? 'SHARDS')} ${String(r.sample_rate)})` : String(r.policy);
    return { curve, frames: r.frames, miss_ratio: r.miss_ratio, kind: sampled ? 'sampled' : 'exact', memory_bytes: r.memory_bytes };
  });
  const traces = (result.config.traces as string[] | undefined)?.join(', ') ?? '';
  const spec = {
    ...base('Miss-ratio curve', `${traces}; page size ${formatBytes(pageSize)}${values.some((v) => v.kind === 'sampled') ? '; sampled curves dashed' : ''}`),
    ...lineLayer(
      values,
      { field: 'frames', type: 'quantitative', scale: { type: 'log', nice: false }, title: 'memory: frames (bytes), log scale', axis: { labelExpr: framesLabel(pageSize), labelAngle: -30 } },
      { field: 'miss_ratio', type: 'quantitative', title: 'miss ratio (faults / accesses)', axis: { format: '.1%' } },
      'curve',
      'kind',
    ),
  } as TopLevelSpec;
  return { title: 'Miss-ratio curve', spec, table: { columns: ['curve', 'frames', 'memory_bytes', 'miss_ratio'], rows: values.map((v) => [v.curve, v.frames, v.memory_bytes, v.miss_ratio]) } };
}

/** compare: faults against memory size, one line per policy (and trace, when several). */
export function compareFigure(result: CommandResult): Figure {
  const pageSize = pageSizeOf(result);
  const traces = new Set(result.rows.map((r) => r.trace));
  const values = result.rows
    .filter((r) => typeof r.faults === 'number')
    .map((r) => ({ series: traces.size > 1 ? `${String(r.policy)}, ${String(r.trace)}` : String(r.policy), frames: r.frames, faults: r.faults, fault_rate: r.fault_rate, memory_bytes: r.memory_bytes }));
  const sizes = new Set(values.map((v) => v.frames));
  const spec = {
    ...base('Faults per memory size', `${[...traces].join(', ')}; page size ${formatBytes(pageSize)}`),
    ...lineLayer(
      values,
      { field: 'frames', type: 'quantitative', scale: { type: sizes.size > 2 ? 'log' : 'linear', nice: false }, title: 'memory: frames (bytes)', axis: { labelExpr: framesLabel(pageSize), labelAngle: -30, ...(sizes.size <= 12 ? { values: [...sizes] } : {}) } },
      { field: 'fault_rate', type: 'quantitative', title: 'fault rate (faults / accesses)', axis: { format: '.1%' } },
      'series',
    ),
  } as TopLevelSpec;
  return {
    title: 'Faults per memory size',
    spec,
    table: { columns: ['series', 'frames', 'memory_bytes', 'faults', 'fault_rate'], rows: values.map((v) => [v.series, v.frames, v.memory_bytes, v.faults, v.fault_rate]) },
  };
}

/** simulate --interval: frames each VM holds over time, stacked (rows of the time series). */
export function timeFigure(intervals: Row[], run: { scheduler: string; policy: string; frames: number }): Figure {
  const values = intervals.map((r) => ({ t: r.t, vm: r.vm, resident: r.resident }));
  const vms = [...new Set(values.map((v) => String(v.vm)))];
  const spec = {
    ...base('Frames held per VM over time', `${run.scheduler} scheduler, ${run.policy}, ${run.frames} frames (stacked)`),
    data: { values },
    mark: { type: 'area', line: { color: 'black', strokeWidth: 0.6 }, interpolate: 'step-after' },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'accesses replayed' },
      y: { field: 'resident', type: 'quantitative', stack: 'zero', title: 'frames held (stacked)' },
      color: { field: 'vm', type: 'nominal', title: 'VM', sort: vms, scale: { scheme: 'viridis' } },
      order: { field: 'vmIndex' },
    },
    transform: [{ calculate: `indexof(${JSON.stringify(vms)}, datum.vm)`, as: 'vmIndex' }],
  } as unknown as TopLevelSpec;
  return { title: 'Frames held per VM over time', spec, table: { columns: ['t', 'vm', 'resident'], rows: values.map((v) => [v.t, v.vm, v.resident]) } };
}

export async function renderSvg(figure: Figure): Promise<string> {
  const view = new View(parse(compile(figure.spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export async function renderHtml(figure: Figure, caption: string): Promise<string> {
  const svg = await renderSvg(figure);
  const head = figure.table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = figure.table.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c === null ? '' : String(c))}</td>`).join('')}</tr>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(figure.title)}</title>
<style>body{font-family:sans-serif;margin:2em;color:#111}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #bbb;padding:2px 8px;text-align:right}th{background:#eee}caption{text-align:left;padding:4px 0}</style>
</head>
<body>
<figure>
${svg}
<figcaption>${caption.split('\n').map(escapeHtml).join('<br>\n')}</figcaption>
</figure>
<table>
<caption>The data of the figure</caption>
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>
</body>
</html>
`;
}
