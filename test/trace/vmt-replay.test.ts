/**
 * Differential: a vmt trace replayed straight into the page expander (feedPages ->
 * reader.replay -> replayVmt: page ids from the file's page table, the identity shortcut) against
 * the same reader with `replay` removed (interleave + PageExpander.rows), and both against a
 * BigInt model of the rows the file was written from. Files: unpaged, paged by VmtPagedWriter,
 * and paged by hand (PAGE records early, out of first-use order, duplicated); at the run's page
 * size and at others; fed whole, in 1-byte chunks, in odd sizes at odd offsets.
 *
 * Same page accesses (op, page id, content), same PageIds, same VMs, same rows, same errors.
 * Where the paths legitimately differ (asserted in expectSame and 'where the paths differ'):
 * - which error a run reports when a row covers too many pages (the expander's check) and a later
 *   record of the same chunk is bad (the decoder's): the direct path reports the first, the
 *   general path the later one, as it decodes a chunk's records before expanding them;
 * - after an error, what was done before it: the direct path has expanded every record before
 *   the bad one, the general path only earlier chunks' (a start of the same accesses and ids);
 *   the direct path has defined the header's VMs, the general path maybe none; reader.rows is 0
 *   on the direct path, the rows yielded so far on the general path;
 * - progress (feedPages' onRows): after each chunk on the direct path, after each batch of rows
 *   on the general path; both end at the number of rows.
 * Within one record both paths run the same checks in the same order (one decoder).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ROW_PAGES, PageExpander } from '../../src/pages/expand.js';
import { feedPages } from '../../src/run/feed.js';
import { PageIds } from '../../src/pages/page-ids.js';
import { mulberry32 } from '../../src/rng.js';
import { TraceError } from '../../src/errors.js';
import { VmRegistry } from '../../src/trace/interleave.js';
import { createReader, DEFAULT_READ_OPTIONS } from '../../src/trace/reader.js';
import { OP_RESET, RowBatch } from '../../src/trace/rows.js';
import { openSource, type TraceSource } from '../../src/trace/source.js';
import { VmtPagedWriter, vmtHeader, vmtRecords, vmtRecordSize } from '../../src/trace/vmt.js';
import { cli, ROOT, tempFile } from '../helpers.js';

const TWO64 = 1n << 64n;
const GIB = 2 ** 30;
const OP_PAGE = 5;
const DISPLAY = 'in.vmt';
/** the source's own VM name: what a VM named '' in the header becomes */
const FALLBACK = 'f';

// ---------------------------------------------------------------------------------------------
// Traces and the files written from them

interface Row {
  op: number;
  /** index into the header's names */
  vm: number;
  addr: bigint;
  size: number;
  time: number;
  /** 0 none, k: tokens[k - 1] */
  content: number;
}

interface Trace {
  names: string[];
  hasTime: boolean;
  tokens: string[] | null;
  rows: Row[];
}

type Layout = { kind: 'unpaged' } | { kind: 'paged'; shift: number; parts: number } | { kind: 'hand'; shift: number; seed: number };

interface VmtFile {
  bytes: Buffer;
  headerLength: number;
  recordSize: number;
  /** log2 of the file's page size; null: unpaged */
  shift: number | null;
}

function batchOf(trace: Trace, rows: readonly Row[]): RowBatch {
  const batch = new RowBatch(Math.max(1, rows.length));
  for (const r of rows) {
    batch.push(r.op, r.vm, Number(r.addr >> 32n), Number(r.addr & 0xffffffffn), r.size, trace.hasTime ? r.time : NaN, 0, r.content);
  }
  return batch;
}

/** vmt.ts's rule for splitting a row over 4 GiB - 1 (at 1 GiB-aligned addresses). */
function recordPart(addr: bigint, remaining: number): number {
  if (remaining <= 0xffffffff) return remaining;
  const offset = Number(addr % BigInt(GIB));
  return Math.floor((0xffffffff + offset) / GIB) * GIB - offset;
}

/**
 * A paged file laid out by hand: PAGE records defined early (some up front, in random order),
 * duplicate PAGE records for pages already defined, pages no record uses, and records that pick
 * any of the indices of their page - all of it valid, most of it what VmtPagedWriter never writes.
 */
function handPaged(trace: Trace, shift: number, seed: number): Buffer {
  const rand = mulberry32(seed);
  const pick = (n: number): number => Math.floor(rand() * n);
  const size = vmtRecordSize(trace.hasTime, trace.tokens !== null);
  const out: Buffer[] = [];
  const refsOf = new Map<string, number[]>();
  let refs = 0;
  const define = (vm: number, page: bigint): void => {
    const r = Buffer.alloc(size);
    r[0] = OP_PAGE;
    r.writeUInt16LE(vm, 2);
    r.writeUInt32LE(Number(page & 0xffffffffn), 8);
    r.writeUInt32LE(Number(page >> 32n), 12);
    out.push(r);
    const key = `${vm}:${page}`;
    const list = refsOf.get(key) ?? [];
    list.push(refs++);
    refsOf.set(key, list);
  };
  const pool: [number, bigint][] = [];
  for (const row of trace.rows) if (row.op !== OP_RESET) pool.push([row.vm, row.addr >> BigInt(shift)]);
  for (let i = 0; i < 2; i++) pool.push([pick(trace.names.length), BigInt(Math.floor(rand() * 2 ** 32)) << BigInt(Math.max(0, 31 - shift))]);
  const prologue = rand();
  if (prologue < 0.35) {
    // some pages up front, in random order, duplicates included
    for (let n = pick(pool.length + 1); n > 0; n--) define(...pool[pick(pool.length)]!);
  } else if (prologue < 0.7) {
    // up front in the order records first start in them (what VmtPagedWriter numbers), with a
    // page from elsewhere slipped in now and then: indices first used out of order, by one or two
    const seen = new Set<string>();
    for (const [vm, page] of pool.slice(0, -2)) {
      if (seen.has(`${vm}:${page}`)) continue;
      seen.add(`${vm}:${page}`);
      if (rand() < 0.2) define(...pool[pick(pool.length)]!);
      define(vm, page);
    }
  }
  for (const row of trace.rows) {
    let addr = row.addr;
    // a RESET is one record whatever its size (capped at 4 GiB - 1), as the writers make it
    let remaining = row.op === OP_RESET ? Math.min(row.size, 0xffffffff) : row.size;
    do {
      const part = recordPart(addr, remaining);
      if (rand() < 0.15) define(...pool[pick(pool.length)]!);
      const r = Buffer.alloc(size);
      r[0] = row.op;
      r.writeUInt16LE(row.vm, 2);
      r.writeUInt32LE(part, 4);
      if (row.op === OP_RESET) {
        r.writeUInt32LE(Number(addr & 0xffffffffn), 8);
        r.writeUInt32LE(Number(addr >> 32n), 12);
      } else {
        const page = addr >> BigInt(shift);
        const key = `${row.vm}:${page}`;
        if (!refsOf.has(key) || rand() < 0.1) define(row.vm, page);
        const list = refsOf.get(key)!;
        r.writeUInt32LE(list[pick(list.length)]!, 8);
        r.writeUInt32LE(Number(addr & ((1n << BigInt(shift)) - 1n)), 12);
      }
      if (trace.hasTime) r.writeDoubleLE(row.time, 16);
      if (trace.tokens !== null) r.writeUInt32LE(row.content, trace.hasTime ? 24 : 16);
      out.push(r);
      addr += BigInt(part);
      remaining -= part;
    } while (remaining > 0);
  }
  return Buffer.concat(out);
}

