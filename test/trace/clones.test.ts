/**
 * `vmmem generate --clones N`: VMs booted from one image (shared content tokens), then
 * diverging. Frame counts under --dedup are worked out by hand from the trace's image.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate, type SimulationOutcome } from '../../src/run/simulate.js';
import type { MemoryConfig } from '../../src/memory/config.js';
import { ContentNames } from '../../src/trace/content.js';
import { DEFAULT_MIX, generateRows, type CloneOptions, type GeneratedCounts, type VmPlan } from '../../src/trace/generate.js';
import { DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { OP_ALLOC, OP_READ, OP_WRITE } from '../../src/trace/rows.js';
import { csvHeader, csvLines } from '../../src/trace/write.js';
import { cli, config, tempFile, textSource } from '../helpers.js';

function plans(n: number, over: Partial<VmPlan>): VmPlan[] {
  const plan: VmPlan = {
    name: '',
    pattern: 'loop',
    pages: 16,
    accesses: 16,
    alpha: 1,
    writeRatio: 0,
    base: 0x10000000n,
    workingSet: 1,
    phaseLength: 1,
    mix: DEFAULT_MIX,
    ...over,
  };
  return Array.from({ length: n }, (_, i) => ({ ...plan, name: `clone${i + 1}` }));
}

interface Cloned {
  csv: string;
  counts: GeneratedCounts[];
  /** rows as [vm, op, page, token] */
  rows: [number, number, number, string][];
}

function clones(n: number, over: Partial<VmPlan>, opts: Partial<CloneOptions>, seed = 1): Cloned {
  const ps = plans(n, over);
  const contents = new ContentNames();
  const counts: GeneratedCounts[] = [];
  const names = ps.map((p) => p.name);
  const layout = { size: false, vm: true, time: false, content: contents };
  let csv = csvHeader(layout);
  const rows: Cloned['rows'] = [];
  const clone: CloneOptions = { zeroFraction: 0, diverge: 0, imageOp: OP_WRITE, ...opts };
  for (const b of generateRows(ps, { seed, pageSize: 4096, offsets: false, clones: clone, contents }, counts, 64)) {
    csv += csvLines(b, names, layout);
    for (let i = 0; i < b.length; i++) rows.push([b.vm[i]!, b.op[i]!, (b.addrLo[i]! - 0x10000000) / 4096, contents.names[b.content[i]!]!]);
  }
  return { csv, counts, rows };
}

async function run(csv: string, dedup: MemoryConfig['dedup'] | undefined, frames = 1000): Promise<SimulationOutcome> {
  const memory: MemoryConfig | undefined = dedup && { dedup, ksmPages: 100, ksmInterval: 20000, hugeOrder: 0, hostPageSize: 4096, compaction: false };
  return simulate({
    sources: [textSource(csv, 'csv', 'clones')],
    read: DEFAULT_READ_OPTIONS,
    config: config({ pageSize: 4096, frames, ...(memory ? { memory } : {}) }),
  });
}

