#!/usr/bin/env node
// Re-runs every example of README.md and docs/*.md (see docs-examples-lib.js for what counts
// as one) and writes what each prints back into the page. The test test/docs/examples.test.ts
// checks that pages and commands agree. Usage: node scripts/docs-examples.js [PAGE...]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, docPages, refreshPage } from './docs-examples-lib.js';

const pages = process.argv.length > 2 ? process.argv.slice(2) : docPages();
let failed = 0;
for (const page of pages) {
  const { text, changed } = refreshPage(page, (ex, r) => {
    const expected = ex.kind === 'sh' ? ex.exit : 0;
    if (r.status !== expected) {
      failed++;
      console.error(`${page}: ${ex.script.trim().split('\n')[0]}: exit ${r.status}, expected ${expected}\n${r.output}`);
    }
  });
  writeFileSync(join(ROOT, page), text);
  if (changed) console.log(`${page}: ${changed} example(s) updated`);
}
if (failed) process.exitCode = 1;
