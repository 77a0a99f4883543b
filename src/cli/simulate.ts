import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import type { SeriesOutcome } from '../run/simulate.js';
import { toCsv } from '../report/csv.js';
import { toJson } from '../report/json.js';
import { render, type OutputFormat } from '../report/index.js';
import { seriesResult, seriesRows } from '../report/series.js';
import { timeFigure } from '../report/figure.js';
import { addPlotOutOption, plotOutKind, writeFigure } from './figure-out.js';
import { renderLevelsPlot, renderTimePlot } from '../report/timeplot.js';
import { OutputError, UsageError } from '../errors.js';
import { policies } from '../policies/index.js';
import { addBaselineOptions, BASELINE_HELP, emitChecked, startBaselineCheck, type BaselineCheck, type BaselineOptions } from './baseline.js';
import { sourcesPlan, startProgress } from './progress.js';
import { addEngineOptions, addOutputOptions, addTraceOptions, outputFormat } from '../options/options.js';
import { chalkFor, type Io } from './io.js';
import { inputsOf } from '../report/stamp.js';
import { addMemoryOptions } from '../options/memory-options.js';
import { addTwoLevelOptions } from '../options/two-level-options.js';
import { addTranslationOptions } from '../options/translation-options.js';
import { addSchedulingOptions } from '../options/scenario.js';
import { runSimulate, type SimulateRawOptions } from '../api/simulate.js';

type SimulateOptions = SimulateRawOptions & BaselineOptions & { plotOut?: string };

export function simulateCommand(io: Io): Command {
  const cmd = new Command('simulate')
    .summary('replay traces through one memory configuration')
    .description(
      // paragraphs without line breaks: commander wraps them to the terminal's width
      'Replays memory-access traces (one VM per file, or a vm column) through paging, swap, a ' +
        'replacement policy and a scheduler between VMs, and prints per-VM and total fault, swap, ' +
        'latency and (with --vm, --config or a scheduler other than global) scheduling statistics.\n\n' +
        'TRACE is a file (csv, lackey, din, plain, vmt; optionally .gz) or - for standard input. ' +
        'VMs come from --config (in file order), then --vm (in order), then the TRACE arguments.',
    )
    .argument('[trace...]', 'trace files, one VM each (or a vm column); - reads standard input');
  addEngineOptions(cmd);
  addTraceOptions(cmd);
  addSchedulingOptions(cmd);
  addTranslationOptions(cmd);
  addMemoryOptions(cmd);
  addTwoLevelOptions(cmd);
  addPlotOutOption(cmd, 'the frames each VM holds over time (the --interval series; without it, an adaptive one; with two levels, guest resident, backed and balloon per VM: needs --interval)');
  addOutputOptions(cmd);
  addBaselineOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nExamples:\n' +
      '  vmmem simulate traces/ls.lackey.gz --frames 64 --policy clock\n' +
      '  vmmem simulate web.csv db.csv --memory 16MiB --swap 8MiB --format csv\n' +
      '  vmmem simulate --config traces/three-vms/scenario.json --scheduler weight --idle-tax 0.75\n' +
      '  vmmem simulate --vm name=web,trace=web.csv,priority=3,reserve=64MiB --vm name=db,trace=db.csv,priority=1 \\\n' +
      '      --scheduler highest --memory 512MiB --interval 10000 --plot\n' +
      '  vmmem simulate traces/zipf.csv --translation nested,shadow --host-page 2MiB\n' +
      '  vmmem simulate traces/clones.csv --memory 4MiB --dedup ksm --ksm-interval 500\n' +
      '  vmmem simulate web.csv --frames 64 --format json > base.json  # a baseline\n' +
      '  vmmem simulate web.csv --frames 64 --baseline base.json --tolerance 2%\n' +
      '\nA --vm without trace= sets the parameters of a VM that a TRACE argument yields (by its file\n' +
      'name or vm column). With trace=FILE, the VM is FILE (named NAME) or, when FILE has a vm\n' +
      'column, the rows of VM NAME in it. Scenario file keys: vms (a list of {name, trace, priority,\n' +
      'weight, reserve, limit}), description, and the options above with - written _ (page_size,\n' +
      'idle_tax, ...); trace paths are relative to the scenario file.\n' +
      `${BASELINE_HELP}\n` +
      'With --baseline the result goes to standard output as usual (any --format;\n' +
      'JSON adds "baseline_check") and the table of changed figures to standard\n' +
      'error. A baseline saved with another configuration or other VMs is an error\n' +
      '(exit 64).\n' +
      '\nExit codes: 0 ok, 1 worse than the baseline, 3 out of memory with --on-oom=error,\n' +
      '64 bad usage or configuration, 65 bad trace data, 66 trace or baseline missing or\n' +
      'unreadable, 70 internal error, 73 --interval-out cannot be written.',
  );
  cmd.action(async (traces: string[], cliOptions: SimulateOptions) => {
    let format: OutputFormat = 'table';
    let plot = false;
    let check: BaselineCheck | undefined;
    let raw: SimulateOptions = cliOptions;
    const { sources, config, outcome, result } = await runSimulate(traces, cliOptions, {
      started: ({ sources, config, interval, raw: merged }) => {
        raw = merged;
        format = outputFormat(raw);
        plotOutKind(raw.plotOut);
        plot = raw.plot === true || (format === 'table' && io.stdoutIsTty && interval !== undefined);
        if (config.twoLevel && interval === undefined && (raw.plot === true || raw.plotOut !== undefined)) {
          throw new UsageError(`${raw.plot === true ? '--plot' : '--plot-out'} with two levels of memory needs --interval N (their series has a fixed interval)`);
        }
        check = startBaselineCheck(raw, 'simulate', { policy: config.policy, scheduler: config.scheduler, frames: config.frames, page_size: config.pageSize });
        const progress = startProgress(io, raw.quiet, sourcesPlan('simulate', sources, policies[config.policy].needsFuture ? 2 : 1));
        return { progress, series: plot || raw.plotOut !== undefined };
      },
    });
    // The series goes to its file before anything is printed: a failure leaves no half output.
    if (raw.intervalOut !== undefined && outcome.series) writeSeries(raw.intervalOut, outcome.series);
    if (raw.plotOut !== undefined && outcome.series) {
      const figure = timeFigure(seriesRows(outcome.series), { scheduler: config.scheduler, policy: config.policy, frames: config.frames });
      await writeFigure(raw.plotOut, figure, result.summary?.join('\n') ?? '');
    }
    try {
      emitChecked(io, result, raw, check, inputsOf(sources));
    } finally {
      if (outcome.series) emitSeries(io, outcome.series, raw, format, plot, config.frames, outcome.levels?.vms.map((v) => v.guestFrames));
    }
  });
  return cmd;
}