function writeVmt(trace: Trace, layout: Layout): VmtFile {
  const hasContent = trace.tokens !== null;
  const shift = layout.kind === 'unpaged' ? null : layout.shift;
  // The writer's files promise distinct pages (header bit 3): a replay then numbers them without lookups.
  const header = vmtHeader(trace.names, trace.hasTime, shift ?? undefined, trace.tokens ?? undefined, layout.kind === 'paged');
  let records: Buffer;
  if (layout.kind === 'unpaged') records = vmtRecords(batchOf(trace, trace.rows), trace.hasTime, undefined, hasContent);
  else if (layout.kind === 'hand') records = handPaged(trace, layout.shift, layout.seed);
  else {
    // the writer's page table carries over from one encode() to the next
    const writer = new VmtPagedWriter(trace.hasTime, layout.shift, hasContent);
    const parts: Buffer[] = [];
    const per = Math.ceil(trace.rows.length / layout.parts);
    for (let i = 0; i < trace.rows.length; i += per) parts.push(writer.encode(batchOf(trace, trace.rows.slice(i, i + per))));
    records = Buffer.concat(parts);
  }
  return { bytes: Buffer.concat([header, records]), headerLength: header.length, recordSize: vmtRecordSize(trace.hasTime, hasContent), shift };
}

interface RecordView {
  op: number;
  vm: number;
  size: number;
  w2: number;
  w3: number;
  time: number;
  /** paged: PAGE records before this one (the indices defined) */
  refsBefore: number;
}

