/**
 * Rows: what every trace reader yields, whatever its format. A batch holds up to `capacity`
 * rows in parallel typed arrays (no object per access). Addresses are unsigned 64-bit, kept as
 * two 32-bit halves so that no precision is lost above 2^53.
 */

export const OP_READ = 0;
export const OP_WRITE = 1;
export const OP_ALLOC = 2;
export const OP_FREE = 3;
export const OP_RESET = 4;

export const OP_NAMES = ['R', 'W', 'A', 'F', 'RESET'] as const;
export type OpName = (typeof OP_NAMES)[number];

/** Accepts R/W/A/F/RESET and the spelled-out forms, case-insensitive; -1 otherwise. */
export function opFromText(text: string): number {
  switch (text.toUpperCase()) {
    case 'R':
    case 'READ':
    case 'L':
      return OP_READ;
    case 'W':
    case 'WRITE':
    case 'S':
      return OP_WRITE;
    case 'A':
    case 'ALLOC':
      return OP_ALLOC;
    case 'F':
    case 'FREE':
      return OP_FREE;
    case 'RESET':
      return OP_RESET;
    default:
      return -1;
  }
}

export const DEFAULT_BATCH = 8192;

/** Bytes of one buffer that holds a RowBatch of `capacity` rows (see the RowBatch constructor). */
export function rowBatchBytes(capacity: number): number {
  return 39 * capacity;
}

export class RowBatch {
  length = 0;
  readonly op: Uint8Array;
  /** VM index local to the reader (see TraceReader.vmNames). */
  readonly vm: Uint16Array;
  readonly addrHi: Uint32Array;
  readonly addrLo: Uint32Array;
  /** bytes touched from the address; at least 1 */
  readonly size: Float64Array;
  /** the `time` column, or NaN when the trace has none */
  readonly time: Float64Array;
  /** 1-based line of the row in its file, for messages */
  readonly line: Float64Array;
  /**
   * Content token of a write or allocation (an id from the run's ContentNames, see content.ts);
   * 0 = none given. Only dedup (`--dedup`) looks at it.
   */
  readonly content: Int32Array;
  /**
   * `buffer`: lay the columns out in it (rowBatchBytes(capacity) bytes: one buffer that a
   * reader thread hands over whole, see read-thread.ts) instead of an array each.
   */
  constructor(
    readonly capacity = DEFAULT_BATCH,
    buffer?: ArrayBuffer,
  ) {
    if (buffer === undefined) {
      this.op = new Uint8Array(capacity);
      this.vm = new Uint16Array(capacity);
      this.addrHi = new Uint32Array(capacity);
      this.addrLo = new Uint32Array(capacity);
      this.size = new Float64Array(capacity);
      this.time = new Float64Array(capacity);
      this.line = new Float64Array(capacity);
      this.content = new Int32Array(capacity);
      return;
    }
    // widest first, so that every column is aligned
    const c = capacity;
    this.size = new Float64Array(buffer, 0, c);
    this.time = new Float64Array(buffer, 8 * c, c);
    this.line = new Float64Array(buffer, 16 * c, c);
    this.addrHi = new Uint32Array(buffer, 24 * c, c);
    this.addrLo = new Uint32Array(buffer, 28 * c, c);
    this.content = new Int32Array(buffer, 32 * c, c);
    this.vm = new Uint16Array(buffer, 36 * c, c);
    this.op = new Uint8Array(buffer, 38 * c, c);
  }

  /** Copies the first `length` rows of `from` (capacity at least that) into this batch. */
  copyFrom(from: RowBatch): void {
    const n = from.length;
    this.op.set(from.op.subarray(0, n));
    this.vm.set(from.vm.subarray(0, n));
    this.addrHi.set(from.addrHi.subarray(0, n));
    this.addrLo.set(from.addrLo.subarray(0, n));
    this.size.set(from.size.subarray(0, n));
    this.time.set(from.time.subarray(0, n));
    this.line.set(from.line.subarray(0, n));
    this.content.set(from.content.subarray(0, n));
    this.length = n;
  }

  get full(): boolean {
    return this.length === this.capacity;
  }

  push(op: number, vm: number, hi: number, lo: number, size: number, time: number, line: number, content = 0): void {
    const i = this.length++;
    this.content[i] = content;
    this.op[i] = op;
    this.vm[i] = vm;
    this.addrHi[i] = hi;
    this.addrLo[i] = lo;
    this.size[i] = size;
    this.time[i] = time;
    this.line[i] = line;
  }
}

/** What a reader passed over, by reason; reported, never silently dropped. */
export interface SkipCounts {
  /** instruction fetches (lackey `I`, din label 2) without --ifetch */
  ifetch: number;
  /** lines that are not accesses: valgrind's `==pid==` banner, din labels 3-4, blank lines are not counted */
  other: number;
  /** bad lines passed over under --skip-bad-lines */
  bad: number;
}

export function noSkips(): SkipCounts {
  return { ifetch: 0, other: 0, bad: 0 };
}