function writeSeries(file: string, series: SeriesOutcome): void {
  const result = seriesResult(series);
  try {
    writeFileSync(file, file.toLowerCase().endsWith('.json') ? toJson(result) : toCsv(result));
  } catch (err) {
    throw new OutputError(`--interval-out: cannot write ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/**
 * The series beside the main result: in JSON it is already the member `intervals`; in CSV a
 * second section after one empty line (unless --interval-out took it); in a table, the plot.
 * --plot with csv or json draws the plot on standard error, keeping standard output parseable.
 */
function emitSeries(io: Io, series: SeriesOutcome, raw: SimulateOptions, format: string, plot: boolean, frames: number, guestFrames?: number[]): void {
  const chalk = chalkFor(io, raw.color);
  const width = Math.min(100, Math.max(40, (process.stdout.columns ?? 80) - 2));
  const { t, names, resident, target: targets, levels } = series;
  const drawing = (): string =>
    levels
      ? renderLevelsPlot({ t, names, resident, backed: levels.backed, balloon: levels.balloon, guestFrames, targets }, chalk, width)
      : renderTimePlot({ t, names, values: resident, yMax: frames, targets }, chalk, width);
  if (format === 'csv' && !series.adaptive && raw.intervalOut === undefined) io.stdout(`\n${toCsv(seriesResult(series))}`);
  if (format === 'table') {
    if (plot) io.stdout(`\n${drawing()}`);
    else if (!series.adaptive && raw.intervalOut === undefined) io.stdout(`\n${render(seriesResult(series), 'table', chalk)}`);
  } else if (plot) io.stderr(drawing());
}
