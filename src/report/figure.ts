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
import type { TopLevelSpec } from 'vega-lite';
import { formatBytes } from '../units.js';
import type { PlanOutcome } from './plan.js';
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

/** The common frame of a figure; `legendLabels` widens the legend's labels (Vega cuts them at 160 px). */
function base(title: string, subtitle: string | string[], legendLabels?: number): Partial<TopLevelSpec> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle, anchor: 'start' },
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    config: { font: 'sans-serif', axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#e4e4e4' }, legend: { labelFontSize: 11, titleFontSize: 12, ...(legendLabels ? { labelLimit: legendLabels } : {}) } },
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

/**
 * simulate --interval: frames each VM holds over time, stacked (rows of the time series). With
 * `balance`'s targets (a `target` column), the stacked targets are dashed black steps over the
 * areas, as on the terminal. With two levels (a `backed` column) it is levelsFigure's.
 */
export function timeFigure(intervals: Row[], run: { scheduler: string; policy: string; frames: number; pageSize?: number }): Figure {
  if (intervals.some((r) => r.backed !== undefined)) return levelsFigure(intervals, run);
  const vms = [...new Set(intervals.map((r) => String(r.vm)))];
  const values = intervals.map((r) => ({ t: r.t, vm: r.vm, vmIndex: vms.indexOf(String(r.vm)), resident: r.resident }));
  const withTargets = intervals.some((r) => typeof r.target === 'number');
  const areas = {
    data: { values },
    mark: { type: 'area', line: { color: 'black', strokeWidth: 0.6 }, interpolate: 'step-after' },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'accesses replayed' },
      y: { field: 'resident', type: 'quantitative', stack: 'zero', title: withTargets ? 'frames held (stacked); targets dashed' : 'frames held (stacked)' },
      color: { field: 'vm', type: 'nominal', title: 'VM', sort: vms, scale: { scheme: 'viridis' } },
      order: { field: 'vmIndex' },
    },
  };
  const subtitle = `${run.scheduler} scheduler, ${run.policy}, ${run.frames} frames (stacked)`;
  if (!withTargets) {
    const spec = { ...base('Frames held per VM over time', subtitle), ...areas } as unknown as TopLevelSpec;
    return { title: 'Frames held per VM over time', spec, table: { columns: ['t', 'vm', 'resident'], rows: values.map((v) => [v.t, v.vm, v.resident]) } };
  }
  // Each VM's target stacked on those before it, so the dashed step ends where its band should.
  const tops: { t: Cell; vm: Cell; target_top: number }[] = [];
  const running = new Map<Cell, number>();
  for (const r of intervals) {
    const top = (running.get(r.t) ?? 0) + (typeof r.target === 'number' ? r.target : 0);
    running.set(r.t, top);
    tops.push({ t: r.t, vm: r.vm, target_top: top });
  }
  const targetLines = {
    data: { values: tops },
    mark: { type: 'line', color: 'black', strokeWidth: 1.4, interpolate: 'step-after' },
    encoding: {
      x: { field: 't', type: 'quantitative' },
      y: { field: 'target_top', type: 'quantitative' },
      detail: { field: 'vm' },
      strokeDash: { datum: 'targets (stacked)', type: 'nominal', title: null, scale: { range: [[5, 3]] } },
    },
  };
  const spec = {
    ...base('Frames held per VM over time, with targets', `${subtitle}; dashed: each VM's target stacked on those before it`),
    layer: [areas, targetLines],
  } as unknown as TopLevelSpec;
  return {
    title: 'Frames held per VM over time, with targets',
    spec,
    table: { columns: ['t', 'vm', 'resident', 'target'], rows: intervals.map((r) => [r.t, r.vm, r.resident, r.target ?? null]) },
  };
}

const LEVEL_MEASURES = [
  { key: 'resident', name: 'guest resident' },
  { key: 'backed', name: 'backed (host frames)' },
  { key: 'balloon', name: 'balloon' },
  { key: 'target', name: 'target (host frames)' },
] as const;