function recordsOf(file: VmtFile, hasTime: boolean): RecordView[] {
  const out: RecordView[] = [];
  let refs = 0;
  for (let at = file.headerLength; at + file.recordSize <= file.bytes.length; at += file.recordSize) {
    const b = file.bytes;
    out.push({
      op: b[at]!,
      vm: b.readUInt16LE(at + 2),
      size: b.readUInt32LE(at + 4),
      w2: b.readUInt32LE(at + 8),
      w3: b.readUInt32LE(at + 12),
      time: hasTime ? b.readDoubleLE(at + 16) : NaN,
      refsBefore: refs,
    });
    if (file.shift !== null && b[at] === OP_PAGE) refs++;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The model: the page accesses the rows make (VMs, content tokens and page ids by first use)

interface Expected {
  /** op, run VM, page number (RESET: the VM, page -1n) */
  accesses: { op: number; vm: number; page: bigint; content: number }[];
  vmNames: string[];
  rows: number;
}

function model(trace: Trace, runShift: number): Expected {
  const vmNames: string[] = [];
  const runVm = trace.names.map((n) => {
    const name = n === '' ? FALLBACK : n;
    if (!vmNames.includes(name)) vmNames.push(name);
    return vmNames.indexOf(name);
  });
  const tokens: string[] = [];
  const contentId = [0, ...(trace.tokens ?? []).map((t) => (t === '' ? 0 : (tokens.includes(t) ? tokens.indexOf(t) : tokens.push(t) - 1) + 1))];
  const accesses: Expected['accesses'] = [];
  let rows = 0;
  const s = BigInt(runShift);
  for (const row of trace.rows) {
    let addr = row.addr;
    // a RESET stays one record (its size means nothing), capped at 4 GiB - 1
    let remaining = row.op === OP_RESET ? Math.min(row.size, 0xffffffff) : row.size;
    do {
      // the writers split a row over 4 GiB - 1 into records; each is a row when read back
      rows++;
      if (row.op === OP_RESET) accesses.push({ op: OP_RESET, vm: runVm[row.vm]!, page: -1n, content: 0 });
      const part = recordPart(addr, remaining);
      addr += BigInt(part);
      remaining -= part;
    } while (remaining > 0);
    if (row.op === OP_RESET) continue;
    for (let p = row.addr >> s; p <= (row.addr + BigInt(row.size) - 1n) >> s; p++) {
      accesses.push({ op: row.op, vm: runVm[row.vm]!, page: p, content: contentId[row.content]! });
    }
  }
  return { accesses, vmNames, rows };
}

// ---------------------------------------------------------------------------------------------
// Feeding: chunks, the two paths, what they produce

/** How the bytes arrive: whole; cut in sizes taken in turn (0: an empty chunk); misaligned copies. */
interface Chunking {
  sizes: number[];
  misalign: boolean;
}

function chunked(bytes: Buffer, c: Chunking): Buffer[] {
  if (c.sizes.every((s) => s === 0)) return [bytes];
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = c.sizes[i % c.sizes.length]!;
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  if (!c.misalign) return out;
  // each chunk at an odd byte offset of its own buffer: never aligned to 8 bytes
  return out.map((piece, i) => {
    const k = 1 + (i % 7);
    const copy = Buffer.alloc(piece.length + k).subarray(k);
    piece.copy(copy);
    return copy;
  });
}

function vmtSource(pieces: Buffer[]): TraceSource {
  return {
    path: DISPLAY,
    display: DISPLAY,
    vmName: FALLBACK,
    format: 'vmt',
    gzip: false,
    bytes: pieces.reduce((n, p) => n + p.length, 0),
    chunks: () =>
      (async function* () {
        yield* pieces;
      })(),
    retain: () => {},
  };
}

interface Pass {
  op: number[];
  page: number[];
  content: number[];
  /** PageExpander.row calls: every row on the general path; on the direct path only what is not one page of the run */
  rowCalls: number;
  rows: number;
  hasTime: boolean;
  hasContent: boolean;
  /** what feedPages' onRows was told, in order */
  progress: number[];
  error: TraceError | null;
}

async function feed(source: TraceSource, pageSize: number, direct: boolean, ids = new PageIds(), registry = new VmRegistry()): Promise<Pass> {
  const reader = createReader(source, DEFAULT_READ_OPTIONS);
  expect(reader.replay).toBeTypeOf('function');
  if (!direct) delete reader.replay;
  const out: Pass = { op: [], page: [], content: [], rowCalls: 0, rows: 0, hasTime: false, hasContent: false, progress: [], error: null };
  const expander = new PageExpander(
    pageSize,
    ids,
    (b) => {
      for (let i = 0; i < b.length; i++) {
        out.op.push(b.op[i]!);
        out.page.push(b.page[i]!);
        out.content.push(b.content[i]!);
      }
    },
    source.display,
  );
  const row = expander.row.bind(expander);
  expander.row = (...args) => {
    out.rowCalls++;
    row(...args);
  };
  try {
    await feedPages([reader], registry, expander, (n) => out.progress.push(n));
  } catch (err) {
    if (!(err instanceof TraceError)) throw err;
    out.error = err;
  }
  out.rows = reader.rows;
  out.hasTime = reader.hasTime;
  out.hasContent = reader.hasContent;
  return out;
}

function idsOf(ids: PageIds): { count: number; vm: number[]; hi: number[]; lo: number[] } {
  const n = ids.count;
  return { count: n, vm: [...ids.vmOf.subarray(0, n)], hi: [...ids.hiOf.subarray(0, n)], lo: [...ids.loOf.subarray(0, n)] };
}

function errorOf(p: Pass): { file: string; line: number; reason: string; message: string } | null {
  return p.error && { file: p.error.file, line: p.error.line, reason: p.error.reason, message: p.error.message };
}

/** Row calls the direct path makes: RESET records, and records not within one page of the run (all of them when the pages differ). */
function directRowCalls(file: VmtFile, runShift: number): number {
  let n = 0;
  for (const r of recordsOf(file, false)) {
    if (file.shift !== null && r.op === OP_PAGE) continue;
    const inPage = file.shift === runShift && r.op !== OP_RESET && r.w3 + r.size <= 2 ** runShift;
    if (!inPage) n++;
  }
  return n;
}

interface Both {
  direct: Pass;
  general: Pass;
  directIds: PageIds;
  generalIds: PageIds;
  directVms: VmRegistry;
  generalVms: VmRegistry;
}

async function both(pieces: Buffer[], runShift: number): Promise<Both> {
  const source = vmtSource(pieces);
  const directIds = new PageIds();
  const generalIds = new PageIds();
  const directVms = new VmRegistry();
  const generalVms = new VmRegistry();
  const direct = await feed(source, 2 ** runShift, true, directIds, directVms);
  const general = await feed(source, 2 ** runShift, false, generalIds, generalVms);
  return { direct, general, directIds, generalIds, directVms, generalVms };
}

/** `a` is `b` or a shorter start of it. */
function expectPrefix(a: readonly number[], b: readonly number[]): void {
  expect(a.length).toBeLessThanOrEqual(b.length);
  expect(a).toEqual(b.slice(0, a.length));
}

/**
 * Without an error: the same everything (but progress and row calls). With one: the same error,
 * and what each path had done before it agrees (see 'where the paths differ').
 */
function expectSame(r: Both): void {
  const { direct: d, general: g } = r;
  expect(errorOf(d)).toEqual(errorOf(g));
  expect([d.hasTime, d.hasContent]).toEqual([g.hasTime, g.hasContent]);
  if (d.error === null) {
    expect(d.op).toEqual(g.op);
    expect(d.page).toEqual(g.page);
    expect(d.content).toEqual(g.content);
    expect(idsOf(r.directIds)).toEqual(idsOf(r.generalIds));
    expect(r.directVms.names).toEqual(r.generalVms.names);
    expect(r.directVms.order).toEqual(r.generalVms.order);
    expect(d.rows).toBe(g.rows);
    return;
  }
  // The direct path expands every record before the bad one; the general path only the batches
  // of rows before the one holding it (a batch is decoded whole before it is expanded). So the
  // general path's accesses and page ids are a start of the direct path's.
  expectPrefix(g.op, d.op);
  expectPrefix(g.page, d.page);
  expectPrefix(g.content, d.content);
  const di = idsOf(r.directIds);
  const gi = idsOf(r.generalIds);
  expectPrefix(gi.vm, di.vm);
  expectPrefix(gi.hi, di.hi);
  expectPrefix(gi.lo, di.lo);
  // The direct path defines the header's VMs once it has read the header, the general path once
  // the first rows reach interleave(): none if the error came first.
  if (r.generalVms.names.length > 0) expect(r.generalVms.names).toEqual(r.directVms.names);
  expect(r.generalVms.order).toEqual(r.directVms.order.slice(0, r.generalVms.names.length));
  // reader.rows: 0 on the direct path (set when the replay is done), the rows yielded before the
  // error on the general path. Nothing reads any of these after a failed run.
  expect(d.rows).toBe(0);
  expect(g.rows).toBeLessThanOrEqual(d.error.line);
}

/** The accesses as keys (VM, page number), read back through the PageIds: independent of numbering. */
function keysOf(p: Pass, ids: PageIds): Expected['accesses'] {
  return p.op.map((op, i) => {
    const id = p.page[i]!;
    if (op === OP_RESET) return { op, vm: id, page: -1n, content: p.content[i]! };
    return { op, vm: ids.vmOf[id]!, page: (BigInt(ids.hiOf[id]!) << 32n) | BigInt(ids.loOf[id]!), content: p.content[i]! };
  });
}

/** Page ids by first use (what a fresh PageIds hands out) for the model's accesses. */
function denseIds(accesses: Expected['accesses']): { page: number[]; ids: ReturnType<typeof idsOf> } {
  const byKey = new Map<string, number>();
  const ids = { count: 0, vm: [] as number[], hi: [] as number[], lo: [] as number[] };
  const page = accesses.map((a) => {
    if (a.op === OP_RESET) return a.vm;
    const key = `${a.vm}:${a.page}`;
    let id = byKey.get(key);
    if (id === undefined) {
      id = ids.count++;
      byKey.set(key, id);
      ids.vm.push(a.vm);
      ids.hi.push(Number(a.page >> 32n));
      ids.lo.push(Number(a.page & 0xffffffffn));
    }
    return id;
  });
  return { page, ids };
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const RUN_SHIFTS = [0, 2, 12, 30];
const NAMES = ['a', 'b', 'web', 'db', ''];
const edgeAddr = fc.constantFrom(0n, TWO64 - 1n, TWO64 - (1n << 31n), TWO64 - (1n << 33n) - 7n, (1n << 32n) - 5n, 1n << 63n);

function traceArb(runShift: number): fc.Arbitrary<Trace> {
  const u = 2 ** runShift;
  const size = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1, max: Math.min(u, 64) }) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 4 * u }) },
    // ranges: up to 40 pages of the run, over 4 GiB (split records) at 1 GiB pages
    { weight: 1, arbitrary: fc.integer({ min: 1, max: Math.min(2 ** 36, 40 * u) }) },
  );
  const raw = fc.record({
    op: fc.constantFrom(0, 0, 0, 1, 1, 2, 3, OP_RESET),
    vm: fc.nat(7),
    region: fc.nat(7),
    offset: fc.oneof(fc.nat(63), fc.integer({ min: 0, max: 4 * u })),
    size,
    dt: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1000, noNaN: true })),
    content: fc.nat(7),
  });
  return fc
    .record({
      names: fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 }),
      hasTime: fc.boolean(),
      tokens: fc.option(fc.array(fc.constantFrom('', 'x', 'y', 'img'), { maxLength: 3 }), { nil: null }),
      regions: fc.array(fc.oneof(edgeAddr, fc.bigInt({ min: 0n, max: TWO64 - 1n })), { minLength: 1, maxLength: 4 }),
      start: fc.double({ min: -1e9, max: 1e9, noNaN: true }),
      raw: fc.array(raw, { maxLength: 60, size: 'max' }),
    })
    .map(({ names, hasTime, tokens, regions, start, raw }) => {
      let time = start;
      const rows = raw.map((r): Row => {
        const addr = (regions[r.region % regions.length]! + BigInt(r.offset)) % TWO64;
        time += r.dt;
        return {
          op: r.op,
          vm: r.vm % names.length,
          addr,
          size: Math.min(r.size, Number(TWO64 - addr)),
          time,
          content: tokens === null ? 0 : r.content % (tokens.length + 1),
        };
      });
      return { names, hasTime, tokens, rows };
    });
}

