/**
 * vmmem as a library: each command of the CLI as a function that takes the command's options
 * (camelCase) and returns what `vmmem COMMAND --format json` prints, parsed. The CLI
 * (src/cli/) is a thin layer over the same checks and runs (src/api/). Errors are the typed
 * classes below; nothing is written to standard output or error, and the process never exits.
 * Guide: docs/library.md.
 *
 * @packageDocumentation
 * @example
 * import { simulate } from 'vmmem';
 * const result = await simulate({ traces: ['traces/web.csv'], frames: 100, policy: 'lru' });
 */
export { simulate, type SimulateOptions, type SimulateResult } from './api/simulate.js';
export { compare, type CompareOptions, type CompareResult } from './api/compare.js';
export { mrc, type MrcOptions, type MrcResult } from './api/mrc.js';
export { plan, type PlanOptions, type PlanResult } from './api/plan.js';
export { inspect, type InspectOptions, type InspectResult } from './api/inspect.js';
export { generate, type GenerateOptions, type GenerateResult } from './api/generate.js';
export { convert, type ConvertOptions, type ConvertResult } from './api/convert.js';
export { merge, type MergeOptions } from './api/merge.js';
export { diff, type DiffOptions, type DiffResult } from './api/diff.js';
export type { Access, Accesses } from './api/accesses.js';
export type { Cell, InputFile, ResultDocument, Row } from './api/document.js';
export type { Library, OptionValue, ProgressCallback } from './api/options.js';
export {
  ConfigError,
  EXIT,
  InputError,
  OutOfMemoryError,
  OutputError,
  PartialFailure,
  RegressionError,
  TraceError,
  UsageError,
  VmmemError,
} from './errors.js';
export { POLICY_NAMES, type PolicyName } from './policies/index.js';
