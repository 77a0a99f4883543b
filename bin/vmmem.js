#!/usr/bin/env node
// the CLI bundled into one module by `npm run build` (rolldown.config.js): a faster start
import { main } from '../dist/cli/main.bundle.js';

// A closed pipe (vmmem ... | head) is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// The process exits as soon as standard output and error have taken everything written to them
// (the empty writes' callbacks run after the writes before them), instead of waiting for the
// event loop to drain: at that point Node 20 can deadlock in its platform's task drain
// (nodejs/node#54918), which hangs a finished run forever. exitCode stays set in case a
// callback never comes.
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
