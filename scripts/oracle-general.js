#!/usr/bin/env node
/**
 * Writes one page-access sequence in two forms, so that vmmem and libCacheSim's cachesim replay
 * exactly the same requests (used by scripts/vs-libcachesim.sh; not part of npm test):
 *   OUT.csv            vmmem csv, one row per page access (op,addr with addr = page * 4096)
 *   OUT.oracleGeneral  libCacheSim's oracleGeneral binary: 24-byte little-endian records
 *                      (u32 time, u64 object id, u32 size = 1, i64 position of the next request
 *                      for the same id, or -1)
 * Our own writer, because libCacheSim's traceConv drops the last request.
 *
 *   node scripts/oracle-general.js csv IN.csv OUT        pages of a vmmem csv trace (op,addr,size,...):
 *                                                        an access touches every 4 KiB page it covers;
 *                                                        rows other than R/W are skipped
 *   node scripts/oracle-general.js random N PAGES SEED OUT   N uniform accesses over PAGES pages
 *   node scripts/oracle-general.js zipf N PAGES SEED OUT     N Zipf(1) accesses over PAGES pages
 */
import { createReadStream, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const [mode, ...args] = process.argv.slice(2);

/** xorshift32: a small seeded generator, enough for test traces */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

async function fromCsv(path) {
  const pages = [];
  const writes = [];
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let header = null;
  for await (const line of rl) {
    if (line === '') continue;
    const f = line.split(',');
    if (header === null) {
      header = f;
      continue;
    }
    const op = f[header.indexOf('op')];
    if (op !== 'R' && op !== 'W') continue;
    const addr = BigInt(f[header.indexOf('addr')]);
    const si = header.indexOf('size');
    const size = si >= 0 && f[si] !== '' ? BigInt(f[si]) : 1n;
    const first = addr >> 12n;
    const last = (addr + (size > 0n ? size : 1n) - 1n) >> 12n;
    for (let p = first; p <= last; p++) {
      pages.push(p);
      writes.push(op === 'W');
    }
  }
  return { pages, writes };
}

function synthetic(kind, n, npages, seed) {
  const r = rng(seed);
  const pages = [];
  const writes = [];
  let cdf = null;
  if (kind === 'zipf') {
    cdf = new Float64Array(npages);
    let sum = 0;
    for (let i = 0; i < npages; i++) cdf[i] = sum += 1 / (i + 1);
    for (let i = 0; i < npages; i++) cdf[i] /= sum;
  }
  for (let i = 0; i < n; i++) {
    let p;
    if (cdf === null) p = Math.floor(r() * npages);
    else {
      const u = r();
      let lo = 0;
      let hi = npages - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid] < u) lo = mid + 1;
        else hi = mid;
      }
      p = lo;
    }
    pages.push(BigInt(p));
    writes.push(r() < 0.3);
  }
  return { pages, writes };
}

function write({ pages, writes }, out) {
  const n = pages.length;
  const buf = Buffer.alloc(24 * n);
  const nextSeen = new Map();
  for (let i = n - 1; i >= 0; i--) {
    const id = pages[i];
    const next = nextSeen.get(id);
    const o = 24 * i;
    buf.writeUInt32LE((i + 1) >>> 0, o);
    buf.writeBigUInt64LE(id, o + 4);
    buf.writeUInt32LE(1, o + 12);
    buf.writeBigInt64LE(next === undefined ? -1n : BigInt(next), o + 16);
    nextSeen.set(id, i);
  }
  writeFileSync(`${out}.oracleGeneral`, buf);
  const lines = ['op,addr'];
  for (let i = 0; i < n; i++) lines.push(`${writes[i] ? 'W' : 'R'},0x${(pages[i] << 12n).toString(16)}`);
  writeFileSync(`${out}.csv`, lines.join('\n') + '\n');
  process.stdout.write(`${out}: ${n} requests, ${nextSeen.size} distinct pages\n`);
}

if (mode === 'csv') write(await fromCsv(args[0]), args[1]);
else if (mode === 'random' || mode === 'zipf') write(synthetic(mode, Number(args[0]), Number(args[1]), Number(args[2])), args[3]);
else {
  process.stderr.write('usage: oracle-general.js csv IN.csv OUT | random|zipf N PAGES SEED OUT\n');
  process.exit(64);
}
