/**
 * `@FILE` wherever a list is taken (10,000 VMs run past the shell's argument limit): FILE holds
 * one item a line (blank lines and lines starting with # skipped). Expanded in argv before
 * commander parses it, from the command's own definitions, so every command and option gets it:
 * - an argument `@FILE` (trace lists) stands for its lines, one argument each;
 * - a repeatable option (`--vm @FILE`) is given once per line;
 * - any other option's value (`--vms @FILE`, `--policies @FILE`, `--frames @FILE`) is the lines
 *   joined by commas.
 * `--opt=@FILE` works too. A file whose name starts with @ is named `./@name`.
 */
import { readFileSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { InputError } from '../errors.js';
import { isRepeatable } from '../options/options.js';

function lines(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`@${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code})`}`);
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function findOption(cmd: Command, flag: string): Option | undefined {
  return cmd.options.find((o) => o.long === flag || o.short === flag);
}

export function expandAtFiles(argv: readonly string[], program: Command): string[] {
  const cmd = program.commands.find((c) => c.name() === argv[0] || c.aliases().includes(argv[0] ?? ''));
  if (!cmd) return [...argv];
  const out = [argv[0]!];
  for (let i = 1; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (token.startsWith('-') && token !== '-') {
      const eq = token.indexOf('=');
      const flag = eq > 0 ? token.slice(0, eq) : token;
      const option = findOption(cmd, flag);
      if (!option || !(option.required || option.optional)) {
        out.push(token);
        continue;
      }
      const value = eq > 0 ? token.slice(eq + 1) : argv[++i];
      if (value === undefined) {
        out.push(token);
        continue;
      }
      if (!value.startsWith('@')) {
        out.push(flag, value);
        continue;
      }
      const items = lines(value.slice(1));
      if (isRepeatable(option)) for (const item of items) out.push(flag, item);
      else out.push(flag, items.join(','));
      continue;
    }
    if (token.startsWith('@')) out.push(...lines(token.slice(1)));
    else out.push(token);
  }
  return out;
}
