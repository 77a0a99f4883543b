/**
 * Determinism: the same trace and options give byte-identical CSV and JSON - run twice, and
 * whatever form the trace comes in: csv, vmt (written by `vmmem convert`), gzip, standard input.
 * The files are all called `trace` (the format told by content), each in its own directory, so
 * that the one thing JSON says about the input - its file name, in `skipped` - is the same too;
 * standard input is `<stdin>` there, the only difference allowed.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'vmmem-determinism-'));
const place = (form: string, bytes: Buffer): string => {
  mkdirSync(join(dir, form));
  writeFileSync(join(dir, form, 'trace'), bytes);
  return join(dir, form);
};

// Two VMs in one csv with a vm column (names come from the rows, not from the file's name).
const both = join(dir, 'both.csv');
const converted = cli(['convert', join(ROOT, 'traces/web.csv'), join(ROOT, 'traces/db.csv'), both, '-q']);
const vmt = join(dir, 'both.vmt');
const toVmt = cli(['convert', both, vmt, '-q']);
const csvBytes = readFileSync(both);
const forms: [string, string][] = [
  ['csv', place('csv', csvBytes)],
  ['vmt', place('vmt', readFileSync(vmt))],
  ['gz', place('gz', gzipSync(csvBytes))],
];

const OPTIONS: [string, string[]][] = [
  ['opt with a small swap', ['--frames', '60', '--policy', 'opt', '--swap', '160KiB']],
  ['random, translation, a time series', ['--frames', '80', '--policy', 'random', '--seed', '7', '--translation', 'nested,shadow', '--tlb', '16', '--interval', '1000']],
  ['weight with the idle tax, declared VMs', ['--memory', '400KiB', '--scheduler', 'weight', '--idle-tax', '0.75', '--vm', 'name=web,weight=2,reserve=8', '--vm', 'name=db', '--policy', 'clock']],
  ['dedup and huge pages', ['--memory', '4MiB', '--dedup', 'ideal', '--host-page', '2MiB', '--compaction', '--policy', 'lfu']],
  ['two levels, ksm at the host and the share rung', ['--memory', '200KiB', '--guest-memory', '160KiB', '--dedup', 'ksm', '--ksm-interval', '100', '--reclaim', 'share,balloon,swap', '--interval', '1000']],
];

describe('determinism: byte-identical CSV and JSON', () => {
  it('the traces for it were written', () => {
    expect(converted.status, converted.stderr).toBe(0);
    expect(toVmt.status, toVmt.stderr).toBe(0);
    expect(csvBytes.toString().split('\n')[0]).toBe('op,addr,size,vm');
  });

  // JSON config.inputs names each input's detected format (csv, vmt, gzip): the one member allowed to differ
  const sameInputs = (out: string): string => out.replace(/"inputs": \[[^\]]*\]/, '"inputs": [...]');

  it.each(OPTIONS)('%s: twice, and from csv, vmt, gzip and standard input', (_, options) => {
    for (const format of ['csv', 'json']) {
      const args = ['simulate', 'trace', ...options, '--format', format, '-q'];
      const first = cli(args, { cwd: forms[0]![1] });
      expect(first.status, first.stderr).toBe(0);
      expect(first.stdout.length).toBeGreaterThan(100);
      expect(cli(args, { cwd: forms[0]![1] }).stdout, 'twice').toBe(first.stdout);
      for (const [form, cwd] of forms.slice(1)) expect(sameInputs(cli(args, { cwd }).stdout), form).toBe(sameInputs(first.stdout));
      const piped = cli(['simulate', '-', ...options, '--format', format, '-q'], { input: csvBytes });
      expect(piped.status, piped.stderr).toBe(0);
      expect(sameInputs(piped.stdout.replaceAll('"file": "<stdin>"', '"file": "trace"')), 'stdin').toBe(sameInputs(first.stdout));
    }
  });
});
