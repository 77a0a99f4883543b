/**
 * `vmmem completion bash|zsh|fish` and the man page, both generated from the commander
 * definitions (commands, options, arguments, help texts), so that a new command or option is in
 * them without anyone keeping a list. Value choices come from the registries (policies,
 * schedulers, formats). Written here rather than with a library: the completion libraries of
 * commander's ecosystem (omelette, tabtab) install runtime hooks and keep their own trees of
 * words instead of reading commander's, and none writes a man page.
 */
import { Command, type Option } from 'commander';
import { UsageError } from '../errors.js';
import { POLICY_NAMES } from '../policies/index.js';
import { OUTPUT_FORMATS } from '../report/index.js';
import { SCHEDULER_NAMES } from '../schedulers/index.js';
import { READ_THREAD_MODES } from '../trace/read-thread.js';
import { FORMATS } from '../trace/source.js';
import type { Io } from './io.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** The words an option's value may be, by its long flag; absent: none known (a number, a size). */
function choices(option: Option): readonly string[] | undefined {
  switch (option.long) {
    case '--policy':
    case '--policies':
      return POLICY_NAMES;
    case '--scheduler':
      return SCHEDULER_NAMES;
    case '--format':
      return OUTPUT_FORMATS;
    case '--trace-format':
      return FORMATS;
    case '--translation':
      return ['none', 'nested', 'shadow', 'nested,shadow'];
    case '--dedup':
      return ['off', 'ideal', 'ksm'];
    case '--on-oom':
      return ['kill', 'error'];
    case '--read-thread':
      return READ_THREAD_MODES;
    default:
      return undefined;
  }
}

/** Whether an option's value is a file name (by its value's name in the flags: <file>, <trace>, ...). */
function takesFile(option: Option): boolean {
  return /<(file|trace|path|files|dir)>/.test(option.flags) || option.long === '--baseline' || option.long === '--config';
}

function takesValue(option: Option): boolean {
  return option.required || option.optional;
}

function visibleCommands(program: Command): Command[] {
  return program.commands.filter((c) => c.name() !== 'help');
}

function flagsOf(o: Option): string[] {
  return [o.long, o.short].filter((f): f is string => f !== undefined);
}

function bashScript(program: Command): string {
  const commands = visibleCommands(program);
  const lines = [
    '# bash completion for vmmem (generated from its commander definitions: vmmem completion bash)',
    '# install: vmmem completion bash > ~/.local/share/bash-completion/completions/vmmem',
    '_vmmem() {',
    '  local cur prev cmd',
    '  cur="${COMP_WORDS[COMP_CWORD]}"',
    '  prev="${COMP_WORDS[COMP_CWORD-1]}"',
    '  cmd="${COMP_WORDS[1]}"',
    '  COMPREPLY=()',
    '  if [[ $COMP_CWORD -eq 1 ]]; then',
    `    COMPREPLY=($(compgen -W "${commands.map((c) => c.name()).join(' ')} help --help --version" -- "$cur"))`,
    '    return',
    '  fi',
    '  case "$cmd" in',
  ];
  for (const c of commands) {
    const options = [...c.options, c.createHelp().visibleOptions(c).find((o) => o.long === '--help')].filter((o): o is Option => o !== undefined);
    lines.push(`    ${c.name()})`, '      case "$prev" in');
    for (const o of c.options.filter(takesValue)) {
      const words = choices(o);
      const action = words ? `COMPREPLY=($(compgen -W "${words.join(' ')}" -- "$cur"))` : takesFile(o) ? 'COMPREPLY=($(compgen -f -- "$cur"))' : ':';
      lines.push(`        ${flagsOf(o).join('|')}) ${action}; return ;;`);
    }
    lines.push('      esac');
    lines.push(`      if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "${options.flatMap(flagsOf).join(' ')}" -- "$cur")); return; fi`);
    lines.push(c.name() === 'completion' ? `      COMPREPLY=($(compgen -W "${SHELLS.join(' ')}" -- "$cur")) ;;` : '      COMPREPLY=($(compgen -f -- "$cur")) ;;');
  }
  lines.push('  esac', '}', 'complete -o filenames -o bashdefault -F _vmmem vmmem', '');
  return lines.join('\n');
}

function zshScript(program: Command): string {
  // zsh runs bash completion functions through bashcompinit: one generated script for both
  return ['#compdef vmmem', '# zsh completion for vmmem (vmmem completion zsh): bash completion through bashcompinit', 'autoload -U +X bashcompinit && bashcompinit', bashScript(program)].join('\n');
}

