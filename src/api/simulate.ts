/**
 * `simulate`: the validation, defaults and run behind `vmmem simulate` (src/cli/simulate.ts maps
 * argv onto these and formats the result).
 */
import { simulate as run, type PassProgress, type SimulationOutcome } from '../run/simulate.js';
import { simulateTwoLevel } from '../run/two-level-run.js';
import { simulateResult } from '../report/simulate.js';
import type { CommandResult } from '../report/result.js';
import { declaredVmSource, openSource, type TraceSource } from '../trace/source.js';
import { ConfigError, UsageError } from '../errors.js';
import type { EngineConfig } from '../engine/config.js';
import { engineConfig, parsePolicy, readOptions, type RawOptions } from '../options/options.js';
import { memoryConfig, type MemoryRawOptions } from '../options/memory-options.js';
import { twoLevelConfig, type TwoLevelRawOptions } from '../options/two-level-options.js';
import { translationConfig, type TranslationRawOptions } from '../options/translation-options.js';
import {
  checkScenarioOptions,
  mergeOptions,
  parseIdleTax,
  parseInterval,
  parseRebalance,
  parseScheduler,
  parseVmFlag,
  readScenario,
  resolveVms,
  type SchedulingRawOptions,
} from '../options/scenario.js';
import { accessesSource, type Accesses } from './accesses.js';
import { inputsOf } from '../report/stamp.js';
import { toDocument, type ResultDocument } from './document.js';
import { toRaw, type Library, type ProgressCallback } from './options.js';

/** The raw (command-line) options of `vmmem simulate`. */
export type SimulateRawOptions = RawOptions & SchedulingRawOptions & TranslationRawOptions & MemoryRawOptions & TwoLevelRawOptions;

/** Options of `vmmem simulate` that only make sense on a terminal or for files it writes. */
type TerminalOnly = 'format' | 'color' | 'quiet' | 'output' | 'columns' | 'wide' | 'plot' | 'intervalOut';

/**
 * Options of {@link simulate}: `vmmem simulate`'s options in camelCase (`--page-size 4KiB` is
 * `pageSize: '4KiB'`, `--frames 100` is `frames: 100`; `vm` is the list of `--vm` specs; `config`
 * a scenario file). Defaults and rules are the CLI's (docs/cli.md).
 */
export interface SimulateOptions extends Library<Omit<SimulateRawOptions, TerminalOnly>> {
  /** trace files, one VM each (or a vm column); the TRACE arguments */
  traces?: string[];
  /** accesses in memory, replayed after the traces as one more trace (see {@link Access}) */
  accesses?: Accesses;
  /** the name of the `accesses` trace in messages, and its VM's when an access names none (default `accesses`) */
  accessesName?: string;
  /** told the pass and the rows read so far, once per batch */
  onProgress?: ProgressCallback;
}

/** What the CLI adds once the options are checked and the traces open, before the replay. */
export interface SimulateStart {
  sources: TraceSource[];
  config: EngineConfig;
  interval: number | undefined;
  /** the options merged with the scenario file's (`config`) */
  raw: SimulateRawOptions;
}

export interface SimulateHooks {
  /** the progress to report to, and whether to record a time series without --interval (for a plot) */
  started?(start: SimulateStart): { progress?: PassProgress & { stop?(): void }; series?: boolean };
}

export interface SimulateRun extends SimulateStart {
  outcome: SimulationOutcome;
  result: CommandResult;
}

/** Engine, reader and scheduling settings from raw options (also checks scenario values one by one). */
function settings(raw: SimulateRawOptions) {
  const read = readOptions(raw);
  const config = engineConfig(raw, parsePolicy(raw.policy ?? 'lru'));
  config.scheduler = parseScheduler(raw.scheduler);
  config.idleTax = parseIdleTax(raw, config.scheduler);
  const rebalance = parseRebalance(raw, config.scheduler);
  if (rebalance !== undefined) config.rebalance = rebalance;
  const interval = parseInterval(raw);
  const memory = memoryConfig(raw, config);
  if (memory !== undefined) config.memory = memory;
  const translation = translationConfig(raw, config);
  return { read, config, interval, translation };
}

