/** Runs the CLI in this process (no spawn): faster for tests that run it many times. */
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function vmmem(args: string[], tty = false): Promise<InProcessRun> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    stdoutIsTty: tty,
    stderrIsTty: false,
    env: {},
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
