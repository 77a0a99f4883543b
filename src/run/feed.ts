/**
 * Traces -> page accesses, in replay order: the one loop every pass over traces runs (simulate,
 * opt's look-ahead, compare, mrc). A run of one trace whose reader can replay itself straight
 * into the expander (vmt) skips rows and the interleaving; the others go through interleave().
 */
import { interleave, type VmRegistry } from '../trace/interleave.js';
import type { TraceReader } from '../trace/reader.js';
import type { PageExpander } from '../pages/expand.js';

export async function feedPages(
  readers: TraceReader[],
  registry: VmRegistry,
  expander: PageExpander,
  /** told the rows read so far, now and then (a progress bar) */
  onRows?: (rows: number) => void,
): Promise<void> {
  const only = readers.length === 1 ? readers[0]! : undefined;
  if (only?.replay) {
    // The VMs the reader names, in its order: what interleave() would define for reader 0.
    await only.replay({ expander, vm: (local) => registry.define(only.vmNames[local]!, local), progress: onRows });
  } else {
    let done = 0;
    for await (const rows of interleave(readers, registry)) {
      expander.rows(rows);
      onRows?.((done += rows.length));
    }
  }
  expander.flush();
}
