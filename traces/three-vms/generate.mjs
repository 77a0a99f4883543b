#!/usr/bin/env node
// Writes the three traces of this scenario (seeded: the same bytes every time).
//   node traces/three-vms/generate.mjs
// web:   a small hot working set - 120 pages for 10000 accesses, then almost idle: 8 pages
// cache: Zipf (alpha 0.9) over 1000 pages, 25% writes
// batch: a sequential scan looping over 600 pages, every 8th access a write
// 20000 accesses each, 4 KiB pages, csv (op,addr), gzip-compressed.
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
// the generator vmmem itself uses (built by npm install)
import { mulberry32 } from '../../dist/engine/rng.js';

const ACCESSES = 20000;
const PAGE = 4096;

function write(name, base, next) {
  const random = mulberry32(name.length * 7919 + base);
  const lines = ['op,addr'];
  for (let i = 0; i < ACCESSES; i++) {
    const [page, isWrite] = next(i, random);
    const addr = base * 2 ** 20 + page * PAGE + Math.floor(random() * 512) * 8;
    lines.push(`${isWrite ? 'W' : 'R'},0x${addr.toString(16)}`);
  }
  writeFileSync(new URL(`${name}.csv.gz`, import.meta.url), gzipSync(`${lines.join('\n')}\n`, { level: 9 }));
}

write('web', 0x100, (i, random) => {
  const set = i < ACCESSES / 2 ? 120 : 8;
  return [Math.floor(random() * set), random() < 0.3];
});

const N = 1000;
const ALPHA = 0.9;
const cdf = [];
let sum = 0;
for (let k = 1; k <= N; k++) cdf.push((sum += 1 / k ** ALPHA));
write('cache', 0x200, (_i, random) => {
  const u = random() * sum;
  let lo = 0;
  let hi = N - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] >= u) hi = mid;
    else lo = mid + 1;
  }
  // scatter the ranks over the pages so that hot pages are not neighbours
  return [(lo * 389) % N, random() < 0.25];
});

write('batch', 0x300, (i) => [i % 600, i % 8 === 7]);
