/**
 * `-o, --output FILE` (SPEC 3.2a): a command's result goes to FILE instead of standard output,
 * whole or not at all. What the command writes to standard output is held, then written under
 * a temporary name beside FILE and renamed into place once the command has succeeded; a failed
 * run leaves FILE as it was. Notes and progress stay on standard error.
 *
 * Commands do not know about it: main.ts routes standard output through an OutputRouter, so a
 * command that calls addOutputOptions gets -o with nothing else to do.
 */
import { accessSync, constants, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { OutputError } from '../errors.js';
import type { Io } from './io.js';

export class OutputRouter {
  /** the Io the commands write to */
  readonly io: Io;
  private file: string | undefined;
  private held: string[] = [];

  constructor(private readonly real: Io) {
    const router = this;
    this.io = {
      stdout: (text) => (router.file === undefined ? real.stdout(text) : void router.held.push(text)),
      stderr: (text) => real.stderr(text),
      get stdoutIsTty() {
        return router.file === undefined && real.stdoutIsTty;
      },
      get stderrIsTty() {
        return real.stderrIsTty;
      },
      env: real.env,
      stdoutColumns: real.stdoutColumns,
    };
  }

  /**
   * From now on standard output goes to `file` (`-`: standard output itself). Checks at once
   * that it can be created, so that a long run does not end in an error.
   */
  toFile(file: string): void {
    if (file === '-') return;
    const dir = dirname(resolve(file));
    let isDir = false;
    try {
      isDir = statSync(file).isDirectory();
    } catch {
      // absent: created at the end
    }
    if (isDir) throw new OutputError(`--output: ${file} is a directory`);
    try {
      accessSync(dir, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new OutputError(`--output: cannot write ${file} (${code === 'ENOENT' ? 'its directory does not exist' : code === 'EACCES' ? 'permission denied' : code})`);
    }
    this.file = file;
  }

  /** Writes what was held to the file (after a successful run). */
  commit(): void {
    const file = this.file;
    if (file === undefined) return;
    this.file = undefined;
    try {
      writeWhole(file, this.held.join(''), '--output');
    } finally {
      this.held = [];
    }
  }

  /** Drops what was held (a failed run): the file is not touched. */
  discard(): void {
    this.file = undefined;
    this.held = [];
  }
}

/**
 * Writes `text` to `file` whole or not at all: under a temporary name beside it, renamed into
 * place; on failure the temporary file is removed and `option` names the error (exit 73).
 */
export function writeWhole(file: string, text: string, option: string): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, text);
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new OutputError(`${option}: cannot write ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** The --format a file name asks for (`.csv`, `.json`), or undefined. */
export function formatFromOutputName(file: string): 'csv' | 'json' | undefined {
  const ext = extname(file).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.json' ? 'json' : undefined;
}
