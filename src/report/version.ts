import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** vmmem's version, from its package.json (what `--version` prints and JSON `config.version` holds). */
export function version(): string {
  cached ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cached;
}
