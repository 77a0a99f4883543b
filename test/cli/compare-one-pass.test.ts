/**
 * compare's lru and opt cells come from one pass over the trace (unlimited swap): byte-identical
 * to replaying every cell.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stackCellCounts, stackCells } from '../../src/run/curves.js';
import { loadPageTrace, nextUseOf } from '../../src/run/page-trace.js';
import { runCell, SweepPool, sweepTrace, type CellResult, type StackResult } from '../../src/run/sweep.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { config, tempFile, textSource } from '../helpers.js';
import { vmmem } from './in-process.js';

type Op = ['R' | 'W' | 'F' | 'RESET', number, number];

function csvTrace(ops: readonly Op[]): string {
  return `vm,op,addr\n${ops.map(([op, vm, page]) => `vm${vm},${op},${op === 'RESET' ? 0 : page * 4096}`).join('\n')}\n`;
}

const opArb = fc.tuple(fc.constantFrom<Op[0]>('R', 'R', 'R', 'W', 'W', 'F', 'RESET'), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 15 }));
const traceArb = fc.array(opArb, { minLength: 1, maxLength: 250 }).filter((ops) => ops.some(([op]) => op === 'R' || op === 'W'));

describe('compare: lru and opt cells from one pass', () => {
  it('stackCells equals runCell at every size (latency figures included), several VMs, F and RESET (property)', async () => {
    await fc.assert(
      fc.asyncProperty(traceArb, async (ops) => {
        const trace = await loadPageTrace([textSource(csvTrace(ops), 'csv')], DEFAULT_READ_OPTIONS, 4096);
        const nextUse = nextUseOf(trace, trace.ids.count);
        const sweep = sweepTrace(trace, nextUse);
        const sizes = Array.from({ length: 50 }, (_, i) => i + 1);
        for (const policy of ['lru', 'opt'] as const) {
          const base = config({ policy, pageSize: 4096 });
          const counters = stackCells(trace, policy, nextUse, sizes);
          expect(counters).not.toBeNull();
          sizes.forEach((frames, i) => {
            expect(stackCellCounts(counters![i]!, trace.positions, base), `${policy} at ${frames}`).toEqual(runCell(sweep, { ...base, frames }));
          });
        }
      }),
      { numRuns: 100 },
    );
  });

  it('on worker threads a pass gives what replaying each cell gives, beside replayed cells; a pass over its budget gives null', async () => {
    const ops: Op[] = [];
    // longer than 4096 accesses: the opt stack checks its budget every 4096
    for (let i = 0; i < 5000; i++) ops.push([i % 5 === 0 ? 'W' : 'R', i % 2, (i * 7 + (i >> 3)) % 23]);
    const trace = await loadPageTrace([textSource(csvTrace(ops), 'csv')], DEFAULT_READ_OPTIONS, 4096);
    const nextUse = nextUseOf(trace, trace.ids.count);
    const sweep = sweepTrace(trace, nextUse);
    const sizes = [1, 2, 3, 5, 8, 13, 21, 40];
    const pool = new SweepPool(2);
    try {
      const results = await pool.runJobs(sweep, [
        { stack: { policy: 'lru', sizes, budget: Infinity } },
        { config: config({ policy: 'fifo', pageSize: 4096, frames: 5 }) },
        { stack: { policy: 'opt', sizes, budget: Infinity } },
        { stack: { policy: 'opt', sizes, budget: 0 } },
        { config: config({ policy: 'clock', pageSize: 4096, frames: 8 }) },
      ]);
      for (const [i, policy] of [[0, 'lru'], [2, 'opt']] as const) {
        const r = results[i] as StackResult;
        expect(r.ok && r.counters !== null).toBe(true);
        const base = config({ policy, pageSize: 4096 });
        sizes.forEach((frames, k) => {
          const counters = (r as { counters: NonNullable<Extract<StackResult, { ok: true }>['counters']> }).counters;
          expect(stackCellCounts(counters[k]!, trace.positions, base), `${policy} at ${frames}`).toEqual(runCell(sweep, { ...base, frames }));
        });
      }
      expect(results[3]).toEqual({ ok: true, counters: null });
      expect(results[1] as CellResult).toEqual(runCell(sweep, config({ policy: 'fifo', pageSize: 4096, frames: 5 })));
      expect(results[4] as CellResult).toEqual(runCell(sweep, config({ policy: 'clock', pageSize: 4096, frames: 8 })));
    } finally {
      await pool.close();
    }
  });

  it('prints exactly what replaying every cell prints: unlimited swap against a swap that never fills (property)', async () => {
    await fc.assert(
      fc.asyncProperty(traceArb, traceArb, async (a, b) => {
        // Two traces (each compared on its own), sizes as fractions and frames, with repeats.
        const web = tempFile('web.csv', csvTrace(a));
        const db = tempFile('db.csv', csvTrace(b));
        const args = ['compare', web, db, '--policies', 'lru,fifo,opt,clock', '--frames', '1,2,3,5,8,25%,50%,13,21,40', '--format', 'csv'];
        const pass = await vmmem([...args, '--jobs', '1']);
        // A limited swap (here one that never fills) is not the pass's case: every cell is replayed.
        const replay = await vmmem([...args, '--jobs', '1', '--swap', '1TiB']);
        expect(pass.code, pass.stderr).toBe(0);
        expect(replay.code, replay.stderr).toBe(0);
        expect(pass.stdout).toBe(replay.stdout);
        // the passes on worker threads beside the replayed cells
        const workers = await vmmem([...args, '--jobs', '2']);
        expect(workers.stdout).toBe(replay.stdout);
      }),
      { numRuns: 40 },
    );
  });

  it('shards of a sweep with one-pass cells merge into the unsharded output', async () => {
    const ops: Op[] = [];
    for (let i = 0; i < 3000; i++) ops.push([i % 5 === 0 ? 'W' : i % 211 === 0 ? 'F' : 'R', i % 3, (i * 7919) % 97]);
    const file = tempFile('t.csv', csvTrace(ops));
    const args = ['compare', file, '--policies', 'lru,opt,fifo', '--frames', '4,8,16,32,64', '--jobs', '1'];
    const whole = await vmmem([...args, '--format', 'csv']);
    const parts: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const r = await vmmem([...args, '--shard', `${i}/3`, '--format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      parts.push(tempFile(`s${i}.json`, r.stdout));
    }
    const merged = await vmmem(['merge', ...parts, '--format', 'csv']);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toBe(whole.stdout);
  });
});
