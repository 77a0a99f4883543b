/**
 * One VM out of a trace (`--vm name=web,trace=all.csv`): a reader that passes on only the rows
 * of the VM called `name` - rows whose `vm` column says so, or, in a trace whose rows name no
 * VM, every row (the source's fallback name is then `name` itself).
 */
import type { TraceReader } from './trace-reader.js';
import type { RowBatch } from './rows.js';

export interface SelectedReader extends TraceReader {
  /** the VM names the whole trace has shown so far */
  readonly available: readonly string[];
}

export function selectVm(inner: TraceReader, name: string): SelectedReader {
  const reader: SelectedReader = {
    source: inner.source,
    vmNames: [],
    skipped: inner.skipped,
    get hasTime() {
      return inner.hasTime;
    },
    set hasTime(_v: boolean) {},
    get hasContent() {
      return inner.hasContent;
    },
    set hasContent(_v: boolean) {},
    get hasVmColumn() {
      return inner.hasVmColumn;
    },
    set hasVmColumn(_v: boolean) {},
    rows: 0,
    available: inner.vmNames,
    async *batches(): AsyncGenerator<RowBatch> {
      for await (const b of inner.batches()) {
        const local = inner.vmNames.indexOf(name);
        if (local < 0) continue;
        if (reader.vmNames.length === 0) reader.vmNames.push(name);
        let kept = 0;
        for (let i = 0; i < b.length; i++) {
          if (b.vm[i] !== local) continue;
          if (kept !== i) {
            b.op[kept] = b.op[i]!;
            b.addrHi[kept] = b.addrHi[i]!;
            b.addrLo[kept] = b.addrLo[i]!;
            b.size[kept] = b.size[i]!;
            b.time[kept] = b.time[i]!;
            b.line[kept] = b.line[i]!;
            b.content[kept] = b.content[i]!;
          }
          b.vm[kept] = 0;
          kept++;
        }
        b.length = kept;
        reader.rows += kept;
        if (kept > 0) yield b;
      }
    },
  };
  return reader;
}