function fishQuote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function fishScript(program: Command): string {
  const commands = visibleCommands(program);
  const names = commands.map((c) => c.name()).join(' ');
  const lines = ['# fish completion for vmmem (generated from its commander definitions: vmmem completion fish)', 'complete -c vmmem -f'];
  for (const c of commands) {
    lines.push(`complete -c vmmem -n 'not __fish_seen_subcommand_from ${names}' -a ${c.name()} -d ${fishQuote(c.summary() || c.description().split('\n')[0]!)}`);
    const when = `-n '__fish_seen_subcommand_from ${c.name()}'`;
    if (c.name() === 'completion') lines.push(`complete -c vmmem ${when} -a ${fishQuote(SHELLS.join(' '))}`);
    else lines.push(`complete -c vmmem ${when} -F`);
    for (const o of c.options) {
      const flags = [o.long ? `-l ${o.long.slice(2)}` : '', o.short ? `-s ${o.short.slice(1)}` : ''].filter(Boolean).join(' ');
      const words = choices(o);
      const value = takesValue(o) ? (words ? ` -x -a ${fishQuote(words.join(' '))}` : takesFile(o) ? ' -r -F' : ' -x') : '';
      lines.push(`complete -c vmmem ${when} ${flags}${value} -d ${fishQuote(o.description.split('\n')[0]!.slice(0, 80))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(program: Command, shell: string): string {
  if (shell === 'bash') return bashScript(program);
  if (shell === 'zsh') return zshScript(program);
  if (shell === 'fish') return fishScript(program);
  throw new UsageError(`completion: unknown shell '${shell}' (one of ${SHELLS.join(', ')})`);
}

/** The command; `program` is the whole CLI, asked for its commands when the script is printed. */
export function completionCommand(io: Io, program: () => Command): Command {
  return new Command('completion')
    .summary('print a shell completion script (bash, zsh, fish)')
    .description('Prints a completion script for the shell: commands, options, policy, scheduler and format names, file names for traces. Generated from the command definitions.')
    .argument('<shell>', SHELLS.join(', '))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  vmmem completion bash > ~/.local/share/bash-completion/completions/vmmem\n' +
        '  vmmem completion zsh > "${fpath[1]}/_vmmem"\n' +
        '  vmmem completion fish > ~/.config/fish/completions/vmmem.fish\n' +
        '\nExit codes: 0 ok, 64 unknown shell.',
    )
    .action((shell: string) => {
      io.stdout(completionScript(program(), shell));
    });
}

// ---------------------------------------------------------------------------------------------
// the man page

function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');
}

/** man/vmmem.1 (roff, man macros) from the commander definitions. */
export function manPage(program: Command, version: string): string {
  const out = [
    `.TH VMMEM 1 "" "vmmem ${version}" "User Commands"`,
    '.SH NAME',
    'vmmem \\- trace\\-driven simulator of memory management for virtual machines',
    '.SH SYNOPSIS',
    '.B vmmem',
    '.I command',
    '[\\fIoptions\\fR] [\\fIarguments\\fR]',
    '.SH DESCRIPTION',
    roff(program.description()),
    '.SH COMMANDS',
  ];
  for (const c of visibleCommands(program)) {
    const args = c.registeredArguments.map((a) => (a.required ? `<${a.name()}${a.variadic ? '...' : ''}>` : `[${a.name()}${a.variadic ? '...' : ''}]`)).join(' ');
    out.push(`.SS "vmmem ${roff(c.name())} [options] ${roff(args)}"`, roff(c.description()));
    for (const o of c.options) {
      out.push('.TP', `.B ${roff(o.flags)}`, roff(o.description + (o.defaultValue !== undefined && typeof o.defaultValue !== 'boolean' ? ` (default: ${String(o.defaultValue)})` : '')));
    }
  }
  out.push(
    '.SH EXIT STATUS',
    '0 success; 1 worse than a baseline; 3 out of memory with \\-\\-on\\-oom=error; 64 bad usage or configuration;',
    '65 bad trace data; 66 input missing or unreadable; 70 internal error; 73 an output file cannot be written.',
    '.SH ENVIRONMENT',
    'NO_COLOR (no colour), FORCE_COLOR (colour even in a pipe; 0: never), TERM=dumb (no colour), COLUMNS (table width),',
    'VMMEM_DEBUG (stack traces of internal errors). \\-\\-color and \\-\\-no\\-color beat them all.',
    '.SH SEE ALSO',
    'docs/cli.md in the vmmem package.',
    '',
  );
  return out.join('\n');
}
