/**
 * `vmmem inspect TRACE...`: what a trace holds, without simulating it.
 */
import { Command } from 'commander';
import { areaChart } from '../report/chart.js';
import { INSPECT_REPORTS, inspectResult } from '../report/inspect.js';
import { toTable } from '../report/table.js';
import { chalkFor, emit, type Io } from './io.js';
import { inputsOf } from '../report/stamp.js';
import { addOutputOptions, addTraceOptions, outputFormat } from '../options/options.js';
import { sourcesPlan, startProgress } from './progress.js';
import { DEFAULT_WINDOW, runInspect, type InspectRawOptions } from '../api/inspect.js';

interface InspectRaw extends InspectRawOptions {
  plot?: boolean;
}

export function inspectCommand(io: Io): Command {
  const cmd = new Command('inspect')
    .summary('what a trace holds: accesses, footprint, reuse distances, working set')
    .description(
      'Reads traces (as simulate would: one VM per file, or a vm column) and reports per VM and in ' +
        'total: accesses (page accesses, as simulate counts them), reads, writes, A/F/RESET rows, ' +
        'distinct pages (the footprint), the reuse-distance histogram and the working set.\n\n' +
        'Reuse distance: the number of distinct other pages accessed between two accesses to a ' +
        'page (LRU stack distance), in log2 buckets 0, 1, 2-3, 4-7, ...; a first access (or the first ' +
        'after the page was freed) is cold. LRU with F frames hits exactly the accesses whose ' +
        'distance is below F, so the cumulative share at a bucket ending at 2^k - 1 is the LRU hit ' +
        'ratio with 2^k frames (per VM for one VM alone; TOTAL for one global LRU).\n\n' +
        'Working set W(t, tau) (Denning): the distinct pages referenced in the last tau accesses; ' +
        "a VM's on its own accesses, TOTAL's on the interleaved stream.",
    )
    .argument('<trace...>', 'trace files, one VM each (or a vm column); - reads standard input')
    .option('--page-size <size>', 'page size, a power of two (default 4KiB)')
    .option('-w, --window <tau>', `working-set window tau, in accesses (default ${DEFAULT_WINDOW})`)
    .option('--interval <n>', 'sample W(t, tau) every n accesses (default: adaptive, 500 to 1000 samples)')
    .option('--report <what>', `rows to print: ${INSPECT_REPORTS.join(', ')} (default summary; JSON always has all three)`)
    .option('--plot', 'plot W(t, tau) under the table even when standard output is not a terminal')
    .option('--no-plot', 'no plot, even on a terminal');
  addTraceOptions(cmd);
  addOutputOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nColumns (--report):\n' +
      '  summary      vm,accesses,reads,writes,allocs,frees,resets,distinct_pages,\n' +
      '               footprint_bytes,cold_accesses,working_set_mean,working_set_peak,\n' +
      '               allocated_pages,freed_pages\n' +
      '  reuse        vm,bucket,min_distance,max_distance,accesses,share,\n' +
      '               cumulative_share\n' +
      '  working-set  t,vm,working_set\n' +
      '\nExamples:\n' +
      '  vmmem inspect traces/zipf.csv\n' +
      '  vmmem inspect web.csv db.csv --window 500 --report reuse --format csv\n' +
      '\nExit codes: 0 ok, 64 bad usage, 65 bad trace data, 66 trace missing or\n' +
      'unreadable.',
  );
  cmd.action(async (traces: string[], raw: InspectRaw) => {
    const format = outputFormat(raw);
    const { result, profile, names, report, window, sources } = await runInspect(traces, raw, {
      started: (sources) => startProgress(io, raw.quiet, sourcesPlan('inspect', sources)),
    });
    const plot = raw.plot === true || (raw.plot !== false && io.stdoutIsTty);
    if (format === 'table') {
      const chalk = chalkFor(io, raw.color);
      if (report === 'summary') {
        const histogram = inspectResult(profile, names, 'reuse', [], []);
        histogram.rows = histogram.rows.filter((r) => r.vm === 'TOTAL');
        histogram.columns = histogram.columns.filter((c) => c.key !== 'vm');
        histogram.summary = [];
        result.summary!.push('', 'reuse distance, all VMs together (distinct pages between two accesses to a page):', toTable(histogram, chalk).trimEnd());
      }
      if (plot) {
        const xs = profile.samples.map((s) => s.t);
        const charts: string[] = [''];
        charts.push(
          ...areaChart(xs, profile.samples.map((s) => s.total), {
            title: `working set W(t, ${window}) in pages, all VMs together`,
            xLabel: 'accesses',
          }),
        );
        const order = names.order.filter((v) => v < profile.vms.length);
        if (order.length > 1 && order.length <= 4) {
          for (const v of order) {
            charts.push(
              '',
              ...areaChart(xs, profile.samples.map((s) => s.vms[v] || 0), {
                title: `W(t, ${window}) of VM ${names.names[v]} (its own accesses)`,
                height: 5,
                xLabel: 'accesses',
              }),
            );
          }
        }
        result.summary!.push(...charts);
      }
    }
    emit(io, result, raw, inputsOf(sources));
  });
  return cmd;
}
