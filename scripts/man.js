#!/usr/bin/env node
// Writes man/vmmem.1 from the built CLI's commander definitions (run by `npm run build`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { buildProgram } from '../dist/cli/main.js';
import { manPage } from '../dist/cli/completion.js';
import { version } from '../dist/report/version.js';

const io = { stdout: () => {}, stderr: () => {}, stdoutIsTty: false, stderrIsTty: false, env: {} };
const dir = new URL('../man/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL('vmmem.1', dir), manPage(buildProgram(io), version()));
