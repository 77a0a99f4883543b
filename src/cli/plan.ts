import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { planResult } from '../report/plan.js';
import { emit, type Io } from './io.js';
import { planFigure } from '../report/figure.js';
import { addPlotOutOption, plotOutKind, writeFigure } from './figure-out.js';
import { addOutputOptions, addTraceOptions, outputFormat } from '../options/options.js';
import { runPlan, type PlanRawOptions } from '../api/plan.js';

type PlanOptions = PlanRawOptions & { plotOut?: string };

export function planCommand(io: Io): Command {
  const cmd = new Command('plan')
    .summary('the split of host memory between VMs that minimises faults (exact, from per-VM miss-ratio curves)')
    .description(
      "How to split F host frames between the VMs. Each VM's exact miss-ratio curve over its own " +
        'accesses (what it faults with x frames of its own, as under --scheduler partition) comes from ' +
        'one pass; the plan is the split x_1..x_n (sum F, each within [reserve, limit]) that minimises ' +
        'the total faults (--objective weighted: the sum of weight x faults). It is the true optimum, ' +
        'not a greedy estimate (curves are not convex): a dynamic programme over the VMs and frames. ' +
        "Beside it: the weight-proportional split, what --scheduler partition would do.",
    )
    .argument('[trace...]', 'trace files, one VM each (or a vm column); - reads standard input')
    .option('-p, --policy <policy>', 'lru or opt: the curves, and the policy --verify replays (default lru)')
    .option('-f, --frames <n>', 'host frames to split')
    .option('-m, --memory <size>', 'host memory to split, e.g. 512MiB (frames = floor(size / page size))')
    .option('--page-size <size>', 'page size, a power of two from 1 B to 1 GiB (default 4KiB)')
    .option('--objective <name>', 'faults (default): minimise the total faults; weighted: the sum of weight x faults')
    .option('--step <k>', 'plan in steps of K frames above each reserve: exact on that grid, K times less work (default 1: exact)')
    .option('--verify', 'replay the traces under --scheduler partition with reserve = limit = the plan and print the simulated faults')
    .option('--target-fault-rate <r>', "also the least frames per VM keeping its fault rate <= R, and their sum; without --frames/--memory the plan splits that sum")
    .option('--vm <spec>', 'declare a VM (repeatable): name=NAME,trace=FILE,weight=W,reserve=SIZE,limit=SIZE', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--config <file>', 'scenario file (JSON): the VMs and options, as simulate reads it')
    .option('--plot', 'draw the curves above the table even when standard output is not a terminal')
    .option('--no-plot', 'no plot, not even on a terminal');
  addPlotOutOption(cmd, "each VM's curve with its planned size and the weight-proportional split marked");
  addTraceOptions(cmd);
  addOutputOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nColumns (CSV/JSON): vm,policy,objective,frames,faults,fault_rate,partition_frames,\n' +
      'partition_faults, then verified_faults (--verify), then accesses,footprint,weight,\n' +
      'reserve,limit, then target_frames,target_faults (--target-fault-rate); one row per\n' +
      'VM in command-line order, then TOTAL.\n' +
      'Rules: every VM with accesses gets at least one frame (with none it could not run);\n' +
      'reserves (plus that frame) must fit in F and the limits must add up to at least F\n' +
      '(else exit 64). Frames beyond what the optimum needs are spare (no VM faults less with\n' +
      'them) and are shared by weight within the limits. Equal optima: the VM listed first\n' +
      'gets more. Work: O(C x S) for C = min(F, the sizes worth having) and S the number of\n' +
      'sizes at which some curve drops; --step K divides C by K. See docs/planning.md.\n' +
      '\nExamples:\n' +
      '  vmmem plan traces/ls.lackey.gz traces/gzip.lackey.gz --frames 256 --verify\n' +
      '  vmmem plan --config scenario.json --memory 64MiB --objective weighted --format csv\n' +
      '  vmmem plan web.csv db.csv --target-fault-rate 0.01\n' +
      '\nExit codes: 0 ok, 64 bad usage or configuration, 65 bad trace data, 66 trace\n' +
      'missing or unreadable, 70 internal error.',
  );
  cmd.action(async (traces: string[], cliOptions: PlanOptions) => {
    const { outcome, raw } = await runPlan(traces, cliOptions, {
      readChecked: (raw) => void outputFormat(raw),
      stepChecked: (raw) => {
        plotOutKind(cliOptions.plotOut);
        if (raw.plot === true && outputFormat(raw) !== 'table') throw new UsageError(`--plot draws in the table view, not in ${outputFormat(raw)}`);
      },
    });
    const format = outputFormat(raw);
    const withChart = format === 'table' && (raw.plot === true || (raw.plot === undefined && io.stdoutIsTty));
    const result = planResult(outcome, withChart);
    if (cliOptions.plotOut !== undefined) await writeFigure(cliOptions.plotOut, planFigure(outcome), result.summary?.join('\n') ?? '');
    emit(io, result, raw);
  });
  return cmd;
}
