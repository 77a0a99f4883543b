#!/usr/bin/env node
// node scripts/clones.js [--vms 3] [--pages 128] [--accesses 1500] [--write-rate 0.05] [--seed 1] > traces/clones.csv
//
// A clone-style trace with content tokens, for studying page sharing (--dedup) without real
// captures: every VM boots from the same image (page k of the image holds token `img-k`; a
// quarter of the image is zero pages, never written), then runs on its own: uniform accesses over
// its pages, each a write with probability --write-rate that leaves content no other page has
// (`<vm>-<n>`). Seeded (mulberry32): the same arguments give the same file. Rows interleave the
// VMs round robin through one csv with a vm column. (`vmmem generate --clones N` will do this
// properly once the generate command exists.)
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const vms = opt('vms', 3);
const pages = opt('pages', 128);
const accesses = opt('accesses', 1500);
const writeRate = opt('write-rate', 0.05);
const random = mulberry32(opt('seed', 1));

// The image: which pages hold data (the rest stay zero pages).
const imagePage = Array.from({ length: pages }, () => random() >= 0.25);
const names = Array.from({ length: vms }, (_, i) => `clone${i + 1}`);
const streams = names.map((vm) => {
  const rows = [];
  for (let k = 0; k < pages; k++) if (imagePage[k]) rows.push(`${vm},W,0x${(k * 4096).toString(16)},img-${k}`);
  let n = 0;
  for (let i = 0; i < accesses; i++) {
    const k = Math.floor(random() * pages);
    const addr = `0x${(k * 4096 + Math.floor(random() * 4096)).toString(16)}`;
    rows.push(random() < writeRate ? `${vm},W,${addr},${vm}-${n++}` : `${vm},R,${addr},`);
  }
  return rows;
});
const out = ['vm,op,addr,content'];
for (let i = 0; streams.some((s) => i < s.length); i++) for (const s of streams) if (i < s.length) out.push(s[i]);
process.stdout.write(out.join('\n') + '\n');
