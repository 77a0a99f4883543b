/**
 * Paged vmt (page table in the file): the same results as the csv it was converted from, for
 * whole traces, for one VM picked out of a multi-VM file (rows compacted with their page
 * indices), at another page size (addresses rebuilt), and with content tokens.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'vmmem-paged-'));

function run(args: string[]): string {
  const r = cli(args);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('paged vmt', () => {
  const both = join(dir, 'both.vmt');
  run(['convert', 'traces/web.csv', 'traces/db.csv', both, '-q']);

  it('replays as the csv does, whole and at other page sizes', () => {
    for (const extra of [[], ['--page-size', '1'], ['--page-size', '16KiB'], ['--policy', 'opt']]) {
      const fromCsv = run(['simulate', 'traces/web.csv', 'traces/db.csv', '--frames', '60', '--format', 'csv', ...extra]);
      expect(run(['simulate', both, '--frames', '60', '--format', 'csv', ...extra])).toBe(fromCsv);
    }
  });

  it('one VM picked out of it (--vm name=db,trace=FILE) equals that VM on its own', () => {
    const alone = run(['simulate', '--vm', 'name=db,trace=traces/db.csv', '--frames', '50', '--format', 'csv']);
    expect(run(['simulate', '--vm', `name=db,trace=${both}`, '--frames', '50', '--format', 'csv'])).toBe(alone);
  });

  it('keeps content tokens through convert (csv -> vmt -> csv)', () => {
    const vmt = join(dir, 'clones.vmt');
    const back = join(dir, 'clones.csv');
    run(['convert', 'traces/clones.csv', vmt, '-q']);
    run(['convert', vmt, back, '-q']);
    expect(run(['convert', back, '-', '--to', 'csv', '-q'])).toBe(run(['convert', 'traces/clones.csv', '-', '--to', 'csv', '-q']));
    const args = ['--dedup', 'ideal', '--memory', '1MiB', '--format', 'csv'];
    expect(run(['simulate', vmt, ...args])).toBe(run(['simulate', 'traces/clones.csv', ...args]));
  });

  it('refuses to drop content tokens into plain without --lossy', () => {
    const r = cli(['convert', 'traces/clones.csv', join(dir, 'c.plain')]);
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/no content tokens, and the input has some/);
  });
});
