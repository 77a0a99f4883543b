import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFromName, sniffFormat, vmNameFromPath } from '../../src/trace/source.js';
import { BIN, ROOT } from '../helpers.js';

const sniff = (text: string) => sniffFormat(Buffer.from(text));

describe('trace format detection (SPEC 1.1)', () => {
  it('by name, with or without .gz', () => {
    expect(formatFromName('a/web.csv')).toBe('csv');
    expect(formatFromName('ls.lackey.gz')).toBe('lackey');
    expect(formatFromName('x.din')).toBe('din');
    expect(formatFromName('x.plain')).toBe('plain');
    expect(formatFromName('x.TXT.gz')).toBe('plain');
    expect(formatFromName('x.vmt')).toBe('vmt');
    expect(formatFromName('x.dat')).toBeUndefined();
    expect(formatFromName('trace')).toBeUndefined();
  });

  it('by content', () => {
    expect(sniff('op,addr\nR,0x10\n')).toBe('csv');
    expect(sniff('\uFEFFaddress;op\n0x10;R\n')).toBe('csv');
    expect(sniff('==1== Lackey\nI  0400,2\n L 0400,4\n')).toBe('lackey');
    expect(sniff(' S 04222cac,4\n M 0421faf8,4\n')).toBe('lackey');
    expect(sniff('0 1000\n1 2000 4\n')).toBe('din');
    expect(sniff('R 0x1000\nW 4096\n')).toBe('plain');
    expect(sniff('VMT1\x01\x00\x00\x00')).toBe('vmt');
    expect(sniff('hello world\n')).toBeUndefined();
  });

  it('a plain trace with a bare RESET line is still plain', () => {
    // README: "RESET needs no address". Regression: such a trace was not recognised on stdin.
    expect(sniff('R 0x1000\nRESET\nW 0x2000\n')).toBe('plain');
    expect(sniff('A 0x1000 8192\nreset\n')).toBe('plain');
  });

  it('names a VM after the file base name without extensions', () => {
    expect(vmNameFromPath('traces/web.csv.gz')).toBe('web');
    expect(vmNameFromPath('/tmp/db')).toBe('db');
  });
});

describe('a pipe as a trace (`<(zcat t.csv.gz)`, a FIFO)', () => {
  const run = (script: string) => spawnSync('bash', ['-c', script], { encoding: 'utf8', cwd: ROOT });
  const vmmem = `"${process.execPath}" "${BIN}"`;
  it('replays as the file does, twice for opt (the pipe is kept in memory), gzip included', () => {
    const args = '--frames 40 --policy opt --format csv --columns faults,evictions,swap_outs';
    const file = run(`${vmmem} simulate traces/web.csv ${args}`);
    expect(file.status, file.stderr).toBe(0);
    const piped = run(`${vmmem} simulate <(cat traces/web.csv) ${args}`);
    expect(piped.status, piped.stderr).toBe(0);
    // the file names its VM "web", the pipe "63" (/dev/fd/63): compare the counts, not the name
    const counts = (out: string) => out.trim().split('\n').slice(1).map((l) => l.split(',').slice(-3).join(','));
    expect(counts(piped.stdout)).toEqual(counts(file.stdout));
    const gz = run(`${vmmem} simulate <(gzip -c traces/web.csv) --trace-format csv ${args}`);
    expect(counts(gz.stdout)).toEqual(counts(file.stdout));
  });

  it('a FIFO made with mkfifo', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmmem-fifo-'));
    const fifo = join(dir, 'web.csv');
    const made = run(`mkfifo "${fifo}" && (cat traces/web.csv > "${fifo}" &) && ${vmmem} simulate "${fifo}" --frames 40 --format csv --columns vm,faults`);
    const file = run(`${vmmem} simulate traces/web.csv --frames 40 --format csv --columns vm,faults`);
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toBe(file.stdout);
  });
});
