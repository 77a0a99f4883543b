import { describe, expect, it } from 'vitest';
import { formatFromName, sniffFormat, vmNameFromPath } from '../../src/trace/source.js';

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
