/**
 * vmmem as a consumer gets it (issue 18.2): `npm pack`, the tarball installed into a fresh
 * project (offline, from the npm cache that `npm ci` filled: the consumer's lockfile is built
 * from ours, so that no registry metadata is needed), a TypeScript consumer type-checked against
 * the shipped declarations with our tsc, run, and its JSON compared byte for byte with the
 * installed CLI's on the same trace.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const TSC = join(ROOT, 'node_modules/.bin/tsc');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let dir = '';
let app = '';

interface LockEntry {
  dev?: boolean;
  [key: string]: unknown;
}

/** The consumer's lockfile: vmmem from the tarball, and our lockfile's non-dev packages at the same places. */
function consumerLock(tarball: string): object {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const root = lock.packages['']!;
  const packages: Record<string, unknown> = {
    '': { name: 'app', dependencies: { vmmem: `file:${tarball}` } },
    'node_modules/vmmem': { version: root.version, resolved: `file:${tarball}`, license: root.license, dependencies: root.dependencies, bin: root.bin, engines: root.engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== '' && entry.dev !== true) packages[path] = entry;
  return { name: 'app', lockfileVersion: 3, requires: true, packages };
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    outDir: 'out',
    // check the shipped declarations too, not only the consumer
    skipLibCheck: false,
    typeRoots: [join(ROOT, 'node_modules/@types')],
    types: ['node'],
  },
  files: ['consumer.ts'],
};

const CONSUMER = `import { simulate, UsageError, type Access, type SimulateOptions, type SimulateResult } from 'vmmem';

const options: SimulateOptions = { traces: ['node_modules/vmmem/traces/web.csv'], frames: 100, policy: 'lru' };
const result: SimulateResult = await simulate(options);
const faults: unknown = result.rows.find((r) => r.vm === 'TOTAL')?.faults;
if (typeof faults !== 'number') throw new Error('no TOTAL row');
const accesses: Access[] = [1, 2, 1].map((p) => ({ op: 'W', address: BigInt(p) * 4096n }));
const small = await simulate({ accesses, frames: 1 });
if (small.rows[0]!.faults !== 3) throw new Error('in-memory accesses');
try {
  await simulate({ ...options, frames: 0 });
  throw new Error('frames 0 was accepted');
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
}
process.stdout.write(JSON.stringify(result));
`;

function tsc(project: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [TSC, ...(project === 'emit' ? ['-p', '.'] : ['--noEmit', '-p', '.'])], { cwd: app, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('the packed package, installed and used from TypeScript', () => {
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/index.d.ts'))) throw new Error('dist/ has no declarations: npm run build first');
    dir = mkdtempSync(join(tmpdir(), 'vmmem-pack-'));
    // the build is what `npm test` (pretest) and `npm ci` (prepare) just made: no second build here
    execFileSync(NPM, ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!);
    app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { vmmem: `file:${tarball}` } }));
    writeFileSync(join(app, 'package-lock.json'), JSON.stringify(consumerLock(tarball)));
    const install = (mode: string): void => void execFileSync(NPM, ['ci', mode, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      install('--offline');
    } catch {
      // a CI cache that restored node_modules without npm's cache: fetch what is missing
      install('--prefer-offline');
    }
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships what the library needs and nothing of the tests', () => {
    const pkg = join(app, 'node_modules/vmmem');
    expect(existsSync(join(pkg, 'dist/index.js'))).toBe(true);
    expect(existsSync(join(pkg, 'dist/index.d.ts'))).toBe(true);
    expect(existsSync(join(pkg, 'test'))).toBe(false);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
  });

  it('a misspelt option does not type-check', () => {
    writeFileSync(join(app, 'consumer.ts'), "import { simulate } from 'vmmem';\nawait simulate({ traces: [], framez: 100 });\n");
    const r = tsc('check');
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/framez/);
  }, 60_000);

  it('type-checks, runs, and prints the bytes the CLI prints (through JSON.stringify)', () => {
    writeFileSync(join(app, 'consumer.ts'), CONSUMER);
    const checked = tsc('check');
    expect(checked.status, checked.out).toBe(0);
    const emitted = tsc('emit');
    expect(emitted.status, emitted.out).toBe(0);
    const lib = execFileSync(process.execPath, ['out/consumer.js'], { cwd: app, encoding: 'utf8' });
    const cli = execFileSync(process.execPath, ['node_modules/vmmem/bin/vmmem.js', 'simulate', 'node_modules/vmmem/traces/web.csv', '--frames', '100', '--policy', 'lru', '--format', 'json'], {
      cwd: app,
      encoding: 'utf8',
    });
    expect(lib).toBe(JSON.stringify(JSON.parse(cli)));
    // and the package resolves by name from plain JavaScript
    const names = execFileSync(process.execPath, ['--input-type=module', '-e', "import * as v from 'vmmem'; console.log(Object.keys(v).filter((k) => typeof v[k] === 'function' && /^[a-z]/.test(k)).sort().join(','))"], {
      cwd: app,
      encoding: 'utf8',
    });
    expect(names.trim()).toBe('compare,convert,diff,generate,inspect,merge,mrc,plan,simulate');
    // the reader thread's worker is in the package: reading on it prints the same bytes
    const threaded = execFileSync(process.execPath, ['node_modules/vmmem/bin/vmmem.js', 'simulate', 'node_modules/vmmem/traces/web.csv', '--frames', '100', '--policy', 'lru', '--format', 'json', '--read-thread', 'always'], {
      cwd: app,
      encoding: 'utf8',
    });
    expect(threaded).toBe(cli);
  }, 60_000);
});
