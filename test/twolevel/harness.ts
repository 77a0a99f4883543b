/**
 * Runs two levels of memory (src/engine/two-level.ts) on rows built in the test, one row at a
 * time, so that a check can look at the machine after every step; and the invariants of SPEC 2.7
 * that must hold at every step.
 */
import { expect } from 'vitest';
import { DEFAULT_DECOMPRESS_NS, type EngineConfig, type GuestSettings, type ReclaimStep, type TwoLevelConfig } from '../../src/engine/config.js';
import { RESIDENT } from '../../src/engine/engine.js';
import { PageBatch } from '../../src/pages/expand.js';
import { nextUseOf } from '../../src/run/page-trace.js';
import { PageIds } from '../../src/pages/page-ids.js';
import { FRAME_BALLOONED, hostRecorder, TwoLevel, type HostLookAhead } from '../../src/engine/two-level.js';
import { policies, type PolicyName } from '../../src/policies/index.js';
import { OP_ALLOC, OP_FREE, OP_READ, OP_RESET, OP_WRITE } from '../../src/trace/rows.js';
import type { MemoryConfig } from '../../src/memory/config.js';
import { config } from '../helpers.js';

export interface Row {
  vm?: number;
  op: 'R' | 'W' | 'A' | 'F' | 'RESET';
  page: number;
  /** content token id (> 0) of a W or A row, for --dedup; absent or 0: none */
  content?: number;
}

const OPS = { R: OP_READ, W: OP_WRITE, A: OP_ALLOC, F: OP_FREE, RESET: OP_RESET } as const;

/** `W a, W b, R c` -> rows of VM 0 (pages are letters a=0, b=1, ... or numbers); `W a=3`: content token 3 */
export function rows(text: string, vm = 0): Row[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((t) => {
      const [op, target] = t.split(/\s+/) as [Row['op'], string];
      const [page, content] = target.split('=') as [string, string | undefined];
      const n = /^\d+$/.test(page) ? Number(page) : page.charCodeAt(0) - 97;
      return content === undefined ? { vm, op, page: n } : { vm, op, page: n, content: Number(content) };
    });
}

export function guest(over: Partial<GuestSettings> = {}): GuestSettings {
  return { frames: 2, policy: 'lru', swapSlots: Infinity, balloon: true, balloonMax: 65, compressRatio: 2, compressMax: 10, ...over };
}

export interface TwoSettings {
  frames: number;
  policy?: PolicyName;
  swapSlots?: number;
  scheduler?: EngineConfig['scheduler'];
  /** per VM index (named vm0, vm1, ...); VMs beyond the list get the last */
  guests: GuestSettings[];
  reclaim?: ReclaimStep[];
  freePageReporting?: boolean;
  onOom?: 'kill' | 'error';
  /** content sharing at the host (--dedup); absent: off */
  dedup?: 'ideal' | 'ksm';
  ksmPages?: number;
  ksmInterval?: number;
}

export function twoConfig(s: TwoSettings): EngineConfig {
  const perVm = new Map(s.guests.map((g, i) => [`vm${i}`, g]));
  const twoLevel: TwoLevelConfig = {
    defaults: s.guests[s.guests.length - 1]!,
    perVm,
    reclaim: s.reclaim ?? ['swap'],
    freePageReporting: s.freePageReporting ?? false,
    decompressNs: DEFAULT_DECOMPRESS_NS,
  };
  const memory: MemoryConfig | undefined =
    s.dedup === undefined ? undefined : { dedup: s.dedup, ksmPages: s.ksmPages ?? 100, ksmInterval: s.ksmInterval ?? 20000, hugeOrder: 0, hostPageSize: 4096, compaction: false };
  return config({ frames: s.frames, policy: s.policy ?? 'lru', swapSlots: s.swapSlots ?? Infinity, scheduler: s.scheduler ?? 'global', onOom: s.onOom ?? 'kill', twoLevel, ...(memory ? { memory } : {}) });
}

