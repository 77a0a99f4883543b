/**
 * Several traces -> one stream of rows in replay order (SPEC 1.2), with VM indices global to
 * the run. By the `time` column when every trace has one (ties: order of the traces on the
 * command line, then file order); otherwise round robin, one row of each trace in turn (row i
 * of every trace is time i). A trace whose `time` goes backwards is bad data.
 */
import { nameList, TraceError, UsageError } from '../errors.js';
import type { TraceReader } from './reader.js';
import { RowBatch } from './rows.js';

/** The run's VMs in order of first appearance; `order` sorts them for output. */
export class VmRegistry {
  readonly names: string[] = [];
  /** reader index * 65536 + local index at first definition: command-line order */
  readonly order: number[] = [];
  private readonly byName = new Map<string, number>();

  define(name: string, orderKey: number): number {
    let v = this.byName.get(name);
    if (v === undefined) {
      v = this.names.length;
      if (v >= 65535) throw new UsageError('more than 65535 VMs in one run');
      this.names.push(name);
      this.order.push(orderKey);
      this.byName.set(name, v);
    }
    return v;
  }

  /** VM indices in output order (command line, then first appearance in each file). */
  outputOrder(): number[] {
    return this.names.map((_, v) => v).sort((a, b) => this.order[a]! - this.order[b]!);
  }
}

/**
 * Which trace first yielded each VM name. A file without a vm column is one VM named after the
 * file (SPEC 1.2): no other trace may yield that name, or two VMs would be merged silently into
 * one. Traces whose rows name their VMs (a vm column) may contribute rows to one VM.
 */
class NameClaims {
  private readonly first = new Map<string, Cursor>();
  claim(name: string, c: Cursor): void {
    const other = this.first.get(name);
    if (other === undefined) {
      this.first.set(name, c);
      return;
    }
    if (other === c || (other.reader.hasVmColumn && c.reader.hasVmColumn)) return;
    const a = other.reader.source.display;
    const b = c.reader.source.display;
    if (!other.reader.hasVmColumn && !c.reader.hasVmColumn) throw new UsageError(`${a} and ${b} would both be VM '${name}': rename one of the files`);
    const [column, file] = other.reader.hasVmColumn ? [a, b] : [b, a];
    throw new UsageError(`${a} and ${b} would both be VM '${name}' (${file} is named after its file, ${column} names it in its vm column): rename the file or the VM`);
  }
}

class Cursor {
  batch: RowBatch | undefined;
  at = 0;
  done = false;
  lastTime = -Infinity;
  readonly toGlobal: number[] = [];
  private readonly it: AsyncIterator<RowBatch>;
  constructor(
    readonly reader: TraceReader,
    readonly index: number,
    private readonly registry: VmRegistry,
    private readonly claims: NameClaims,
  ) {
    this.it = reader.batches()[Symbol.asyncIterator]();
  }
  /** loads the next non-empty batch; false at the end */
  async fill(): Promise<boolean> {
    while (!this.done && (!this.batch || this.at >= this.batch.length)) {
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        this.batch = undefined;
        return false;
      }
      this.batch = r.value;
      this.at = 0;
    }
    return !this.done;
  }
  /** defines the VMs the reader has named so far */
  registerKnown(): void {
    const names = this.reader.vmNames;
    while (this.toGlobal.length < names.length) {
      const l = this.toGlobal.length;
      this.claims.claim(names[l]!, this);
      this.toGlobal.push(this.registry.define(names[l]!, this.index * 65536 + l));
    }
  }
  global(local: number): number {
    if (local >= this.toGlobal.length) this.registerKnown();
    return this.toGlobal[local]!;
  }
  /** checks that time does not go backwards, for row `at` */
  checkTime(): number {
    const b = this.batch!;
    const t = b.time[this.at]!;
    if (t < this.lastTime) {
      throw new TraceError(this.reader.source.display, b.line[this.at]!, `time goes backwards: ${t} after ${this.lastTime}`);
    }
    this.lastTime = t;
    return t;
  }
}

export async function* interleave(readers: TraceReader[], registry: VmRegistry, batchSize = 8192): AsyncGenerator<RowBatch> {
  const claims = new NameClaims();
  const cursors = readers.map((r, i) => new Cursor(r, i, registry, claims));
  for (const c of cursors) await c.fill();
  // Register every VM known so far in command-line order (names given by files may not collide).
  for (const c of cursors) c.registerKnown();

  if (cursors.length === 1) {
    const c = cursors[0]!;
    const timed = c.reader.hasTime;
    while (!c.done) {
      const b = c.batch!;
      for (let i = 0; i < b.length; i++) {
        b.vm[i] = c.global(b.vm[i]!);
        if (timed) {
          c.at = i;
          c.checkTime();
        }
      }
      c.at = b.length;
      yield b;
      await c.fill();
    }
    return;
  }

  const timed = readers.every((r) => r.hasTime || r.rows === 0);
  if (!timed && readers.some((r) => r.hasTime)) {
    const withTime = readers.filter((r) => r.hasTime).map((r) => r.source.display);
    const without = readers.filter((r) => !r.hasTime).map((r) => r.source.display);
    throw new UsageError(`${nameList(withTime, 6, false)} have a time column but ${nameList(without, 6, false)} do not: give every trace a time column, or none`);
  }
  const out = new RowBatch(batchSize);
  const take = (c: Cursor): void => {
    const b = c.batch!;
    const i = c.at++;
    out.push(b.op[i]!, c.global(b.vm[i]!), b.addrHi[i]!, b.addrLo[i]!, b.size[i]!, b.time[i]!, b.line[i]!, b.content[i]!);
  };
  for (;;) {
    let progressed = false;
    if (timed) {
      let best: Cursor | undefined;
      let bestTime = Infinity;
      for (const c of cursors) {
        if (c.done) continue;
        const t = c.batch!.time[c.at]!;
        if (t < c.lastTime) c.checkTime();
        if (best === undefined || t < bestTime) {
          best = c;
          bestTime = t;
        }
      }
      if (best) {
        best.checkTime();
        take(best);
        if (best.at >= best.batch!.length) await best.fill();
        progressed = true;
      }
    } else {
      for (const c of cursors) {
        if (c.done) continue;
        take(c);
        if (c.at >= c.batch!.length) await c.fill();
        progressed = true;
        if (out.full) {
          yield out;
          out.length = 0;
        }
      }
    }
    if (out.full) {
      yield out;
      out.length = 0;
    }
    if (!progressed) break;
  }
  if (out.length > 0) yield out;
}