/**
 * simulate --interval with two levels: per VM (one panel each), the guest's resident pages, the
 * guest frames the host backs and the balloon's size over time, each its own dash and shape.
 */
export function levelsFigure(intervals: Row[], run: { scheduler: string; policy: string; frames: number }): Figure {
  const vms = [...new Set(intervals.map((r) => String(r.vm)))];
  const measures = LEVEL_MEASURES.filter((m) => intervals.some((r) => typeof r[m.key] === 'number'));
  const names = measures.map((m) => m.name);
  const values = intervals.flatMap((r) => measures.map((m) => ({ t: r.t, vm: r.vm, measure: m.name, frames: r[m.key] })));
  const samples = new Set(intervals.map((r) => r.t)).size;
  const spec = {
    ...base('Guest and host memory per VM over time', `two levels: ${run.scheduler} scheduler, host ${run.policy}, ${run.frames} host frames; one panel per VM`, 260),
    data: { values },
    facet: { row: { field: 'vm', type: 'nominal', sort: vms, title: null, header: { labelAngle: 0, labelAlign: 'left', labelFontSize: 12, labelFontWeight: 'bold' } } },
    spec: {
      width: WIDTH,
      height: Math.max(90, Math.min(160, Math.floor(HEIGHT / vms.length))),
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.6, point: samples <= 80 ? { filled: true, size: 30 } : false },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'accesses replayed' },
        y: { field: 'frames', type: 'quantitative', title: 'frames', axis: { format: 'd', tickMinStep: 1 } },
        color: { field: 'measure', type: 'nominal', title: null, sort: names, scale: { domain: names, range: ['#1b9e77', '#d95f02', '#7570b3', '#222222'] } },
        shape: { field: 'measure', type: 'nominal', title: null, scale: { domain: names, range: names.map((_, i) => SHAPES[i]) } },
        strokeDash: { field: 'measure', type: 'nominal', title: null, scale: { domain: names, range: names.map((_, i) => DASHES[i]) } },
      },
    },
  } as unknown as TopLevelSpec;
  // a faceted figure sizes each panel (spec.width/height), not the whole
  delete (spec as { width?: number }).width;
  delete (spec as { height?: number }).height;
  const columns = ['t', 'vm', ...measures.map((m) => m.key)];
  return { title: 'Guest and host memory per VM over time', spec, table: { columns, rows: intervals.map((r) => columns.map((c) => r[c] ?? null)) } };
}

/** At most this many points per VM curve in the plan figure (a step curve keeps only its drops). */
const PLAN_POINTS = 1500;

/**
 * plan: each VM's fault rate against the frames it would have alone (its exact curve), with its
 * planned size marked (a solid rule and a filled point) and the weight-proportional split (a
 * dotted rule and a hollow point).
 */