/** Runs the rows; `each` sees the machine after every row. */
export function runTwo(list: readonly Row[], s: TwoSettings, each?: (run: TwoLevel, i: number) => void): TwoLevel {
  const ids = new PageIds();
  const vms = Math.max(0, ...list.map((r) => r.vm ?? 0)) + 1;
  // page ids first (the guest policy opt needs the future of the whole trace)
  const pageOf = list.map((r) => (r.op === 'RESET' ? (r.vm ?? 0) : ids.id(r.vm ?? 0, 0, r.page)));
  const needsFuture = s.guests.some((g) => policies[g.policy].needsFuture);
  const ops = Uint8Array.from(list.map((r) => OPS[r.op]));
  const nextUse = needsFuture ? nextUseOf({ op: ops, page: Int32Array.from(pageOf), length: list.length }, ids.count) : undefined;
  const feed = (run: TwoLevel, each?: (run: TwoLevel, i: number) => void): void => {
    run.vmNames = Array.from({ length: vms }, (_, v) => `vm${v}`);
    run.ensureVm(vms - 1);
    const batch = new PageBatch(1);
    list.forEach((r, i) => {
      batch.op[0] = ops[i]!;
      batch.page[0] = pageOf[i]!;
      batch.content[0] = r.content ?? 0;
      batch.length = 1;
      run.replay(batch);
      each?.(run, i);
    });
  };
  // host opt: a first run records the host's touches (--reclaim swap only)
  let hostFuture: HostLookAhead | undefined;
  if (policies[s.policy ?? 'lru'].needsFuture) {
    const first = hostRecorder(twoConfig(s), ids, nextUse);
    feed(first.run);
    hostFuture = first.finish();
  }
  const run = new TwoLevel(twoConfig(s), ids, nextUse, hostFuture);
  // the frame table, for the check that no host frame backs two guest frames (counts are the same either way)
  run.host.trackFrames = true;
  feed(run, each);
  return run;
}

/** SPEC 2.7's invariants (issue #15): checked after every step. */
export function checkInvariants(run: TwoLevel): void {
  const host = run.host;
  let backed = 0;
  for (let v = 0; v < run.guests.length; v++) {
    const g = run.guests[v]!;
    // guest resident <= G - balloon
    expect(g.counters.resident).toBeLessThanOrEqual(g.frames - g.balloon);
    expect(g.balloon).toBeLessThanOrEqual(g.balloonLimit);
    for (let f = 0; f < g.nextUnused; f++) {
      const h = g.hostOf[f]!;
      const isBacked = h >= 0 && (host.state[h]! & RESIDENT) !== 0;
      if (isBacked) backed++;
      // a ballooned guest frame is never backed
      if (g.pageOf[f] === FRAME_BALLOONED) expect(isBacked).toBe(false);
    }
    expect(host.vms[v]!.resident).toBe(count(g, run));
  }
  // backed guest frames <= F (and the compression caches' frames fit beside them); no host frame
  // backs two guest frames unless shared (--dedup: the memory model's sharers, of one content,
  // which its check() verifies): host pages are (vm, guest frame), each resident in one frame
  const sharers = new Map<number, number[]>();
  for (let h = 0; h < run.hostIds.count; h++) {
    if ((host.state[h]! & RESIDENT) === 0) continue;
    const frame = host.frameOf[h]!;
    const list = sharers.get(frame) ?? [];
    list.push(h);
    sharers.set(frame, list);
  }
  let saved = 0;
  for (const [frame, list] of sharers) {
    if (list.length > 1) expect(run.model, `host frame ${frame} backs ${list.length} guest frames without sharing`).not.toBeNull();
    expect(list).toContain(host.frameOwner[frame]);
    saved += list.length - 1;
  }
  // a shared host frame is counted once in the host's frames in use
  expect(backed - saved + host.heldFrames).toBeLessThanOrEqual(run.config.frames);
  expect(backed - saved).toBe(host.framesInUse - host.heldFrames);
  if (run.model !== null) {
    run.model.check();
    const snap = run.model.snapshot(run.guests.length);
    expect(snap.pagesSharing).toBe(saved);
  }
}

function count(g: TwoLevel['guests'][number], run: TwoLevel): number {
  let n = 0;
  for (let f = 0; f < g.nextUnused; f++) {
    const h = g.hostOf[f]!;
    if (h >= 0 && (run.host.state[h]! & RESIDENT) !== 0) n++;
  }
  return n;
}
