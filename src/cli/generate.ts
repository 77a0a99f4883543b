/**
 * `vmmem generate`: seeded synthetic traces in the format the output's name asks for.
 */
import { Command } from 'commander';
import { emit, type Io } from './io.js';
import { addOutputOptions } from '../options/options.js';
import { onInterrupt } from './interrupt.js';
import { startProgress } from './progress.js';
import { PATTERNS, DEFAULT_BASE } from '../trace/generate.js';
import {
  DEFAULT_ACCESSES,
  DEFAULT_ALPHA,
  DEFAULT_DIVERGE,
  DEFAULT_PAGES,
  DEFAULT_WRITE_RATIO,
  DEFAULT_ZERO_FRACTION,
  runGenerate,
  type GenerateRawOptions,
} from '../api/generate.js';

export function generateCommand(io: Io): Command {
  const cmd = new Command('generate')
    .summary('write a seeded synthetic trace')
    .description(
      'Writes a synthetic trace: seeded access patterns over a range of pages, one VM or several ' +
        '(--vms), in the format the output name asks for (csv, plain, vmt; gzip when it ends in ' +
        '.gz). The same options and seed always give the same bytes.\n\n' +
        'Patterns (N pages, M accesses per VM):\n' +
        '  uniform  every access picks a page uniformly at random\n' +
        '  zipf     the page of rank k with probability proportional to k^-alpha;\n' +
        '           ranks are scattered over the range by a seeded permutation\n' +
        '  scan     one sequential pass over the N pages, spread over the M accesses\n' +
        '  loop     pages 0 .. N-1 in order, over and over (LRU with fewer than N\n' +
        '           frames faults on every access)\n' +
        '  phases   Denning phases: every --phase-length accesses a new locality set of\n' +
        '           --working-set consecutive pages at a random start; uniform within it\n' +
        '  mix      each access picks a component by weight (--mix), each component\n' +
        '           keeping its own state\n\n' +
        'Clones (--clones N): N VMs clone1 .. cloneN boot from one image and then diverge, ' +
        'with content tokens (csv content column, vmt content table) for simulate --dedup. ' +
        'Image page k holds img-k, or is a zero page (no row) with probability --zero-fraction. ' +
        'Each VM first loads the image (one --image-op row per data page, in page order, at the ' +
        'same addresses in every VM), then makes its --accesses pattern accesses. A pattern ' +
        'write leaves new VM-private content (<vm>-<n>) with probability --diverge; otherwise it ' +
        'writes again what the page holds (its token; on a zero page common-k, alike in every clone).',
    )
    .option('-p, --pattern <pattern>', `access pattern: ${PATTERNS.join(', ')}`)
    .option('--pages <n>', `pages in each VM's range (default ${DEFAULT_PAGES})`)
    .option('--accesses <n>', `accesses per VM (default ${DEFAULT_ACCESSES})`)
    .option('--alpha <a>', `zipf exponent, >= 0 (default ${DEFAULT_ALPHA}; 0 is uniform)`)
    .option('--write-ratio <r>', `share of accesses that are writes, 0 to 1 (default ${DEFAULT_WRITE_RATIO})`)
    .option('--seed <n>', 'seed of the generator (default 1)')
    .option(
      '--vms <list>',
      'several VMs interleaved round robin: NAME[:PATTERN][:KEY=VALUE...],... with KEY one of\n' +
        'pages, accesses, alpha, write-ratio, base, working-set, phase-length (e.g. web:zipf:pages=64,db:loop)',
    )
    .option('--page-size <size>', 'page size, a power of two (default 4KiB)')
    .option('--base <addr>', `address of the first page (default 0x${DEFAULT_BASE.toString(16)}); VM i starts at base + i * 2^40`)
    .option('--working-set <n>', 'phases: pages in a locality set (default pages / 10)')
    .option('--phase-length <n>', 'phases: accesses per phase (default accesses / 10)')
    .option('--mix <weights>', 'mix: component weights (default zipf=0.6,loop=0.2,scan=0.1,uniform=0.1)')
    .option('--offsets', 'addresses at an 8-byte-aligned offset within the page (random; scan: sequential) instead of its first byte')
    .option('--clones <n>', 'N VMs (clone1 .. cloneN) booted from one image, then diverging (not with --vms)')
    .option('--diverge <r>', `clones: share of writes that leave VM-private content, 0 to 1 (default ${DEFAULT_DIVERGE})`)
    .option('--zero-fraction <f>', `clones: share of the image's pages that are zero pages, 0 to 1 (default ${DEFAULT_ZERO_FRACTION})`)
    .option('--image-op <op>', 'clones: W loads the image (a write per data page), A only records it (an allocation per page) (default W)')
    .option('-o, --output <file>', "output file: .csv, .plain, .vmt, optionally .gz; - for standard output (default -)")
    .option('--to <format>', 'output format, overriding the name: csv, plain, vmt, optionally .gz (standard output: csv by default)');
  addOutputOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nThe result (one row per VM: vm,pattern,pages,accesses,reads,writes,base_addr; with\n' +
      '--clones also image_rows,private_writes)\n' +
      'goes to standard output, unless the trace itself does (-o -).\n' +
      '\nExamples:\n' +
      '  vmmem generate --pattern zipf --pages 200 --alpha 1.1 -o zipf.csv\n' +
      '  vmmem generate --vms web:zipf:pages=64,db:loop --pages 120 -o two.vmt.gz\n' +
      '  vmmem generate --clones 3 --pattern uniform --pages 128 --write-ratio 0.05 -o clones.csv\n' +
      '\nExit codes: 0 ok, 64 bad usage, 73 output cannot be written.',
  );
  cmd.action(async (raw: GenerateRawOptions) => {
    const result = await runGenerate(raw, {
      started: (rows) => startProgress(io, raw.quiet, { label: 'generate', totalRows: rows }),
      guard: onInterrupt,
    });
    if ((raw.output ?? '-') === '-') return;
    emit(io, result, raw);
  });
  return cmd;
}
