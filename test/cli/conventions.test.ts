/**
 * Issue 13, through the spawned CLI: VMs that two files would both be, messages that say what
 * is wrong, options that have no effect, colour rules, -o, @FILE lists, tables that fit the
 * terminal, JSON inputs, merge of CSV shards, completion and the man page.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempFile } from '../helpers.js';

function dir(): string {
  return tempFile('x', '').replace(/\/x$/, '');
}

describe('two files that would be one VM (SPEC 1.2)', () => {
  it('two csv files without a vm column and the same base name are refused, exit 64', () => {
    const d = dir();
    mkdirSync(join(d, 'd2'));
    writeFileSync(join(d, 'a.csv'), 'addr\n0x1000\n0x2000\n');
    writeFileSync(join(d, 'd2/a.csv'), 'addr\n0x3000\n');
    const r = cli(['simulate', 'a.csv', 'd2/a.csv'], { cwd: d });
    expect(r.status).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("vmmem: a.csv and d2/a.csv would both be VM 'a': rename one of the files\n");
  });

  it('the same csv file twice is refused', () => {
    const d = dir();
    writeFileSync(join(d, 'web.csv'), 'addr\n0x1000\n');
    const r = cli(['simulate', 'web.csv', 'web.csv'], { cwd: d });
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/would both be VM 'web'/);
  });

  it('a one-VM vmt file and a csv file of the same VM name are refused', () => {
    const d = dir();
    writeFileSync(join(d, 'web.csv'), 'addr\n0x1000\n0x2000\n');
    expect(cli(['convert', 'web.csv', 'other.vmt'], { cwd: d }).status).toBe(0);
    const r = cli(['simulate', 'other.vmt', 'web.csv'], { cwd: d });
    expect(r.status).toBe(64);
    expect(r.stderr).toBe("vmmem: other.vmt and web.csv would both be VM 'web': rename one of the files\n");
  });

  it('a file named like a VM that another file names in its vm column is refused', () => {
    const d = dir();
    writeFileSync(join(d, 'web.csv'), 'addr\n0x1000\n');
    writeFileSync(join(d, 'all.csv'), 'vm,addr\ndb,0x1000\nweb,0x2000\n');
    const r = cli(['simulate', 'all.csv', 'web.csv'], { cwd: d });
    expect(r.status).toBe(64);
    expect(r.stderr).toBe(
      "vmmem: all.csv and web.csv would both be VM 'web' (web.csv is named after its file, all.csv names it in its vm column): rename the file or the VM\n",
    );
  });

  it('files whose rows name their VMs in a vm column may contribute to one VM', () => {
    const d = dir();
    writeFileSync(join(d, 'a.csv'), 'vm,addr\nweb,0x1000\nweb,0x2000\n');
    writeFileSync(join(d, 'b.csv'), 'vm,addr\nweb,0x1000\nweb,0x3000\nweb,0x4000\n');
    const r = cli(['simulate', 'a.csv', 'b.csv', '--format', 'csv', '--frames', '8'], { cwd: d });
    expect(r.status).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => l.split(','));
    // one VM web of 2 + 3 accesses to 4 distinct pages (0x1000 twice), then TOTAL
    expect(rows.map((x) => x[0])).toEqual(['vm', 'web', 'TOTAL']);
    expect(rows[1]![4]).toBe('5');
    expect(rows[1]![8]).toBe('4');
  });
});