function layoutArb(runShift: number): fc.Arbitrary<Layout> {
  // the file's page size: the run's (the direct path), or another
  const shift = fc.oneof({ weight: 3, arbitrary: fc.constant(runShift) }, { weight: 1, arbitrary: fc.constantFrom(0, 3, 12, 30) });
  return fc.oneof(
    fc.constant<Layout>({ kind: 'unpaged' }),
    fc.record({ kind: fc.constant('paged' as const), shift, parts: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('hand' as const), shift, seed: fc.integer() }),
  );
}

const chunkingArb: fc.Arbitrary<Chunking> = fc.oneof(
  fc.constant<Chunking>({ sizes: [], misalign: false }),
  fc.constant<Chunking>({ sizes: [1], misalign: false }),
  fc.record({ sizes: fc.array(fc.oneof(fc.nat(40), fc.integer({ min: 1, max: 400 })), { minLength: 1, maxLength: 6 }), misalign: fc.boolean() }),
);

const caseArb = fc.constantFrom(...RUN_SHIFTS).chain((runShift) =>
  fc.record({ runShift: fc.constant(runShift), trace: traceArb(runShift), layout: layoutArb(runShift), chunking: chunkingArb }),
);

// ---------------------------------------------------------------------------------------------

describe('vmt replay straight into the expander = rows through interleave', () => {
  it('page accesses, page ids, VMs and rows agree, and match a model of the rows', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ runShift, trace, layout, chunking }) => {
        const file = writeVmt(trace, layout);
        const r = await both(chunked(file.bytes, chunking), runShift);
        expectSame(r);
        const want = model(trace, runShift);
        if (want.rows === 0) {
          expect(errorOf(r.direct)).toMatchObject({ file: DISPLAY, line: 0, reason: 'empty trace: no accesses' });
          return;
        }
        expect(r.direct.error).toBeNull();
        expect(r.directVms.names).toEqual(want.vmNames);
        expect(r.directVms.order).toEqual(want.vmNames.map((_, i) => i));
        expect(r.direct.rows).toBe(want.rows);
        expect([r.direct.hasTime, r.direct.hasContent]).toEqual([trace.hasTime, trace.tokens !== null]);
        expect(keysOf(r.direct, r.directIds)).toEqual(want.accesses);
        const dense = denseIds(want.accesses);
        expect(r.direct.page).toEqual(dense.page);
        expect(idsOf(r.directIds)).toEqual(dense.ids);
        // the direct path took its shortcut for every record within one page of the run
        expect(r.general.rowCalls).toBe(want.rows);
        expect(r.direct.rowCalls).toBe(directRowCalls(file, runShift));
        // progress: never backwards, ends at the rows read
        for (const p of [r.direct, r.general]) {
          expect(p.progress.at(-1)).toBe(want.rows);
          expect([...p.progress].sort((a, b) => a - b)).toEqual(p.progress);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("opt's two passes: the second over the same PageIds reproduces the first's ids, whichever path each pass takes", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, fc.boolean(), fc.boolean(), async ({ runShift, trace, layout, chunking }, firstDirect, secondDirect) => {
        fc.pre(trace.rows.length > 0);
        const source = vmtSource(chunked(writeVmt(trace, layout).bytes, chunking));
        const ids = new PageIds();
        const vms = new VmRegistry();
        const first = await feed(source, 2 ** runShift, firstDirect, ids, vms);
        expect(first.error).toBeNull();
        const after = idsOf(ids);
        const names = [...vms.names];
        const second = await feed(source, 2 ** runShift, secondDirect, ids, vms);
        expect(second.error).toBeNull();
        expect(second.page).toEqual(first.page);
        expect(second.op).toEqual(first.op);
        expect(second.content).toEqual(first.content);
        expect(idsOf(ids)).toEqual(after);
        expect(vms.names).toEqual(names);
      }),
      { numRuns: 60 },
    );
  });

  it('a PageIds that already holds pages (ids not from 0, some of the file pages taken out of order): the same ids on both paths', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, fc.integer(), async ({ runShift, trace, layout, chunking }, seed) => {
        fc.pre(trace.rows.length > 0);
        const want = model(trace, runShift).accesses.filter((a) => a.op !== OP_RESET);
        const rand = mulberry32(seed);
        const directIds = new PageIds();
        for (let n = Math.floor(rand() * 8); n > 0; n--) {
          // a page of the file (any of its VMs), or one it never uses
          const a = want[Math.floor(rand() * want.length)];
          if (a !== undefined && rand() < 0.7) directIds.id(a.vm, Number(a.page >> 32n), Number(a.page & 0xffffffffn));
          else directIds.id(Math.floor(rand() * 3), 0, Math.floor(rand() * 2 ** 32));
        }
        // the same pages in the same order into both
        const generalIds = new PageIds();
        for (let id = 0; id < directIds.count; id++) generalIds.id(directIds.vmOf[id]!, directIds.hiOf[id]!, directIds.loOf[id]!);
        const source = vmtSource(chunked(writeVmt(trace, layout).bytes, chunking));
        const directVms = new VmRegistry();
        const generalVms = new VmRegistry();
        const r: Both = {
          direct: await feed(source, 2 ** runShift, true, directIds, directVms),
          general: await feed(source, 2 ** runShift, false, generalIds, generalVms),
          directIds,
          generalIds,
          directVms,
          generalVms,
        };
        expectSame(r);
        expect(keysOf(r.direct, directIds)).toEqual(model(trace, runShift).accesses);
      }),
      { numRuns: 60 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Bad input: one fault in an otherwise good file

interface Fault {
  bytes: Buffer;
  line: number;
  reason: string;
}

const FAULTS = ['truncated', 'op', 'size0', 'vmRange', 'undefinedPage', 'vmMismatch', 'offset', 'pageOver64', 'time', 'content', 'past2to64'] as const;
type FaultKind = (typeof FAULTS)[number];

/**
 * The file with fault `kind` at a record picked by `at` (any record the fault applies to), and
 * the error it must give; undefined when no record of the file can take that fault.
 */
function inject(file: VmtFile, trace: Trace, kind: FaultKind, at: number, value: number): Fault | undefined {
  const vmCount = trace.names.length;
  const tokens = trace.tokens?.length ?? null;
  const records = recordsOf(file, trace.hasTime);
  const paged = file.shift !== null;
  const pageBytes = 2 ** (file.shift ?? 0);
  const isRow = (r: RecordView): boolean => !paged || r.op !== OP_PAGE;
  const usesPage = (r: RecordView): boolean => paged && r.op !== OP_PAGE && r.op !== OP_RESET;
  // the VM of each page index
  const pageVm: number[] = [];
  for (const r of records) if (paged && r.op === OP_PAGE) pageVm.push(r.vm);
  const candidates = records
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => {
      switch (kind) {
        case 'truncated':
        case 'op':
        case 'vmRange':
          return true;
        case 'size0':
          return isRow(r);
        case 'undefinedPage':
        case 'offset':
          return usesPage(r);
        case 'vmMismatch':
          return usesPage(r) && vmCount > 1;
        case 'pageOver64':
          return paged && r.op === OP_PAGE && file.shift! > 0;
        case 'time':
          return isRow(r) && trace.hasTime;
        case 'content':
          return isRow(r) && tokens !== null;
        case 'past2to64':
          return !paged && r.op !== OP_RESET;
      }
    });
  if (candidates.length === 0) return undefined;
  const { r, i } = candidates[at % candidates.length]!;
  const line = i + 1;
  const off = file.headerLength + i * file.recordSize;
  const bytes = Buffer.from(file.bytes);
  switch (kind) {
    case 'truncated': {
      const cut = 1 + (value % (file.recordSize - 1));
      return { bytes: bytes.subarray(0, off + cut), line, reason: `truncated vmt record (${cut} of ${file.recordSize} bytes)` };
    }
    case 'op': {
      const op = (paged ? 6 : 5) + (value % (paged ? 250 : 251));
      bytes[off] = op;
      return { bytes, line, reason: `record has unknown op ${op}` };
    }
    case 'size0':
      bytes.writeUInt32LE(0, off + 4);
      return { bytes, line, reason: 'record has size 0' };
    case 'vmRange': {
      const vm = vmCount + (value % (65536 - vmCount));
      bytes.writeUInt16LE(vm, off + 2);
      return { bytes, line, reason: `record names VM ${vm}, but the header has ${vmCount}` };
    }
    case 'undefinedPage': {
      // the first index not yet defined, one beyond, the largest
      const ref = [r.refsBefore, r.refsBefore + 1 + (value % 100), 0xffffffff][value % 3]!;
      bytes.writeUInt32LE(ref, off + 8);
      return { bytes, line, reason: `record uses page ${ref}, which no PAGE record has defined` };
    }
    case 'vmMismatch': {
      const vm = (pageVm[r.w2]! + 1 + (value % (vmCount - 1))) % vmCount;
      bytes.writeUInt16LE(vm, off + 2);
      return { bytes, line, reason: "record's VM differs from its page's" };
    }
    case 'offset': {
      // the page size itself, beyond it, the largest
      const offset = [pageBytes, pageBytes + (value % (2 ** 32 - pageBytes)), 0xffffffff][value % 3]!;
      bytes.writeUInt32LE(offset, off + 12);
      return { bytes, line, reason: 'offset outside its page' };
    }
    case 'pageOver64':
      bytes.writeUInt32LE((r.w3 | (2 ** 31 >>> (value % file.shift!))) >>> 0, off + 12);
      return { bytes, line, reason: 'PAGE record: page number over 64 bits' };
    case 'time': {
      // the time of the row before (PAGE records carry none)
      const before = records.slice(0, i).filter(isRow).at(-1)?.time;
      const bad = [NaN, Infinity, -Infinity][value % 3]!;
      if (before !== undefined && value % 2 === 0) {
        const back = before - 1 - (value % 100);
        bytes.writeDoubleLE(back, off + 16);
        return { bytes, line, reason: `time goes backwards: ${back} after ${before}` };
      }
      bytes.writeDoubleLE(bad, off + 16);
      return { bytes, line, reason: `time is ${bad}, not a finite number` };
    }
    case 'content': {
      const c = tokens! + 1 + (value % 1000);
      bytes.writeUInt32LE(c, off + (trace.hasTime ? 24 : 16));
      return { bytes, line, reason: `record has content id ${c}, but the header has ${tokens} tokens` };
    }
    case 'past2to64':
      bytes.writeUInt32LE(0xffffffff, off + 8);
      bytes.writeUInt32LE(0xffffffff, off + 12);
      bytes.writeUInt32LE(2 + (value % 1000), off + 4);
      return { bytes, line, reason: 'access runs past the end of the 64-bit address space' };
  }
}

