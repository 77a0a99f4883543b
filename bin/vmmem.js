#!/usr/bin/env node
// the CLI bundled into one module by `npm run build` (rolldown.config.js): a faster start
import { main } from '../dist/cli/main.bundle.js';

// A closed pipe (vmmem ... | head) is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
