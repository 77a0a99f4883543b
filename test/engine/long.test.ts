/**
 * Longer traces than the property tests use, so that row batches (8192), page batches (16384),
 * the page-id hash table's growth and opt's look-ahead all cross their internal boundaries.
 * Counts still come from the reference model or from arithmetic on the generated trace.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/rng.js';
import { PageIds } from '../../src/pages/page-ids.js';
import { POLICY_NAMES } from '../../src/policies/index.js';
import { cli, tempFile } from '../helpers.js';
import { countersOf, modelByVm, outcomeByVm, runEngine, simulateRows } from './drive.js';
import { referenceSimulate, type RefPolicy, type RefRow } from './reference-model.js';

/** A seeded trace: `vms` VMs, pages skewed towards low numbers, 30% writes. */
function longRows(length: number, vms: number, pages: number, seed: number): RefRow[] {
  const random = mulberry32(seed);
  return Array.from({ length }, () => ({
    vm: Math.floor(random() * vms),
    page: Math.floor(random() * random() * pages),
    op: random() < 0.3 ? 'W' : 'R',
  }));
}

const MODELLED = new Set<string>(['fifo', 'lru', 'lfu', 'clock', 'opt']);

describe('long traces against the reference model', () => {
  const rows = longRows(30000, 3, 600, 11);

  // swap 2000 slots: room for everything (3 x 600 pages); 300: swap fills and VMs are OOM-killed
  const cases = POLICY_NAMES.flatMap((policy) => [2000, 300].map((swapSlots) => [policy, swapSlots] as const));

  it.each(cases)('%s on 30000 accesses, 3 VMs, 100 frames, %i swap slots', async (policy, swapSlots) => {
    const s = { frames: 100, swapSlots };
    let ref;
    // random, and the policies held to libCacheSim elsewhere (test/policies/libcachesim.test.ts):
    // the model replays the engine's victims and checks SPEC 2 around them
    if (!MODELLED.has(policy)) {
      const direct = runEngine(rows, { ...s, policy });
      ref = referenceSimulate(rows, { ...s, policy: 'forced', victims: direct.victims });
      for (const v of [0, 1, 2]) expect(countersOf(direct.engine.vms[v]!)).toEqual(ref.vms[v]);
    } else ref = referenceSimulate(rows, { ...s, policy: policy as RefPolicy });
    const out = await simulateRows(rows, { ...s, policy });
    expect(outcomeByVm(out)).toEqual(modelByVm(ref, rows));
    expect(out.host.swapInUsePeak).toBe(ref.swapPeak);
    // the trace is long enough to exercise every path
    const t = out.total.counters;
    if (swapSlots === 2000) {
      expect(t.majorFaults).toBeGreaterThan(1000);
      expect(t.swapOuts).toBeGreaterThan(1000);
      expect(t.oomKills).toBe(0);
    } else expect(t.oomKills).toBeGreaterThan(0);
  });
});

describe('page ids', () => {
  it('one id per distinct (vm, page), over many keys and table growth', () => {
    const ids = new PageIds();
    const model = new Map<string, number>();
    const random = mulberry32(5);
    const wrong: string[] = [];
    for (let i = 0; i < 100000; i++) {
      // few distinct high halves and VMs so that keys collide in every part but one
      const vm = Math.floor(random() * 4);
      const hi = [0, 1, 0xffffffff][Math.floor(random() * 3)]!;
      const lo = Math.floor(random() * 40000) >>> 0;
      const key = `${vm}:${hi}:${lo}`;
      const id = ids.id(vm, hi, lo);
      const expected = model.get(key) ?? model.size;
      if (id !== expected) wrong.push(`${key} -> ${id}, expected ${expected}`);
      model.set(key, expected);
    }
    expect(wrong).toEqual([]);
    expect(ids.count).toBe(model.size);
    for (const [key, id] of model) {
      const [vm, hi, lo] = key.split(':').map(Number);
      expect([ids.vmOf[id], ids.hiOf[id], ids.loOf[id]]).toEqual([vm, hi, lo]);
    }
  });
});

describe('long files through the CLI', () => {
  // A lackey trace of 30000 records: I, L, S, M in turn, over 5000 pages.
  const lines: string[] = ['==1== Lackey'];
  let reads = 0;
  let writes = 0;
  let ifetches = 0;
  for (let i = 0; i < 30000; i++) {
    const addr = ((i * 7919) % 5000) * 4096 + 16;
    const hex = addr.toString(16).padStart(8, '0');
    switch (i % 4) {
      case 0:
        lines.push(`I  ${hex},4`);
        ifetches++;
        break;
      case 1:
        lines.push(` L ${hex},8`);
        reads++;
        break;
      case 2:
        lines.push(` S ${hex},8`);
        writes++;
        break;
      default:
        lines.push(` M ${hex},4`);
        reads++;
        writes++;
    }
  }
  const text = lines.join('\n') + '\n';

  it('counts every record across batch boundaries (M = two accesses), plain, gzipped and on stdin', () => {
    const file = tempFile('long.lackey', text);
    const gz = tempFile('long.lackey.gz', gzipSync(text));
    for (const [args, input] of [[[file]], [[gz]], [['-'], text], [['-'], gzipSync(text)]] as [string[], (string | Buffer)?][]) {
      const r = cli(['simulate', ...args, '--format', 'json', '--frames', '1000'], { input });
      expect(r.status, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout);
      const total = doc.rows.at(-1);
      expect([total.accesses, total.reads, total.writes]).toEqual([reads + writes, reads, writes]);
      expect(doc.skipped[0]).toMatchObject({ ifetch: ifetches, other: 1, bad: 0 });
      expect(doc.host.distinct_pages).toBe(new Set(lines.slice(1).filter((l) => !l.startsWith('I')).map((l) => l.slice(3, 11))).size);
    }
  });

  it('opt reads standard input and gzip twice (look-ahead, then replay) with the same result as a file', () => {
    const file = tempFile('long.lackey', text);
    const gz = tempFile('long.lackey.gz', gzipSync(text));
    const run = (args: string[], input?: string | Buffer) => {
      const r = cli(['simulate', ...args, '--policy', 'opt', '--frames', '300', '--format', 'csv'], { input });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.split('\n')[1]!.split(',').slice(1).join(',');
    };
    const fromFile = run([file]);
    expect(run([gz])).toBe(fromFile);
    expect(run(['-'], text)).toBe(fromFile);
    expect(run(['-'], gzipSync(text))).toBe(fromFile);
  });

  it('round robin of two long files alternates to the end of the shorter one', async () => {
    // a: 20000 reads of page 1, b: 12000 writes of page 2; one frame: every access until b ends
    // evicts the other VM's page (faults 2 x 12000), then a hits for its last 8000 - 1.
    const a = tempFile('a.plain', 'R 0x1000\n'.repeat(20000));
    const b = tempFile('b.plain', 'W 0x2000\n'.repeat(12000));
    const r = cli(['simulate', a, b, '--frames', '1', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const [ra, rb] = JSON.parse(r.stdout).rows;
    expect([ra.accesses, ra.faults, ra.hits]).toEqual([20000, 12001, 7999]);
    expect([rb.accesses, rb.faults, rb.swap_outs, rb.major_faults]).toEqual([12000, 12000, 12000, 11999]);
  });
});