export function planFigure(out: PlanOutcome): Figure {
  const rate = (faults: number, accesses: number): number => (accesses > 0 ? faults / accesses : 0);
  const at = (curve: ArrayLike<number>, x: number): number => curve[Math.min(x, curve.length - 1)] ?? 0;
  let xMax = 1;
  for (const v of out.vms) xMax = Math.max(xMax, v.curve.length - 1, v.frames, v.partitionFrames);
  // a little room to the right, so that a mark or a drop at the largest size is not on the frame
  xMax = Math.ceil(xMax * 1.05);
  const curves: { vm: string; frames: number; faults: number; fault_rate: number }[] = [];
  for (const v of out.vms) {
    const drops: number[] = [];
    for (let x = 0; x < v.curve.length; x++) if (x === 0 || v.curve[x] !== v.curve[x - 1]) drops.push(x);
    // a curve with very many drops is drawn from evenly spaced sizes (plus the marks)
    const xs = drops.length <= PLAN_POINTS ? drops : Array.from({ length: PLAN_POINTS }, (_, i) => Math.round((i * (v.curve.length - 1)) / (PLAN_POINTS - 1)));
    const all = [...new Set([...xs, v.frames, v.partitionFrames, xMax])].filter((x) => x <= xMax).sort((a, b) => a - b);
    for (const x of all) curves.push({ vm: v.name, frames: x, faults: at(v.curve, x), fault_rate: rate(at(v.curve, x), v.accesses) });
  }
  const marks = out.vms.flatMap((v) => [
    { vm: v.name, mark: 'planned', frames: v.frames, faults: v.faults, fault_rate: rate(v.faults, v.accesses), zero: 0 },
    { vm: v.name, mark: 'weight-proportional', frames: v.partitionFrames, faults: v.partitionFaults, fault_rate: rate(v.partitionFaults, v.accesses), zero: 0 },
  ]);
  const names = out.vms.map((v) => v.name);
  const pageSize = out.pageSize;
  const x = { field: 'frames', type: 'quantitative', scale: { domain: [0, xMax], nice: false }, title: 'memory: frames (bytes) the VM has alone', axis: { labelExpr: framesLabel(pageSize), labelAngle: -30 } };
  const y = { field: 'fault_rate', type: 'quantitative', title: 'fault rate (faults / the VM\'s accesses)', axis: { format: '.1%' } };
  const color = { field: 'vm', type: 'nominal', title: 'VM', sort: names, scale: { domain: names, scheme: 'dark2' } };
  const shape = { field: 'vm', type: 'nominal', title: 'VM', sort: names, scale: { domain: names, range: names.map((_, i) => SHAPES[i % SHAPES.length]) } };
  const markDash = { field: 'mark', type: 'nominal', title: 'marked size', scale: { domain: ['planned', 'weight-proportional'], range: [[1, 0], [2, 3]] } };
  const what = out.objective === 'weighted' ? 'weight x faults' : 'the total faults';
  const spec = {
    ...base(
      'Planned memory per VM',
      [
        `${out.frames} frames (${formatBytes(out.frames * pageSize)}) split to minimise ${what}; each VM's exact ${out.policy} curve${out.step > 1 ? `; on a grid of ${out.step} frames` : ''}`,
        'solid rule, filled point: the plan; dotted rule, hollow point: the weight-proportional split',
      ],
      260,
    ),
    layer: [
      {
        data: { values: curves },
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.6 },
        encoding: { x, y, color, strokeDash: { field: 'vm', type: 'nominal', title: 'VM', sort: names, scale: { domain: names, range: names.map((_, i) => DASHES[i % DASHES.length]) } } },
      },
      {
        data: { values: marks },
        layer: [
          { mark: { type: 'rule', strokeWidth: 1.4 }, encoding: { x, y: { field: 'zero', type: 'quantitative' }, y2: { field: 'fault_rate' }, color, strokeDash: markDash } },
          {
            mark: { type: 'point', size: 110, strokeWidth: 2, opacity: 1 },
            encoding: {
              x,
              y,
              color,
              shape,
              fill: { condition: { test: "datum.mark === 'planned'", field: 'vm', type: 'nominal', scale: { domain: names, scheme: 'dark2' }, legend: null }, value: 'white' },
              fillOpacity: { value: 1 },
            },
          },
        ],
      },
    ],
    resolve: { scale: { strokeDash: 'independent' }, legend: { strokeDash: 'independent' } },
  } as unknown as TopLevelSpec;
  return {
    title: 'Planned memory per VM',
    spec,
    table: {
      columns: ['vm', 'kind', 'frames', 'memory_bytes', 'faults', 'fault_rate'],
      rows: [
        ...marks.map((m) => [m.vm, m.mark, m.frames, m.frames * pageSize, m.faults, m.fault_rate]),
        ...curves.map((c) => [c.vm, 'curve', c.frames, c.frames * pageSize, c.faults, c.fault_rate]),
      ],
    },
  };
}

export async function renderSvg(figure: Figure): Promise<string> {
  // Vega and Vega-Lite are loaded when a figure is drawn, not when vmmem starts: together they
  // are most of the CLI's start-up time, and most runs draw no figure.
  const [{ compile }, { parse, View }] = await Promise.all([import('vega-lite'), import('vega')]);
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
