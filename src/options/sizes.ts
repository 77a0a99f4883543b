/**
 * Lists of memory sizes, the one syntax `compare --frames/--memory` and `mrc --frames/--memory`
 * share:
 *
 *   64,128,256         frames (under --frames) or bytes with an optional unit (under --memory)
 *   16MiB,32MiB        sizes (--memory only)
 *   10%,50%            fractions of the trace's footprint: floor(distinct pages * pct / 100), at least 1
 *   64..4096x2         a geometric range: 64, 128, ..., 4096 (A * F^k up to B; F > 1, may be 1.5)
 *   64..1024+64        an arithmetic range: 64, 128, ..., 1024 (A + k * S up to B)
 *   10%..100%+10%      ranges of fractions, and 1MiB..1GiBx2 ranges of sizes, likewise
 *
 * Items are separated by commas and may be mixed. Parsing checks everything that does not
 * depend on a trace; `resolveSizes` turns the list into frames once the footprint is known.
 */
import { UsageError } from '../errors.js';
import { parseBytes } from '../units.js';

/** One size as written: a frame count, a byte count, or a percentage of the footprint. */
export type SizeItem = { kind: 'frames'; frames: number } | { kind: 'percent'; percent: number };

export interface SizeList {
  /** the option's text, as typed */
  readonly text: string;
  /** the option it came from, for messages: --frames or --memory */
  readonly option: '--frames' | '--memory';
  /** expanded items, in the order written (ranges expanded in place) */
  readonly items: readonly SizeItem[];
}

/** More sizes than anyone means to ask for: a typo such as 1..1000000+1. */
export const MAX_SIZES = 100_000;
export const MAX_FRAMES = 2 ** 31 - 1;

type Quantity = { kind: 'count'; value: number } | { kind: 'percent'; value: number };

const PERCENT_RE = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/;

function parseQuantity(text: string, option: SizeList['option'], whole: string): Quantity {
  const pct = PERCENT_RE.exec(text);
  if (pct) {
    const value = Number(pct[1]);
    if (!(value > 0)) throw new UsageError(`${option}: '${text}' in '${whole}': a fraction of the footprint must be above 0%`);
    return { kind: 'percent', value };
  }
  if (option === '--frames') {
    if (!/^\s*\d+\s*$/.test(text)) {
      const hint = /[a-z]/i.test(text) ? ' (sizes with units go in --memory)' : '';
      throw new UsageError(`${option}: '${text}' in '${whole}' is not a whole number of frames or a percentage${hint}`);
    }
    return { kind: 'count', value: Number(text) };
  }
  return { kind: 'count', value: parseBytes(text, `${option} '${whole}'`) };
}

function item(q: Quantity, option: SizeList['option'], pageSize: number, whole: string): SizeItem {
  if (q.kind === 'percent') return { kind: 'percent', percent: q.value };
  const frames = option === '--memory' ? Math.floor(q.value / pageSize) : q.value;
  if (frames < 1) {
    const what = option === '--memory' ? `${q.value} bytes hold no page of ${pageSize} bytes` : 'at least 1 frame';
    throw new UsageError(`${option}: '${whole}': ${what}`);
  }
  if (frames > MAX_FRAMES) throw new UsageError(`${option}: '${whole}': at most ${MAX_FRAMES} frames`);
  return { kind: 'frames', frames };
}

/** Parses a size list; `pageSize` turns --memory sizes into frames (floor(size / page size)). */
export function parseSizeList(text: string, option: SizeList['option'], pageSize: number): SizeList {
  const items: SizeItem[] = [];
  const parts = text.split(',');
  for (const raw of parts) {
    const part = raw.trim();
    if (part === '') throw new UsageError(`${option}: empty item in '${text}'`);
    const range = /^(.+?)\.\.(.+?)(?:([x+])(.+))?$/.exec(part);
    if (!range) {
      items.push(item(parseQuantity(part, option, text), option, pageSize, text));
    } else {
      const [, fromText, toText, stepKind, stepText] = range as unknown as [string, string, string, string?, string?];
      if (stepKind === undefined || stepText === undefined) {
        throw new UsageError(`${option}: range '${part}' needs a step: A..BxF (geometric, e.g. 64..4096x2) or A..B+S (e.g. 64..1024+64)`);
      }
      const from = parseQuantity(fromText, option, text);
      const to = parseQuantity(toText, option, text);
      if (from.kind !== to.kind) throw new UsageError(`${option}: range '${part}' mixes a percentage and a size`);
      if (to.value < from.value) throw new UsageError(`${option}: range '${part}' runs backwards`);
      for (const value of expandRange(from, to, stepKind, stepText, option, part)) {
        items.push(item({ kind: from.kind, value } as Quantity, option, pageSize, text));
      }
    }
    if (items.length > MAX_SIZES) tooMany(option, text);
  }
  return { text, option, items };
}

function tooMany(option: string, text: string): never {
  throw new UsageError(`${option}: '${text}' gives more than ${MAX_SIZES} sizes`);
}

function expandRange(from: Quantity, to: Quantity, stepKind: string, stepText: string, option: SizeList['option'], part: string): number[] {
  const values: number[] = [];
  // Ranges end at B inclusive; the tolerance keeps 0.1-steps and 1.1-factors from missing B.
  const end = to.value * (1 + 1e-12);
  if (stepKind === 'x') {
    if (!/^\s*\d+(\.\d+)?\s*$/.test(stepText) || !(Number(stepText) > 1)) {
      throw new UsageError(`${option}: range '${part}': the factor after x must be a number above 1`);
    }
    const factor = Number(stepText);
    if (from.value <= 0) throw new UsageError(`${option}: geometric range '${part}' must start above 0`);
    if (Math.log(end / from.value) / Math.log(factor) >= MAX_SIZES) tooMany(option, part);
    for (let k = 0; ; k++) {
      const v = from.value * factor ** k;
      if (v > end) break;
      values.push(from.kind === 'count' && option === '--frames' ? Math.round(v) : v);
      if (values.length > MAX_SIZES) break;
    }
  } else {
    const step = parseQuantity(stepText, option, part);
    if (step.kind !== from.kind) throw new UsageError(`${option}: range '${part}': the step must be of the same kind as its ends`);
    if (!(step.value > 0)) throw new UsageError(`${option}: range '${part}': the step must be above 0`);
    if ((end - from.value) / step.value >= MAX_SIZES) tooMany(option, part);
    for (let k = 0; ; k++) {
      const v = from.value + k * step.value;
      if (v > end) break;
      values.push(v);
      if (values.length > MAX_SIZES) break;
    }
  }
  return values;
}

/**
 * Frames for each item of the list (same order, duplicates kept), for a trace with `footprint`
 * distinct pages.
 */
export function resolveSizes(list: SizeList, footprint: number): number[] {
  return list.items.map((it) => {
    if (it.kind === 'frames') return it.frames;
    return Math.min(MAX_FRAMES, Math.max(1, Math.floor((footprint * it.percent) / 100)));
  });
}

/** `points` sizes spread geometrically from 1 to `footprint` (both included), without repeats. */
export function geometricSizes(points: number, footprint: number): number[] {
  const top = Math.max(1, footprint);
  if (points <= 1) return [top];
  const sizes: number[] = [];
  for (let k = 0; k < points; k++) {
    const v = Math.round(top ** (k / (points - 1)));
    if (sizes.length === 0 || v > sizes[sizes.length - 1]!) sizes.push(v);
  }
  return sizes;
}
