import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { compareSaved, parseTolerance, verdictOf, type SavedResult } from '../../src/report/baseline.js';
import type { Row } from '../../src/report/result.js';
import { cli, plainTrace, tempFile } from '../helpers.js';

/** Writes `text` as DIR/app.plain in a fresh directory: the VM is `app` whatever the run. */
function appTrace(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vmmem-base-'));
  const path = join(dir, 'app.plain');
  writeFileSync(path, text);
  return path;
}

const ONE_PASS = 'W 1\nW 2\nW 3\nW 4\nW 5\n';
const TWO_PASSES = `${ONE_PASS}R 1\nR 2\nR 3\nR 4\nR 5\n`;
const RUN = ['--frames', '3', '--page-size', '1', '--policy', 'lru'];

function save(trace: string, ...args: string[]): string {
  const r = cli(['simulate', trace, ...RUN, ...args, '--format', 'json']);
  expect(r.status, r.stderr).toBe(0);
  return tempFile('base.json', r.stdout);
}

function saved(rows: Row[], config: Record<string, unknown> = { frames: 3, policy: 'lru' }): SavedResult {
  return { name: 'x.json', command: 'simulate', config, rows };
}

describe('baseline checks', () => {
  it('verdicts: worse beyond the tolerance, within it, better, same (any increase from 0 is worse)', () => {
    expect(verdictOf(100, 100, 0)).toBe('same');
    expect(verdictOf(100, 101, 0)).toBe('worse');
    expect(verdictOf(100, 102, 0.02)).toBe('within');
    expect(verdictOf(100, 102.5, 0.02)).toBe('worse');
    expect(verdictOf(100, 90, 0)).toBe('better');
    expect(verdictOf(0, 1, 10)).toBe('worse');
    expect(verdictOf(0.1 + 0.2, 0.3, 0)).toBe('same'); // rounding noise is not a change
  });

  it('tolerances: 2% or 0.02', () => {
    expect(parseTolerance('2%')).toBe(0.02);
    expect(parseTolerance('0.02')).toBe(0.02);
    expect(parseTolerance(undefined)).toBe(0);
    expect(() => parseTolerance('two')).toThrow(/not a percentage/);
  });

  it('matches rows by key and refuses rows or configurations that do not match', () => {
    const base = saved([{ vm: 'web', faults: 10 }, { vm: 'TOTAL', faults: 10 }]);
    const cmp = compareSaved(base, saved([{ vm: 'TOTAL', faults: 12 }, { vm: 'web', faults: 9 }]), 0);
    expect(cmp.figures.map((f) => [f.key.vm, f.metric, f.verdict])).toEqual([
      ['TOTAL', 'faults', 'worse'],
      ['web', 'faults', 'better'],
    ]);
    expect(() => compareSaved(base, saved([{ vm: 'db', faults: 1 }, { vm: 'TOTAL', faults: 1 }]), 0)).toThrow(ConfigError);
    expect(() => compareSaved(base, saved([{ vm: 'TOTAL', faults: 1 }]), 0)).toThrow(/web is in x.json but not in x.json/);
    expect(() => compareSaved(base, saved(base.rows, { frames: 4, policy: 'lru' }), 0)).toThrow(/frames 3 there, 4 in x.json/);
    expect(() => compareSaved(base, { ...saved(base.rows), command: 'inspect' }, 0)).toThrow(/cannot be compared/);
  });

  it('a changed trace that faults more (a second pass appended) exits 1 and names the worse figures', () => {
    // By hand, LRU with 3 frames: one pass of W 1..5 faults 5 times (minor), swapping out 1 and 2;
    // the second pass (R 1..5) adds 5 major faults and 3 more swap-outs (3, 4, 5; then 1 and 2 are clean).
    const base = save(appTrace(ONE_PASS));
    const r = cli(['simulate', appTrace(TWO_PASSES), ...RUN, '--baseline', base]);
    expect(r.status).toBe(1);
    const message = r.stderr.trim().split('\n').pop()!;
    expect(message).toMatch(/^vmmem: regression against .*base\.json: 10 figures worse beyond the 0% tolerance: /);
    expect(message).toContain('app faults 5 -> 10 (+100.00%)');
    expect(message).toContain('app major_faults 0 -> 5 (from 0)');
    expect(message).toContain('app swap_ins 0 -> 5 (from 0)');
    expect(message).toContain('app swap_outs 2 -> 5 (+150.00%)');
    // eat_ns: (5 * 2us + 2 waits * 50us) / 5 = 22000 -> (5 * 2us + 5 * 50us + 5 waits * 50us) / 10 = 51000
    expect(message).toContain('app eat_ns 22000 -> 51000 (+131.82%)');
    expect(message).not.toContain('fault_rate'); // 1 -> 1
    // The result itself still goes to standard output; the table of changes to standard error.
    expect(r.stdout).toMatch(/│ app +│ +10 │/);
    expect(r.stderr).toMatch(/│ app +│ faults +│ +5 │ +10 │ +100\.00% │ worse +│/);
  });

  it('within the tolerance it exits 0; beyond it, 1', () => {
    // 100 reads cycling 1 2 3 fault 3 times; one more access to page 4 faults once more (+33.3%), and
    // eat goes from (97 * 100 + 3 * 2000) / 100 = 157 to (97 * 100 + 4 * 2000) / 101 = 175.25 (+11.6%).
    const cycle = Array.from({ length: 100 }, (_, i) => 1 + (i % 3));
    const base = save(appTrace(plainTrace(cycle)));
    const changed = appTrace(plainTrace([...cycle, 4]));
    const within = cli(['simulate', changed, ...RUN, '--baseline', base, '--tolerance', '34%']);
    expect(within.status, within.stderr).toBe(0);
    // faults, fault_rate and eat_ns of app and of TOTAL are worse, within 34%
    expect(within.stderr).toMatch(/0 worse beyond it, 6 worse within it, 0 better, 8 unchanged/);
    const beyond = cli(['simulate', changed, ...RUN, '--baseline', base, '--tolerance', '33%']);
    expect(beyond.status).toBe(1);
    // fault_rate (+32.01%) and eat_ns (+11.6%) stay within 33%
    expect(beyond.stderr).toMatch(/vmmem: regression against .*: 2 figures worse beyond the 33% tolerance: app faults 3 -> 4 \(\+33\.33%\), TOTAL faults 3 -> 4 \(\+33\.33%\)\n$/);
    const same = cli(['simulate', appTrace(plainTrace(cycle)), ...RUN, '--baseline', base]);
    expect(same.status).toBe(0);
    expect(same.stderr).toMatch(/14 figures compared .* 0 worse beyond it, 0 worse within it, 0 better, 14 unchanged/);
  });

  it('a baseline saved with other frames or another policy is an error (exit 64), before the run', () => {
    const base = save(appTrace(ONE_PASS));
    const frames = cli(['simulate', appTrace(ONE_PASS), '--frames', '4', '--page-size', '1', '--baseline', base]);
    expect(frames.status).toBe(64);
    expect(frames.stderr).toMatch(/base\.json was saved with another configuration \(frames 3 there, 4 in this run\)/);
    const policy = cli(['simulate', appTrace(ONE_PASS), ...RUN.slice(0, 4), '--policy', 'fifo', '--baseline', base]);
    expect(policy.status).toBe(64);
    expect(policy.stderr).toMatch(/policy lru there, fifo in this run/);
    const latency = cli(['simulate', appTrace(ONE_PASS), ...RUN, '--latency', 'hit=1ns', '--baseline', base]);
    expect(latency.status).toBe(64);
    expect(latency.stderr).toMatch(/latency_ns/);
    const otherVm = cli(['simulate', tempFile('other.plain', ONE_PASS), ...RUN, '--baseline', base]);
    expect(otherVm.status).toBe(64);
    expect(otherVm.stderr).toMatch(/other is in this run but not in .*base\.json/);
  });

  it('with --format csv the result alone is on standard output; with json it carries baseline_check', () => {
    const base = save(appTrace(ONE_PASS));
    const csv = cli(['simulate', appTrace(TWO_PASSES), ...RUN, '--baseline', base, '--format', 'csv']);
    expect(csv.status).toBe(1);
    expect(csv.stdout.split('\n')[0]).toMatch(/^vm,policy,scheduler,frames,/);
    expect(csv.stdout.trim().split('\n')).toHaveLength(3);
    const json = cli(['simulate', appTrace(TWO_PASSES), ...RUN, '--baseline', base, '--format', 'json']);
    const doc = JSON.parse(json.stdout);
    expect(doc.baseline_check.regression).toBe(true);
    expect(doc.baseline_check.worse[0]).toEqual({ vm: 'app', metric: 'faults', baseline: 5, current: 10 });
  });

  it('bad baselines: missing (66), not vmmem JSON (65), another command (64)', () => {
    const trace = appTrace(ONE_PASS);
    expect(cli(['simulate', trace, ...RUN, '--baseline', '/nonexistent/base.json']).status).toBe(66);
    expect(cli(['simulate', trace, ...RUN, '--baseline', tempFile('b.json', 'vm,faults\n')]).status).toBe(65);
    expect(cli(['simulate', trace, ...RUN, '--baseline', tempFile('b.json', '{"rows": []}')]).status).toBe(65);
    const inspect = tempFile('i.json', cli(['inspect', trace, '--format', 'json']).stdout);
    const r = cli(['simulate', trace, ...RUN, '--baseline', inspect]);
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/is a 'inspect' result, not a 'simulate' one/);
    expect(cli(['simulate', trace, ...RUN, '--tolerance', '2%']).status).toBe(64);
  });

  it('vmmem diff compares two saved results the same way', () => {
    const a = save(appTrace(ONE_PASS));
    const b = save(appTrace(TWO_PASSES));
    const worse = cli(['diff', a, b, '--format', 'csv']);
    expect(worse.status).toBe(1);
    const lines = worse.stdout.trim().split('\n');
    expect(lines[0]).toBe('vm,metric,baseline,current,change,relative_change,verdict');
    expect(lines[1]).toBe('app,faults,5,10,5,1,worse');
    expect(lines).toContain('app,major_faults,0,5,5,,worse');
    expect(lines).toHaveLength(11); // 5 changed figures of app and of TOTAL
    expect(worse.stderr).toMatch(/regression against .*: 10 figures worse/);
    const better = cli(['diff', b, a, '--format', 'csv']);
    expect(better.status).toBe(0);
    expect(better.stdout).toMatch(/app,faults,10,5,-5,-0\.5,better/);
    const all = cli(['diff', a, a, '--format', 'csv', '--all']);
    expect(all.status).toBe(0);
    expect(all.stdout.trim().split('\n')).toHaveLength(15); // 7 figures of app and of TOTAL
    const other = save(appTrace(ONE_PASS), '--seed', '7');
    const mismatch = cli(['diff', a, other]);
    expect(mismatch.status).toBe(64);
    expect(mismatch.stderr).toMatch(/seed 1 there, 7 in/);
  });
});