/** The run behind `vmmem simulate TRACES... OPTIONS`: checks, opens, replays; the result unformatted. */
export async function runSimulate(traces: string[], cliOptions: SimulateRawOptions, hooks: SimulateHooks = {}, extra?: { accesses: Accesses; name: string }): Promise<SimulateRun> {
  const scenario = cliOptions.config === undefined ? undefined : readScenario(cliOptions.config);
  if (scenario) checkScenarioOptions(scenario, (raw) => settings(raw));
  const raw = mergeOptions(cliOptions, scenario);
  const { read, config, interval, translation } = settings(raw);
  const drafts = [...(scenario?.vms ?? []), ...(raw.vm ?? []).map((spec, i) => parseVmFlag(spec, i))];
  if (scenario || raw.vm) config.vms = resolveVms(drafts, config);
  const twoLevel = twoLevelConfig(raw, config);
  if (twoLevel) config.twoLevel = twoLevel;
  const declared = config.vms ?? [];
  if (traces.filter((t) => t === '-').length + declared.filter((v) => v.trace === '-').length > 1) {
    throw new UsageError('standard input (-) can be given once');
  }
  if (traces.length === 0 && extra === undefined) {
    const traceless = declared.find((v) => v.trace === undefined);
    if (traceless) {
      throw new ConfigError(`${traceless.origin}.trace: VM '${traceless.name}' has no trace: give trace=FILE (or a TRACE argument whose vm column names it)`);
    }
    if (declared.length === 0) throw new UsageError('no trace: give TRACE files, --vm name=NAME,trace=FILE or --config FILE');
  }
  const sources: TraceSource[] = [];
  for (const v of declared) if (v.trace !== undefined) sources.push(declaredVmSource(await openSource(v.trace, read.traceFormat), v.name));
  for (const t of traces) sources.push(await openSource(t, read.traceFormat));
  if (extra) sources.push(accessesSource(extra.accesses, extra.name));

  const start = { sources, config, interval, raw };
  const { progress, series } = hooks.started?.(start) ?? {};
  let outcome: SimulationOutcome;
  try {
    outcome = await (config.twoLevel ? simulateTwoLevel : run)({ sources, read, config, translation, interval, series: series === true, progress });
  } finally {
    progress?.stop?.();
  }
  return { ...start, outcome, result: simulateResult(outcome) };
}

/** The result of {@link simulate}: `vmmem simulate --format json`, parsed. */
export type SimulateResult = ResultDocument<'simulate'>;

/**
 * Replays traces (files, or accesses in memory) through one memory configuration; the result is
 * what `vmmem simulate ... --format json` prints, parsed.
 *
 * @example
 * const r = await simulate({ traces: ['traces/web.csv'], frames: 100, policy: 'lru' });
 * r.rows.find((row) => row.vm === 'TOTAL')?.faults; // 40
 * @throws UsageError, ConfigError (exit 64 in the CLI), TraceError (65), InputError (66), OutOfMemoryError (3)
 */
export async function simulate(options: SimulateOptions): Promise<SimulateResult> {
  const { traces = [], accesses, accessesName = 'accesses', onProgress, ...rest } = options;
  const raw = toRaw<SimulateRawOptions>(rest);
  let pass = 'replay';
  const hooks: SimulateHooks = onProgress
    ? { started: () => ({ progress: { pass: (name) => void (pass = name), update: (rows) => onProgress({ pass, rows }) } }) }
    : {};
  const { sources, result } = await runSimulate(traces, raw, hooks, accesses === undefined ? undefined : { accesses, name: accessesName });
  return toDocument<'simulate'>(result, inputsOf(sources));
}