describe('vmt replay: bad records give the same error on both paths', () => {
  it('truncated record, unknown op, undefined page, VM mismatch, offset outside the page, size 0, and more', async () => {
    const seen = new Set<FaultKind>();
    await fc.assert(
      fc.asyncProperty(
        caseArb,
        fc.constantFrom(...FAULTS),
        fc.nat(),
        fc.nat(),
        async ({ runShift, trace, layout, chunking }, kind, at, value) => {
          fc.pre(trace.rows.length > 0);
          const file = writeVmt(trace, layout);
          const fault = inject(file, trace, kind, at, value);
          fc.pre(fault !== undefined);
          seen.add(kind);
          const r = await both(chunked(fault!.bytes, chunking), runShift);
          expectSame(r);
          expect(errorOf(r.direct)).toMatchObject({ file: DISPLAY, line: fault!.line, reason: fault!.reason });
        },
      ),
      { numRuns: 250 },
    );
    expect([...seen].sort()).toEqual([...FAULTS].sort());
  });
});

// ---------------------------------------------------------------------------------------------
// Page tables by hand: ids worked out by hand

/** ['PAGE', vm, page number] defines the next index; [op, vm, index or address, offset, size] a row. */
type HandRecord = ['PAGE', number, number] | [number, number, number, number, number];

