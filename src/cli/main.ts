/**
 * The entry point: declares the commands, runs one, and is the only place that turns errors
 * into messages and exit codes (sysexits.h) and decides the process's exit status.
 */
import { Command, CommanderError } from 'commander';
import { EXIT, PartialFailure, RegressionError, VmmemError } from '../errors.js';
import { processIo, type Io } from './io.js';
import { resultGoesToOutput } from '../options/options.js';
import { formatFromOutputName, OutputRouter } from './output-file.js';
import { version } from '../report/version.js';
import { expandAtFiles } from './at-files.js';
import { compareCommand } from './compare.js';
import { mergeCommand } from './merge.js';
import { mrcCommand } from './mrc.js';
import { planCommand } from './plan.js';
import { simulateCommand } from './simulate.js';
import { convertCommand } from './convert.js';
import { diffCommand } from './diff.js';
import { generateCommand } from './generate.js';
import { inspectCommand } from './inspect.js';
import { completionCommand } from './completion.js';

export function buildProgram(io: Io): Command {
  const program = new Command('vmmem')
    .description(
      'Trace-driven simulator of memory management for virtual machines: paging, swap,\n' +
        'replacement policies, memory scheduling between VMs, and address translation.',
    )
    .version(version(), '-V, --version')
    .showHelpAfterError('vmmem: run with --help for usage');
  program.addCommand(simulateCommand(io));
  program.addCommand(compareCommand(io));
  program.addCommand(mrcCommand(io));
  program.addCommand(planCommand(io));
  program.addCommand(mergeCommand(io));
  program.addCommand(diffCommand(io));
  program.addCommand(generateCommand(io));
  program.addCommand(convertCommand(io));
  program.addCommand(inspectCommand(io));
  program.addCommand(completionCommand(io, () => program));
  program.addHelpText('after', '\nRun vmmem COMMAND --help for the options of a command.');
  // Usage errors exit 64 (not commander's 1); help and version exit 0. Commander's error lines
  // start with `vmmem: ` like every other error (`error: ` dropped).
  const override = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s), outputError: (s, write) => write(prefixLines(s)) });
    if (resultGoesToOutput(cmd)) {
      cmd.addHelpText(
        'after',
        '\n-o FILE is written whole or not at all (exit 73 when it cannot be). --columns, --wide,\n' +
          'colour (--color beats NO_COLOR; FORCE_COLOR; TERM=dumb), @FILE lists: docs/cli.md.',
      );
    }
    cmd.commands.forEach(override);
  };
  override(program);
  return program;
}

function prefixLines(text: string): string {
  return text.replace(/^error: /, '').replace(/^(?=.)/gm, 'vmmem: ');
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const output = new OutputRouter(io);
  const program = buildProgram(output.io);
  // -o FILE: standard output is held and written to FILE once the command has succeeded; the
  // format follows FILE's name unless --format is given.
  program.hook('preAction', (_program, command) => {
    const file = command.opts().output as string | undefined;
    if (file === undefined || !resultGoesToOutput(command)) return;
    const format = formatFromOutputName(file);
    if (format !== undefined && command.getOptionValueSource('format') === 'default') command.setOptionValueWithSource('format', format, 'implied');
    output.toFile(file);
  });
  try {
    // No command: the usage on standard error and exit 64, so that a script whose command
    // is an empty variable notices.
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return EXIT.usage;
    }
    await program.parseAsync(expandAtFiles(argv, program), { from: 'user' });
    output.commit();
    return EXIT.ok;
  } catch (err) {
    // A regression (exit 1) or a partial failure still has a complete result to keep.
    if (err instanceof RegressionError || err instanceof PartialFailure) {
      try {
        output.commit();
      } catch (writeErr) {
        return exitCodeFor(writeErr, io);
      }
    } else output.discard();
    return exitCodeFor(err, io);
  }
}

export function exitCodeFor(err: unknown, io: Io): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
    return EXIT.usage; // commander has already printed its message
  }
  if (err instanceof VmmemError) {
    io.stderr(`vmmem: ${err.message}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  io.stderr(`vmmem: internal error: ${e?.message ?? String(err)}\n`);
  if (io.env.VMMEM_DEBUG) io.stderr(`${e?.stack ?? ''}\n`);
  else io.stderr('vmmem: this is a bug; rerun with VMMEM_DEBUG=1 for details and report it\n');
  return EXIT.internal;
}
