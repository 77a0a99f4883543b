/**
 * A progress bar on standard error for long runs (cli-progress): rows done, rate, and a bar with
 * an ETA when the input's size is known (bytes read of the bytes on disk; a gzip file by its
 * compressed bytes). Only when standard error is a terminal, `--quiet` is not given, `CI` is not
 * set and TERM is not `dumb`: never in pipes, files or CI logs. Nothing is drawn for runs that
 * end within half a second, and the bar is erased when it stops, so the notes and the result
 * that follow are not mixed with it.
 */
import cliProgress from 'cli-progress';
import type { TraceSource } from '../trace/source.js';
import { onInterrupt } from './interrupt.js';
import type { Io } from './io.js';

export interface Progress {
  /** `done` rows so far (cumulative); called once per batch, cheap */
  update(done: number): void;
  /** names the current pass (opt reads its traces twice: look-ahead, then replay) */
  pass(label: string): void;
  /** erases the bar; safe to call more than once */
  stop(): void;
}

export interface ProgressPlan {
  label: string;
  /** bytes read so far, and the bytes there are in all (a bar and an ETA need both) */
  bytesRead?: () => number;
  totalBytes?: number;
  /** or rows in all, when known up front (generate) */
  totalRows?: number;
}

export const NO_PROGRESS: Progress = { update() {}, pass() {}, stop() {} };

/** Whether a progress bar may be drawn at all. */
export function progressAllowed(io: Io, quiet: boolean | undefined): boolean {
  const ci = io.env.CI;
  return io.stderrIsTty && quiet !== true && (ci === undefined || ci === '' || ci === 'false' || ci === '0') && io.env.TERM !== 'dumb';
}

/** Milliseconds before the bar first shows, and between redraws. */
const DELAY_MS = 500;
const REDRAW_MS = 100;

function count(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function startProgress(io: Io, quiet: boolean | undefined, plan: ProgressPlan, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!progressAllowed(io, quiet)) return NO_PROGRESS;
  const started = Date.now();
  let passStarted = started;
  let label = plan.label;
  let bar: cliProgress.SingleBar | undefined;
  let lastDraw = 0;
  let stopped = false;
  let release = (): void => {};
  const sized = plan.totalRows !== undefined || (plan.bytesRead !== undefined && plan.totalBytes !== undefined && plan.totalBytes > 0);
  const total = plan.totalRows ?? plan.totalBytes ?? 0;
  const value = (done: number): number => (plan.totalRows !== undefined ? done : (plan.bytesRead?.() ?? 0));
  const payload = (done: number): Record<string, string> => {
    // rows restart at 0 with each pass: the rate is the current pass's
    const seconds = Math.max((Date.now() - passStarted) / 1000, 1e-3);
    return { label, rows: count(done), rate: count(done / seconds) };
  };
  // Our own line: cli-progress's ETA shows INF/NULL until its buffer fills.
  const format = (_options: unknown, params: cliProgress.Params, p: Record<string, string>): string => {
    let line = `${p.label} `;
    if (sized) {
      const fraction = Math.min(1, Math.max(0, params.progress));
      const filled = Math.round(fraction * 30);
      line += `[${'='.repeat(filled)}${'-'.repeat(30 - filled)}] ${Math.floor(fraction * 100)}% | `;
    }
    line += `${p.rows} accesses | ${p.rate}/s`;
    const seconds = (Date.now() - started) / 1000;
    if (sized && params.progress >= 0.01 && params.progress < 1) line += ` | ETA ${duration((seconds * (1 - params.progress)) / params.progress)}`;
    else if (!sized) line += ` | ${duration(seconds)}`;
    return line;
  };
  return {
    update(done) {
      if (stopped) return;
      const now = Date.now();
      if (now - started < DELAY_MS || now - lastDraw < REDRAW_MS) return;
      lastDraw = now;
      if (!bar) {
        bar = new cliProgress.SingleBar({
          stream,
          format,
          hideCursor: true,
          clearOnComplete: true,
          linewrap: false,
          fps: 10,
          // cli-progress's own handler would stop the bar but swallow Ctrl-C: ours erases it and re-raises
          gracefulExit: false,
        });
        release = onInterrupt(() => bar?.stop());
        bar.start(sized ? total : 0, Math.min(value(done), total), payload(done));
        return;
      }
      bar.update(sized ? Math.min(value(done), total) : 0, payload(done));
    },
    pass(name) {
      label = `${plan.label} (${name})`;
      passStarted = Date.now();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar?.stop();
      release();
    },
  };
}

/** The plan for reading `sources` `passes` times: a bar when every source's size is known. */
export function sourcesPlan(label: string, sources: readonly TraceSource[], passes = 1): ProgressPlan {
  const sizes = sources.map((s) => s.bytes);
  const known = sizes.every((b) => b !== undefined) && sources.every((s) => s.bytesRead !== undefined);
  if (!known) return { label };
  return {
    label,
    totalBytes: sizes.reduce((a, b) => a! + b!, 0)! * passes,
    bytesRead: () => sources.reduce((sum, s) => sum + s.bytesRead!(), 0),
  };
}
