/**
 * In-memory accesses as a trace: `simulate({ accesses })` replays them as a CSV trace with the
 * columns vm, op, addr, size, so that they are checked by the same rules as a file (a bad
 * access fails with `accesses:N: ...`, N counting from 1 for the first access).
 */
import type { TraceSource } from '../trace/source.js';

/** One memory access. */
export interface Access {
  /** the VM it belongs to; default: the `accessesName` option (`accesses`) */
  vm?: string;
  /**
   * R (read, the default), W (write), A (allocate), F (free), or the CSV trace's other spellings
   * (READ, WRITE, L, S, ...; docs/traces.md)
   */
  op?: string;
  /** the byte address (a bigint above 2^53) */
  address: number | bigint;
  /** bytes accessed from `address` (default 1): an access across a page boundary touches both pages */
  size?: number;
}

export type Accesses = Iterable<Access> | AsyncIterable<Access>;

const ROWS_PER_CHUNK = 4096;

function field(text: string): string {
  return /[",\r\n#]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

function line(a: Access, name: string): string {
  const address = a.address as unknown;
  const addr = typeof address === 'bigint' || (typeof address === 'number' && Number.isInteger(address) && address >= 0) ? `0x${address.toString(16)}` : String(address);
  return `${field(a.vm ?? name)},${field(a.op ?? 'R')},${addr},${a.size ?? 1}\n`;
}

/**
 * A trace source over `accesses` (read twice for opt's look-ahead: an array, or any iterable
 * whose iterator starts again, is read again; a one-shot iterator is kept in memory).
 */
export function accessesSource(accesses: Accesses, name: string): TraceSource {
  let kept: Buffer[] | undefined;
  let keep = false;
  let reads = 0;
  const oneShot = (accesses as { [Symbol.iterator]?: () => unknown })[Symbol.iterator]?.() === accesses || (accesses as { [Symbol.asyncIterator]?: () => unknown })[Symbol.asyncIterator]?.() === accesses;
  const fresh = async function* (): AsyncGenerator<Buffer> {
    const chunks: Buffer[] | undefined = keep && oneShot ? [] : undefined;
    let text = 'vm,op,addr,size\n';
    let rows = 0;
    for await (const a of accesses) {
      text += line(a, name);
      if (++rows === ROWS_PER_CHUNK) {
        const chunk = Buffer.from(text);
        chunks?.push(chunk);
        yield chunk;
        text = '';
        rows = 0;
      }
    }
    const chunk = Buffer.from(text);
    chunks?.push(chunk);
    yield chunk;
    if (chunks) kept = chunks;
  };
  return {
    path: name,
    display: name,
    vmName: name,
    format: 'csv',
    gzip: false,
    bytes: undefined,
    chunks() {
      reads++;
      if (reads > 1 && kept) {
        const copy = kept;
        return (async function* () {
          yield* copy;
        })();
      }
      return fresh();
    },
    retain() {
      keep = true;
    },
  };
}
