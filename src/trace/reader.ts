/**
 * One place that turns a trace source into batches of rows, whatever its format.
 */
import { TraceError } from '../errors.js';
import { ContentNames } from './content.js';
import { readCsv, VmNames } from './csv.js';
import { dinParser } from './din.js';
import { fastLackeyParser, lackeyParser } from './lackey.js';
import { fastPlainParser, plainParser } from './plain.js';
import { DEFAULT_BATCH, noSkips, type RowBatch } from './rows.js';
import { readThreadAvailable, readThreadFile, THREAD_BYTES, threadedBatches, type ReadThreadMode } from './read-thread.js';
import type { TraceSource } from './source.js';
import { parseLines } from './text.js';
import { readVmt, replayVmt } from './vmt.js';
import { selectVm } from './select.js';
import type { TraceReader } from './trace-reader.js';

export interface ReadOptions {
  /** replay instruction fetches (lackey `I`, din label 2) as reads */
  ifetch: boolean;
  /** bare hexadecimal addresses in csv and plain traces */
  hex: boolean;
  /** skip and count bad lines instead of stopping */
  skipBadLines: boolean;
  /** false: read every line through the general parsers (differential tests); default on */
  fastPath?: boolean;
  /** the run's content-token interner, shared by its readers (a private one when absent) */
  contents?: ContentNames;
  /**
   * Parse text traces on a worker thread (read-thread.ts): 'auto' (default) for files of at
   * least THREAD_BYTES, 'always' for any file, 'never'. Standard input and vmt are read here.
   */
  readThread?: ReadThreadMode;
}

export const DEFAULT_READ_OPTIONS: ReadOptions = { ifetch: false, hex: false, skipBadLines: false };

export type { TraceReader } from './trace-reader.js';

export function createReader(source: TraceSource, opts: ReadOptions): TraceReader {
  const vms = new VmNames(source.vmName);
  const contents = opts.contents ?? new ContentNames();
  const skipped = noSkips();
  const reader: TraceReader = {
    source,
    vmNames: vms.names,
    skipped,
    hasTime: false,
    hasContent: false,
    hasVmColumn: false,
    rows: 0,
    async *batches() {
      const display = source.display;
      let inner: AsyncGenerator<RowBatch>;
      if (threaded(source, opts)) {
        let read = 0;
        inner = threadedBatches(
          { path: source.path, format: source.format, vmName: source.vmName, ifetch: opts.ifetch, hex: opts.hex, skipBadLines: opts.skipBadLines, fastPath: opts.fastPath, capacity: DEFAULT_BATCH },
          {
            vm: (name) => vms.get(name),
            contents,
            skipped,
            flags: (news) => {
              reader.hasTime = news.hasTime;
              reader.hasContent = news.hasContent;
              reader.hasVmColumn = news.hasVmColumn;
            },
            bytes: (total) => {
              source.noteRead?.(total - read);
              read = total;
            },
          },
        );
      } else switch (source.format) {
        case 'csv':
          inner = readCsv(source.chunks(), {
            display,
            bareHex: opts.hex,
            skipBadLines: opts.skipBadLines,
            skipped,
            vms,
            contents,
            fastPath: opts.fastPath,
            onHeader: (cols) => {
              reader.hasTime = cols.time >= 0;
              reader.hasContent = cols.content >= 0;
              reader.hasVmColumn = cols.vm >= 0;
            },
          });
          break;
        case 'vmt':
          inner = readVmt(source.chunks(), display, vms, onVmtHeader, contents);
          break;
        default: {
          vms.get(undefined);
          const parser =
            source.format === 'lackey'
              ? lackeyParser(display, opts.ifetch)
              : source.format === 'din'
                ? dinParser(display, opts.ifetch)
                : plainParser(display, opts.hex);
          const fast =
            opts.fastPath === false
              ? null
              : source.format === 'lackey'
                ? fastLackeyParser(opts.ifetch)
                : source.format === 'plain'
                  ? fastPlainParser(opts.hex)
                  : null;
          inner = parseLines(source.chunks(), parser, { display, skipBadLines: opts.skipBadLines, skipped, fast });
        }
      }
      for await (const batch of inner) {
        reader.rows += batch.length;
        yield batch;
      }
      finish();
    },
  };
  const onVmtHeader = (hasTime: boolean, hasContent: boolean): void => {
    reader.hasTime = hasTime;
    reader.hasContent = hasContent;
    // a vmt header always names its VMs; one of them is what a file without a vm column is
    reader.hasVmColumn = vms.names.length > 1;
  };
  if (source.format === 'vmt') {
    reader.replay = async (target) => {
      reader.rows = await replayVmt(source.chunks(), source.display, vms, onVmtHeader, contents, target);
      finish();
    };
  }
  /** what the whole trace must have been */
  function finish(): void {
    const display = source.display;
    if (reader.rows === 0 && skipped.ifetch + skipped.other + skipped.bad === 0 && source.format !== 'csv') {
      throw new TraceError(display, 0, 'empty trace: no accesses');
    }
    if (reader.rows === 0 && skipped.other > 0 && skipped.ifetch + skipped.bad === 0) {
      // Lines lackey and din skip, and nothing else: most likely not such a trace at all.
      const lines = skipped.other === 1 ? 'its one line is' : `none of its ${skipped.other} lines is`;
      throw new TraceError(display, 0, `no accesses: ${lines} a ${source.format} access (a wrong file, or name its format with --trace-format)`);
    }
  }
  return source.onlyVm === undefined ? reader : selectVm(reader, source.onlyVm);
}

/** Whether this source's batches come from a reader thread (see ReadOptions.readThread). */
function threaded(source: TraceSource, opts: ReadOptions): boolean {
  const mode = opts.readThread ?? 'auto';
  // Only a regular file that openSource opened, which the worker can open again from its start:
  // such a source alone counts what another thread reads of it (noteRead); standard input and
  // pipes (/dev/fd/N) have no noteRead and are read here.
  if (mode === 'never' || source.format === 'vmt' || source.noteRead === undefined || source.bytes === undefined) return false;
  if (mode === 'auto' && source.bytes < THREAD_BYTES) return false;
  if (readThreadAvailable()) return true;
  if (mode === 'always') throw new Error(`--read-thread always: the compiled reader thread ${readThreadFile()} is missing (npm run build)`);
  return false;
}
