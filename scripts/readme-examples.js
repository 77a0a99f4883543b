#!/usr/bin/env node
// Re-runs every README example (a ```sh block holding one `npx vmmem ...` line, followed by a
// block of what it prints) and writes the real output back into README.md. The test
// "the README's examples" (test/cli/cli.test.ts) checks that they agree. Other pages the same way:
// node scripts/readme-examples.js docs/planning.md (each page's test checks its examples).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const page of process.argv.length > 2 ? process.argv.slice(2) : ['README.md']) update(join(ROOT, page));

function update(file) {
const readme = readFileSync(file, 'utf8');
let changed = 0;
const updated = readme.replace(/```sh\n(npx vmmem [^\n]+)\n```\n\n```\n([\s\S]*?)```/g, (whole, command, shown) => {
  const args = command.replace(/^npx vmmem /, '').split(/\s+/);
  const env = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'vmmem.js'), ...args], { cwd: ROOT, encoding: 'utf8', env });
  if (r.status !== 0) {
    console.error(`${command}: exit ${r.status}\n${r.stderr}`);
    process.exitCode = 1;
    return whole;
  }
  const output = `${(r.stderr + r.stdout).trimEnd()}\n`;
  if (output !== shown) {
    changed++;
    console.log(`updated: ${command}`);
  }
  return `\`\`\`sh\n${command}\n\`\`\`\n\n\`\`\`\n${output}\`\`\``;
});
writeFileSync(file, updated);
console.log(`${file}: ${changed} example(s) updated`);
}