function handFile(names: string[], shift: number | null, records: HandRecord[], distinctPages = false): Buffer {
  const parts = [vmtHeader(names, false, shift ?? undefined, undefined, distinctPages)];
  for (const rec of records) {
    const r = Buffer.alloc(16);
    if (rec[0] === 'PAGE') {
      r[0] = OP_PAGE;
      r.writeUInt16LE(rec[1], 2);
      r.writeUInt32LE(rec[2], 8);
    } else {
      const [op, vm, w2, w3, size] = rec;
      r[0] = op;
      r.writeUInt16LE(vm, 2);
      r.writeUInt32LE(size, 4);
      r.writeUInt32LE(w2, 8);
      r.writeUInt32LE(w3, 12);
    }
    parts.push(r);
  }
  return Buffer.concat(parts);
}

const R = 0;
/** whole, in 1-byte chunks, in 5-byte chunks at odd offsets */
const CHUNKINGS: Chunking[] = [
  { sizes: [], misalign: false },
  { sizes: [1], misalign: false },
  { sizes: [5], misalign: true },
];

/** Both paths, in every chunking, give `pages` and page numbers `numbers` (VM 0 unless `vms`) for ids 0, 1, ... */
async function expectPages(bytes: Buffer, shift: number, pages: number[], numbers: number[], vms?: number[], ids?: () => PageIds): Promise<void> {
  for (const chunking of CHUNKINGS) {
    for (const direct of [true, false]) {
      const pageIds = ids?.() ?? new PageIds();
      const p = await feed(vmtSource(chunked(bytes, chunking)), 2 ** shift, direct, pageIds);
      expect(p.error).toBeNull();
      expect(p.page, `direct ${direct}, ${JSON.stringify(chunking)}`).toEqual(pages);
      expect(idsOf(pageIds)).toEqual({ count: numbers.length, vm: vms ?? numbers.map(() => 0), hi: numbers.map(() => 0), lo: numbers });
    }
  }
}

