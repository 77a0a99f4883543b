/**
 * A bounded run of the fuzzer (scripts/fuzz-lib.js; `npm run fuzz -- --runs N` for a long one):
 * mutated shipped traces through simulate (translation, dedup, huge pages, schedulers),
 * inspect, convert and its round trip, generate and diff, in-process through the built CLI.
 * Every run must end with a documented exit code and a one-line message, no stack trace, no
 * output on failure, and a converted trace must replay exactly as its input.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript shared with scripts/fuzz.js
import { caseRandom, loadSeeds, makeCase, runCase } from '../../scripts/fuzz-lib.js';
// the built CLI, as a user runs it
import { main } from '../../dist/cli/main.js';
import { POLICY_NAMES } from '../../src/policies/index.js';
import { SCHEDULER_NAMES } from '../../src/schedulers/index.js';

const CASES = Number(process.env.FUZZ_CASES ?? 400);
const work = mkdtempSync(join(tmpdir(), 'vmmem-fuzz-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Failure {
  kind: string;
  args: string[];
  reason: string;
}

describe('fuzzing (bounded)', () => {
  it(`${CASES} mutated inputs through every command: no crash, no undocumented exit code, exact round trips`, async () => {
    const seeds = await loadSeeds(join(work, 'seeds'));
    const names = { policies: POLICY_NAMES, schedulers: SCHEDULER_NAMES };
    const codes: Record<string, Record<number, number>> = {};
    const failures: string[] = [];
    // a seed of its own, so that `npm test` and `npm run fuzz` (seed 1) try different inputs
    const seed = 20240601;
    for (let index = 0; index < CASES; index++) {
      const c = makeCase(seeds, work, index, caseRandom(seed, index), names);
      const found: Failure[] = await runCase(main, c, {
        onRun: (kind: string, code: number) => {
          codes[kind] ??= {};
          codes[kind]![code] = (codes[kind]![code] ?? 0) + 1;
        },
      });
      for (const f of found) failures.push(`case ${index} (${f.kind}): ${f.reason.split('\n')[0]}\n  vmmem ${f.args.join(' ')}\n  rerun: npm run fuzz -- --seed ${seed} --from ${index} --runs 1`);
    }
    expect(failures).toEqual([]);
    // The run is not vacuous: inputs were replayed and inputs were refused, by every command.
    expect(codes.simulate?.[0]).toBeGreaterThan(CASES / 10);
    expect(codes.simulate?.[65]).toBeGreaterThan(CASES / 10);
    expect(codes.inspect?.[0]).toBeGreaterThan(0);
    expect(codes.convert?.[0]).toBeGreaterThan(0);
    expect(codes['round-trip']?.[0]).toBeGreaterThan(0);
  });
});
