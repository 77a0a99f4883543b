import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { progressAllowed, startProgress } from '../../src/cli/progress.js';
import { BIN, CLI_TIMEOUT_MS, cli, tempFile } from '../helpers.js';

function io(over: Partial<Io> = {}): Io {
  return { stdout: () => {}, stderr: () => {}, stdoutIsTty: false, stderrIsTty: true, env: {}, ...over };
}

/** A terminal-like stream that keeps what is written to it. */
function fakeTty(): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream & { text: () => string };
  Object.assign(stream, {
    isTTY: true,
    columns: 120,
    cursorTo: (_x: number, _y?: unknown, cb?: () => void) => (cb?.(), true),
    clearLine: (_d: number, cb?: () => void) => (cb?.(), true),
    moveCursor: (_x: number, _y: number, cb?: () => void) => (cb?.(), true),
    text: () => chunks.join(''),
  });
  return stream;
}

describe('progress', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is allowed only on a terminal, without --quiet, outside CI, with a capable TERM', () => {
    expect(progressAllowed(io(), undefined)).toBe(true);
    expect(progressAllowed(io({ stderrIsTty: false }), undefined)).toBe(false);
    expect(progressAllowed(io(), true)).toBe(false);
    expect(progressAllowed(io({ env: { CI: 'true' } }), undefined)).toBe(false);
    expect(progressAllowed(io({ env: { CI: '1' } }), undefined)).toBe(false);
    expect(progressAllowed(io({ env: { CI: 'false' } }), undefined)).toBe(true);
    expect(progressAllowed(io({ env: { TERM: 'dumb' } }), undefined)).toBe(false);
  });

  it('draws rows, rate, a bar and an ETA on a terminal once the run passes half a second', () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const tty = fakeTty();
    let bytes = 0;
    const p = startProgress(io(), undefined, { label: 'simulate', totalBytes: 1000, bytesRead: () => bytes }, tty);
    bytes = 100;
    p.update(5000);
    expect(tty.text()).toBe(''); // too early
    vi.setSystemTime(1000);
    bytes = 250;
    p.update(20000);
    expect(tty.text()).toMatch(/simulate \[=+-+\] 25% \| 20\.0k accesses \| 20\.0k\/s \| ETA 3s/);
    p.stop();
  });

  it('shows rows and elapsed time, without a bar, when the size is unknown (standard input)', () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const tty = fakeTty();
    const p = startProgress(io(), undefined, { label: 'inspect' }, tty);
    vi.setSystemTime(2000);
    p.update(3_000_000);
    expect(tty.text()).toMatch(/inspect 3\.00M accesses \| 1\.50M\/s \| 2s/);
    expect(tty.text()).not.toMatch(/\[[=-]/);
    p.stop();
  });

  it('writes nothing when standard error is not a terminal', () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const tty = fakeTty();
    const p = startProgress(io({ stderrIsTty: false }), undefined, { label: 'x', totalRows: 10 }, tty);
    vi.setSystemTime(5000);
    p.update(5);
    p.stop();
    expect(tty.text()).toBe('');
  });

  it('is never printed by the commands when standard error is a pipe', () => {
    const dir = dirname(tempFile('x', ''));
    const trace = join(dir, 'long.vmt');
    // long enough to pass the half-second delay
    const gen = cli(['generate', '--pattern', 'zipf', '--pages', '50000', '--accesses', '1500000', '-o', trace], { env: { CI: '' } });
    expect(gen.status).toBe(0);
    expect(gen.stderr).toBe('');
    for (const args of [
      ['simulate', trace, '--frames', '1000', '--policy', 'opt', '--format', 'csv'],
      ['inspect', trace, '--format', 'csv'],
      ['convert', trace, join(dir, 'long.csv'), '--format', 'csv'],
    ]) {
      const r = cli(args, { env: { CI: '' } });
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
    }
  });

  it.runIf(existsSync('/usr/bin/script'))('is drawn on standard error when it is a terminal (under script(1))', () => {
    const trace = join(dirname(tempFile('x', '')), 'tty.vmt');
    // two passes (opt) over 10 million accesses (a fast, quiet machine replays 3 million in under the half second): well over the half second before the bar shows
    expect(cli(['generate', '--pattern', 'zipf', '--pages', '50000', '--accesses', '10000000', '-o', trace]).status).toBe(0);
    const command = `${process.execPath} ${BIN} simulate ${trace} --frames 1000 --policy opt --format csv`;
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, CI: '', TERM: 'xterm' }, timeout: CLI_TIMEOUT_MS, killSignal: 'SIGKILL' });
    expect(r.status).toBe(0);
    // the bar shows after half a second: in the look-ahead pass or the replay, as fast as the machine is
    expect(r.stdout).toMatch(/simulate \((look-ahead|replay)\) \[/);
    expect(r.stdout).toMatch(/accesses \| [\d.]+[kM]?\/s/);
    expect(r.stdout).toMatch(/TOTAL,opt,global,1000,10000000/);
  });
});
