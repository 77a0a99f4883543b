/**
 * `--plot-out FILE.svg|FILE.html` (SPEC 3.2a): the command's figure written to a file, whole or
 * not at all (written under a temporary name beside it, then renamed), exit 73 when it cannot be.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { renderHtml, renderSvg, type Figure } from '../report/figure.js';
import { writeWhole } from './output-file.js';

export type FigureKind = 'svg' | 'html';

export function addPlotOutOption(cmd: Command, what: string): Command {
  return cmd.option('--plot-out <file>', `also draw ${what} into FILE.svg or FILE.html (Vega-Lite; the .html page carries the data as a table too)`);
}

/** The kind of figure file a name asks for; checked before the run. */
export function plotOutKind(file: string | undefined): FigureKind | null {
  if (file === undefined) return null;
  const lower = file.toLowerCase();
  if (lower.endsWith('.svg')) return 'svg';
  if (lower.endsWith('.html') || lower.endsWith('.htm')) return 'html';
  throw new UsageError(`--plot-out: '${file}' should end in .svg or .html (the figure's format comes from the name)`);
}

export async function writeFigure(file: string, figure: Figure, caption: string): Promise<void> {
  writeWhole(file, plotOutKind(file) === 'svg' ? await renderSvg(figure) : await renderHtml(figure, caption), '--plot-out');
}