describe('vmt replay: the header promises distinct pages (bit 3)', () => {
  it('pages numbered without lookups have the ids a lookup gives, and later lookups find them', async () => {
    // Pages 7, 9, 8 as indices 0, 1, 2 (ids 0, 1, 2); then an access crossing from page 8 into
    // page 9 (looked up: ids 2 and 1) and one into page 10 (new by lookup: id 3).
    const bytes = handFile(
      ['v'],
      12,
      [
        ['PAGE', 0, 7],
        [R, 0, 0, 0, 1],
        ['PAGE', 0, 9],
        [R, 0, 1, 0, 1],
        ['PAGE', 0, 8],
        [R, 0, 2, 4095, 2],
        [R, 0, 1, 4095, 2],
        [R, 0, 0, 0, 1],
      ],
      true,
    );
    await expectPages(bytes, 12, [0, 1, 2, 1, 1, 3, 0], [7, 9, 8, 10]);
  });

  it('a file that breaks the promise is refused at its end, the same way on both paths', async () => {
    const records: HandRecord[] = [
      ['PAGE', 0, 5],
      [R, 0, 0, 0, 1],
      ['PAGE', 0, 6],
      [R, 0, 1, 0, 1],
      ['PAGE', 0, 5],
      [R, 0, 2, 0, 1],
    ];
    const bytes = handFile(['v'], 12, records, true);
    for (const direct of [true, false]) {
      const p = await feed(vmtSource(chunked(bytes, CHUNKINGS[0]!)), 4096, direct);
      expect(p.error?.message, `direct ${direct}`).toBe('in.vmt: PAGE records 0 and 2 (from 0) both define page 0x5 of VM 0, but the header says no page has two');
    }
    // Without the promise the same records are a valid file: index 2 is page 5 again (id 0).
    await expectPages(handFile(['v'], 12, records), 12, [0, 1, 0], [5, 6]);
  });

  it('vmmem convert writes the promise into paged files only', () => {
    const csv = tempFile('p.csv', 'vm,op,addr\nv,R,0x1000\nv,W,0x2000\n');
    const paged = tempFile('p.vmt', '');
    const plain = tempFile('q.vmt', '');
    expect(cli(['convert', csv, paged, '-q']).status).toBe(0);
    expect(cli(['convert', csv, plain, '--vmt-page-size', 'none', '-q']).status).toBe(0);
    expect(readFileSync(paged).readUInt32LE(8) & 0xff).toBe(0b1010);
    expect(readFileSync(plain).readUInt32LE(8) & 0xff).toBe(0);
  });
});

describe('vmt replay: page tables the writer never makes', () => {
  it('a duplicate PAGE record of a page in use ends the identity shortcut; indices before it keep their ids', async () => {
    // pages 10, 11 get ids 0, 1 (indices 0, 1: identity); index 2 is page 10 again: id 0, not 2
    const bytes = handFile(['v'], 12, [
      ['PAGE', 0, 10],
      ['PAGE', 0, 11],
      [R, 0, 0, 0, 1],
      [R, 0, 1, 0, 1],
      ['PAGE', 0, 10],
      [R, 0, 2, 0, 1],
      ['PAGE', 0, 12],
      [R, 0, 3, 8, 8],
      [R, 0, 0, 4095, 1],
      [R, 0, 1, 0, 4096],
      [R, 0, 3, 0, 1],
      [R, 0, 2, 0, 1],
    ]);
    await expectPages(bytes, 12, [0, 1, 0, 2, 0, 1, 2, 0], [10, 11, 12]);
  });

  it('pages defined up front and first used out of order', async () => {
    const bytes = handFile(['v'], 12, [['PAGE', 0, 5], ['PAGE', 0, 6], ['PAGE', 0, 7], [R, 0, 2, 0, 1], [R, 0, 0, 0, 1], [R, 0, 1, 0, 1], [R, 0, 2, 0, 1], [R, 0, 0, 0, 1]]);
    await expectPages(bytes, 12, [0, 1, 2, 0, 1], [7, 5, 6]);
  });

  it('an index first used after a later one, whose id happens to be the next: no shortcut for the one skipped', async () => {
    // index 0 (page 20) gets id 0; a record from its last byte covers page 21 too: id 1. Index 2
    // (page 22) then gets id 2, "its" id by position - but index 1 (page 30) was skipped, and
    // gets id 3, not 1.
    const bytes = handFile(['v'], 12, [
      ['PAGE', 0, 20],
      ['PAGE', 0, 30],
      ['PAGE', 0, 22],
      [R, 0, 0, 0, 1],
      [R, 0, 0, 4095, 2],
      [R, 0, 2, 0, 1],
      [R, 0, 1, 0, 1],
      [R, 0, 1, 0, 1],
      [R, 0, 2, 0, 1],
      [R, 0, 0, 0, 1],
    ]);
    await expectPages(bytes, 12, [0, 0, 1, 2, 3, 3, 2, 0], [20, 21, 22, 30]);
  });

  it('index 0 first used after index 1', async () => {
    const bytes = handFile(['v'], 12, [['PAGE', 0, 40], ['PAGE', 0, 41], [R, 0, 1, 0, 1], [R, 0, 0, 0, 1], [R, 0, 1, 0, 1], [R, 0, 0, 0, 1]]);
    await expectPages(bytes, 12, [0, 1, 0, 1], [41, 40]);
  });

  it('a PageIds that already holds one of the pages (a second pass, another trace): ids from there', async () => {
    // page 51 already has id 0: page 50 (index 0) gets 1, 51 (index 1) keeps 0, 52 gets 2
    const bytes = handFile(['v'], 12, [['PAGE', 0, 50], ['PAGE', 0, 51], ['PAGE', 0, 52], [R, 0, 0, 0, 1], [R, 0, 1, 0, 1], [R, 0, 2, 0, 1], [R, 0, 0, 0, 1], [R, 0, 1, 0, 1], [R, 0, 2, 0, 1]]);
    const seeded = (): PageIds => {
      const ids = new PageIds();
      ids.id(0, 0, 51);
      return ids;
    };
    await expectPages(bytes, 12, [1, 0, 2, 1, 0, 2], [51, 50, 52], undefined, seeded);
  });

  it('several VMs: the same page number in two VMs is two pages; RESET carries the VM', async () => {
    // header VMs a, b are the run's VMs 0, 1
    const bytes = handFile(['a', 'b'], 12, [
      ['PAGE', 1, 3],
      ['PAGE', 0, 3],
      ['PAGE', 1, 4],
      [R, 1, 0, 0, 1],
      [R, 0, 1, 0, 1],
      [R, 1, 2, 0, 1],
      [R, 0, 1, 0, 1],
      [OP_RESET, 1, 0, 0, 1],
      [R, 1, 0, 0, 1],
    ]);
    await expectPages(bytes, 12, [0, 1, 2, 1, 1, 0], [3, 3, 4], [1, 0, 1]);
  });

  it('two header VMs of one name are one VM of the run: their pages of one number are one page', async () => {
    const bytes = handFile(['a', 'a'], 12, [['PAGE', 0, 9], ['PAGE', 1, 9], [R, 0, 0, 0, 1], [R, 1, 1, 0, 1], [R, 0, 0, 0, 1], [R, 1, 1, 0, 1]]);
    await expectPages(bytes, 12, [0, 0, 0, 0], [9]);
  });

  it('more page indices than the first page table holds (1024)', async () => {
    // written by VmtPagedWriter: pages 0..1499, then back down
    const n = 1500;
    const batch = new RowBatch(2 * n);
    for (let i = 0; i < n; i++) batch.push(R, 0, 0, i * 4096, 1, NaN, 0);
    for (let i = n - 1; i >= 0; i--) batch.push(R, 0, 0, i * 4096 + 7, 9, NaN, 0);
    const written = Buffer.concat([vmtHeader(['v'], false, 12), new VmtPagedWriter(false, 12).encode(batch)]);
    const up = [...Array(n).keys()];
    const down = [...up].reverse();
    await expectPages(written, 12, [...up, ...down], up);
    // by hand: 2000 PAGE records first (index k: page 1999 - k), then indices from the last down
    const m = 2000;
    const records: HandRecord[] = [];
    for (let k = 0; k < m; k++) records.push(['PAGE', 0, m - 1 - k]);
    for (let k = m - 1; k >= 0; k--) records.push([R, 0, k, 0, 1]);
    for (let k = 0; k < m; k++) records.push([R, 0, k, 0, 1]);
    const pages = [...Array(m).keys()];
    await expectPages(handFile(['v'], 12, records), 12, [...pages, ...[...pages].reverse()], pages);
  });
});

