// Writes a trace's page accesses as text, one decimal page number a line: the plain text
// trace libCacheSim's cachesim reads (`cachesim FILE txt lru 1000`), so that anyone can run
// the bench's comparison on the same input. Only R and W accesses (A, F and RESET have no
// counterpart there); a page is its number, the VM is dropped (the bench's traces have one).
import { closeSync, openSync, writeSync } from 'node:fs';
import { loadPageTrace } from '../dist/run/page-trace.js';
import { OP_WRITE } from '../dist/trace/rows.js';
import { openSource } from '../dist/trace/source.js';

/** Page numbers of `trace`'s R/W accesses, as text, written to `out`; returns the lines written. */
export async function writePageText(trace, out, pageSize = 4096) {
  const t = await loadPageTrace([await openSource(trace)], { ifetch: false, hex: false, skipBadLines: false }, pageSize);
  // Each dense page id's number, in decimal, once (a 64-bit page number is hi * 2^32 + lo).
  const names = new Array(t.ids.count);
  for (let p = 0; p < t.ids.count; p++) {
    const hi = t.ids.hiOf[p];
    const lo = t.ids.loOf[p];
    names[p] = hi === 0 ? String(lo) : String((BigInt(hi) << 32n) | BigInt(lo));
  }
  const fd = openSync(out, 'w');
  let lines = 0;
  try {
    let chunk = '';
    for (let i = 0; i < t.length; i++) {
      if (t.op[i] > OP_WRITE) continue;
      chunk += names[t.page[i]] + '\n';
      lines++;
      if (chunk.length >= 1 << 20) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  return lines;
}

// node bench/page-text.js TRACE OUT.txt
if (import.meta.url === `file://${process.argv[1]}`) {
  const [trace, out] = process.argv.slice(2);
  if (!trace || !out) {
    console.error('usage: node bench/page-text.js TRACE OUT.txt');
    process.exit(64);
  }
  console.log(`${await writePageText(trace, out)} lines written to ${out}`);
}
