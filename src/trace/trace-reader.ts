/**
 * What every reader offers, whatever its format: the rows in batches, the names of the VMs they
 * name, and what was skipped. Its own file so that readers and the filters over them (select.ts)
 * share it without importing one another.
 */
import type { RowBatch, SkipCounts } from './rows.js';
import type { TraceSource } from './source.js';
import type { VmtPageTarget } from './vmt.js';

export interface TraceReader {
  readonly source: TraceSource;
  /** local VM index -> name; filled as rows are read (the `vm` column), else the file's name */
  readonly vmNames: string[];
  readonly skipped: SkipCounts;
  /** true once it is known that the rows carry a `time` column */
  hasTime: boolean;
  /** true once it is known that the rows carry content tokens (csv `content` column, vmt content table) */
  hasContent: boolean;
  /**
   * true once it is known that the rows name their VMs (a csv `vm` column, a vmt header of
   * several VMs); false: the file is one VM, named after the file (SPEC 1.2)
   */
  hasVmColumn: boolean;
  /** rows read so far */
  rows: number;
  batches(): AsyncGenerator<RowBatch>;
  /**
   * Instead of batches(): replays the trace straight into a page expander, when it is the run's
   * only trace (vmt files: see replayVmt). Absent for formats that have no such path.
   */
  replay?(target: VmtPageTarget): Promise<void>;
}