// ---------------------------------------------------------------------------------------------

describe('vmt replay: where the paths differ', () => {
  it("a row over 2^24 pages, then a bad record: the direct path reports the first, the general path the bad record when both are in one chunk's rows", async () => {
    // Run page size 1 B: a row of 2^24 + 1 bytes covers one page too many (the expander's check),
    // and record 2 has op 9 (the decoder's). The general path decodes a chunk's records into a
    // batch of rows, then expands the batch: it meets record 2 first.
    const big = MAX_ROW_PAGES + 1;
    const tooMany = `a row covers ${big} pages, more than ${MAX_ROW_PAGES} (2^24): use a larger --page-size`;
    for (const shift of [null, 0]) {
      const bytes = handFile(['v'], shift, [...(shift === null ? [] : [['PAGE', 0, 0] as HandRecord]), [R, 0, 0, 0, big], [9, 0, 0, 0, 1]]);
      const first = shift === null ? 1 : 2;
      const whole = await both([bytes], 0);
      expect(errorOf(whole.direct)).toMatchObject({ line: first, reason: tooMany });
      expect(errorOf(whole.general)).toMatchObject({ line: first + 1, reason: 'record has unknown op 9' });
      // cut between the two records: the general path expands the first before it reads the second
      const cut = bytes.length - 16;
      const apart = await both([bytes.subarray(0, cut), bytes.subarray(cut)], 0);
      for (const p of [apart.direct, apart.general]) expect(errorOf(p)).toMatchObject({ line: first, reason: tooMany });
    }
  });

  it('after an error: the direct path has expanded the records before it, defined the VMs and counted no rows', async () => {
    // two good rows, then size 0; all in one chunk
    const bytes = handFile(['a', 'b'], 12, [['PAGE', 0, 1], ['PAGE', 1, 1], [R, 0, 0, 0, 1], [R, 1, 1, 0, 1], [R, 0, 0, 0, 0]]);
    const r = await both([bytes], 12);
    for (const p of [r.direct, r.general]) expect(errorOf(p)).toMatchObject({ line: 5, reason: 'record has size 0' });
    expect([r.directIds.count, r.generalIds.count]).toEqual([2, 0]);
    expect([r.directVms.names, r.generalVms.names]).toEqual([['a', 'b'], []]);
    expect([r.direct.rows, r.general.rows]).toEqual([0, 0]);
  });

  it('an empty trace (a header, PAGE records, no rows): the same error; only the direct path has defined the VMs', async () => {
    for (const bytes of [handFile(['a', 'b'], null, []), handFile(['a', 'b'], 12, [['PAGE', 0, 1], ['PAGE', 1, 7]])]) {
      const r = await both(chunked(bytes, { sizes: [3], misalign: false }), 12);
      for (const p of [r.direct, r.general]) expect(errorOf(p)).toEqual({ file: DISPLAY, line: 0, reason: 'empty trace: no accesses', message: `${DISPLAY}: empty trace: no accesses` });
      expect([r.directVms.names, r.generalVms.names]).toEqual([['a', 'b'], []]);
    }
  });
});

describe('vmt replay: files written by vmmem convert', () => {
  it('the sample traces, paged at 4 KiB and unpaged, replay at 4 KiB, 1 B and 16 KiB as the csv they came from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmmem-replay-'));
    for (const inputs of [['traces/web.csv', 'traces/db.csv'], ['traces/clones.csv']]) {
      for (const paged of ['4KiB', 'none']) {
        const out = join(dir, `t-${paged}.vmt`);
        const c = cli(['convert', ...inputs.map((p) => join(ROOT, p)), out, '--vmt-page-size', paged, '-q']);
        expect(c.status, c.stderr).toBe(0);
        for (const pageSize of [4096, 1, 16384]) {
          const csv = await pagesOf(await Promise.all(inputs.map((p) => openSource(join(ROOT, p)))), pageSize);
          for (const direct of [true, false]) {
            const source = await openSource(out);
            const p = await feed(source, pageSize, direct, new PageIds(), new VmRegistry());
            expect(p.error).toBeNull();
            expect(p.page, `${inputs.join(' ')} ${paged} at ${pageSize}, direct ${direct}`).toEqual(csv.page);
            expect(p.op).toEqual(csv.op);
          }
        }
      }
    }
  });
});

/** The page accesses of traces read the general way (csv: no replay), content aside (ids differ per reader). */
async function pagesOf(sources: TraceSource[], pageSize: number): Promise<{ op: number[]; page: number[] }> {
  const out = { op: [] as number[], page: [] as number[] };
  const expander = new PageExpander(pageSize, new PageIds(), (b) => {
    for (let i = 0; i < b.length; i++) {
      out.op.push(b.op[i]!);
      out.page.push(b.page[i]!);
    }
  });
  await feedPages(sources.map((s) => createReader(s, DEFAULT_READ_OPTIONS)), new VmRegistry(), expander);
  return out;
}