describe('generate --clones', () => {
  it('the same seed gives the same bytes (csv and vmt); another seed does not', () => {
    const dirs = ['a', 'b', 'c'].map(() => dirname(tempFile('x', '')));
    for (const file of ['c.csv', 'c.vmt.gz']) {
      const args = (seed: string): string[] => ['generate', '--clones', '3', '--pattern', 'zipf', '--pages', '64', '--accesses', '500', '--diverge', '0.4', '--seed', seed];
      const [a, b, c] = dirs.map((d) => join(d, file)) as [string, string, string];
      expect(cli([...args('9'), '-o', a]).status).toBe(0);
      expect(cli([...args('9'), '-o', b]).status).toBe(0);
      expect(cli([...args('10'), '-o', c]).status).toBe(0);
      expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
      expect(readFileSync(a).equals(readFileSync(c))).toBe(false);
    }
  });

  it('every clone loads the same image first, in page order; the image does not depend on the number of clones', () => {
    const three = clones(3, { pages: 40 }, { zeroFraction: 0.5 });
    const five = clones(5, { pages: 40 }, { zeroFraction: 0.5 });
    const image = (c: Cloned, vm: number): string[] =>
      c.rows.filter((r) => r[0] === vm && r[3] !== '').map((r) => `${r[2]}:${r[3]}`);
    const first = image(three, 0);
    // zero fraction 0.5 over 40 pages: some pages of each kind
    expect(first.length).toBeGreaterThan(5);
    expect(first.length).toBeLessThan(35);
    expect(first).toEqual(first.map((t) => t.split(':')[0]).map((k) => `${k}:img-${k}`));
    for (let vm = 0; vm < 3; vm++) expect(image(three, vm)).toEqual(first);
    for (let vm = 0; vm < 5; vm++) expect(image(five, vm)).toEqual(first);
    expect(three.counts.map((c) => c.imageRows)).toEqual([first.length, first.length, first.length]);
    // the image rows come before the pattern's rows (loop, no writes: 16 reads of pages 0..15)
    const vm0 = three.rows.filter((r) => r[0] === 0);
    expect(vm0.slice(0, first.length).every((r) => r[1] === OP_WRITE)).toBe(true);
    expect(vm0.slice(first.length).map((r) => r[1])).toEqual(new Array<number>(16).fill(OP_READ));
  });

  it('--image-op A allocates the image instead of writing it', () => {
    const c = clones(2, { pages: 8 }, { imageOp: OP_ALLOC });
    expect(c.rows.slice(0, 16).map((r) => r[1])).toEqual(new Array<number>(16).fill(OP_ALLOC));
  });

  it('a write keeps the page\'s content or leaves a new private token, as --diverge says (reference model)', () => {
    const c = clones(4, { pattern: 'uniform', pages: 50, accesses: 3000, writeRatio: 0.5 }, { zeroFraction: 0.3, diverge: 0.3 }, 5);
    const holds = Array.from({ length: 4 }, () => new Map<number, string>());
    const rowsSeen = [0, 0, 0, 0];
    const privates = [0, 0, 0, 0];
    let writes = 0;
    for (const [vm, op, page, token] of c.rows) {
      const image = rowsSeen[vm]!++ < c.counts[vm]!.imageRows;
      if (op === OP_READ) {
        expect(image).toBe(false);
        expect(token).toBe('');
        continue;
      }
      const had = holds[vm]!.get(page);
      if (image) expect(token).toBe(`img-${page}`);
      else {
        writes++;
        // a new private token (numbered from 0 per VM), or what the page holds
        if (token === `clone${vm + 1}-${privates[vm]}`) privates[vm]!++;
        else expect(token).toBe(had ?? `common-${page}`);
      }
      holds[vm]!.set(page, token);
    }
    const diverged = privates.reduce((x, y) => x + y, 0);
    const total = c.counts.reduce((s, x) => s + x.writes, 0);
    expect(writes).toBe(total);
    expect(diverged).toBe(c.counts.reduce((s, x) => s + x.privateWrites, 0));
    // binomial(total, 0.3): within 5 standard deviations
    expect(Math.abs(diverged - 0.3 * total)).toBeLessThan(5 * Math.sqrt(total * 0.21));
  });

  it('3 clones without divergence under ideal dedup take a third of the frames (by hand)', async () => {
    // 16 pages, a quarter of them zero pages; loop reads every page once after the image.
    const c = clones(3, { pages: 16 }, { zeroFraction: 0.25, diverge: 0 }, 3);
    const data = c.counts[0]!.imageRows;
    expect(data).toBeGreaterThan(0);
    expect(data).toBeLessThan(16);
    const off = await run(c.csv, undefined);
    const ideal = await run(c.csv, 'ideal');
    expect(off.host.framesInUseEnd).toBe(48);
    // one frame per image page, and one zero page for the 3 * (16 - data) zero pages
    expect(ideal.host.framesInUseEnd).toBe(data + 1);
    expect(ideal.memory!.total.pagesShared).toBe(data + 1);
    expect(ideal.memory!.total.pagesSharing).toBe(48 - (data + 1));
    expect(ideal.memory!.total.counters.cowFaults).toBe(0);
  });

  it('writes that do not diverge keep everything shared: each write to a shared page is a COW fault that merges back', async () => {
    // write ratio 1: every page is written once by every clone (loop, 16 accesses), round robin.
    const c = clones(3, { pages: 16, writeRatio: 1 }, { zeroFraction: 0.25, diverge: 0 }, 3);
    const data = c.counts[0]!.imageRows;
    const off = await run(c.csv, undefined);
    const ideal = await run(c.csv, 'ideal');
    expect(off.host.framesInUseEnd).toBe(48);
    // image pages keep img-k; the zero pages all become common-k, alike in the clones
    expect(ideal.host.framesInUseEnd).toBe(16);
    expect(ideal.memory!.total.pagesShared).toBe(16);
    expect(ideal.memory!.total.pagesSharing).toBe(32);
    // data pages: each of the 3 writes meets a frame of 3 sharers (the writer merges back);
    // zero pages are written by a fault (placed by content: no COW)
    expect(ideal.memory!.total.counters.cowFaults).toBe(3 * data);
  });

  it('divergence 1 leaves nothing shared once every page is written', async () => {
    const c = clones(3, { pages: 16, writeRatio: 1 }, { zeroFraction: 0.25, diverge: 1 }, 3);
    const data = c.counts[0]!.imageRows;
    expect(c.counts.map((x) => x.privateWrites)).toEqual([16, 16, 16]);
    const ideal = await run(c.csv, 'ideal');
    expect(ideal.host.framesInUseEnd).toBe(48);
    expect(ideal.memory!.total.pagesShared).toBe(0);
    expect(ideal.memory!.total.pagesSharing).toBe(0);
    // a data page: clone1 and clone2 copy a shared frame, clone3 is then alone in the original
    expect(ideal.memory!.total.counters.cowFaults).toBe(2 * data);
  });

  it('refuses what it cannot do', () => {
    const base = ['generate', '--pattern', 'loop', '--pages', '8', '--accesses', '8'];
    const bad = (args: string[], message: RegExp): void => {
      const r = cli([...base, ...args]);
      expect(r.status).toBe(64);
      expect(r.stderr).toMatch(message);
    };
    bad(['--clones', '2', '--vms', 'a,b'], /--clones and --vms cannot be combined/);
    bad(['--diverge', '0.5'], /--diverge needs --clones/);
    bad(['--zero-fraction', '0.5'], /--zero-fraction needs --clones/);
    bad(['--clones', '2', '--diverge', '1.5'], /--diverge: '1.5' is not a number from 0 to 1/);
    bad(['--clones', '2', '--image-op', 'R'], /--image-op: 'R' is not W or A/);
    bad(['--clones', '0'], /--clones/);
    bad(['--clones', '2', '-o', join(dirname(tempFile('x', '')), 'c.plain')], /plain trace cannot carry content tokens/);
  });
});
