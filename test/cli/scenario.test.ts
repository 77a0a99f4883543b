/**
 * --vm, --config and the scheduling output through the built CLI (spawned): every bad
 * configuration exits 64 with one line naming the field; good ones run and report.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

/** A directory with two small traces (web: pages 0-3 twice, db: pages 0-5) and optional files. */
function workspace(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'vmmem-scenario-'));
  writeFileSync(join(dir, 'web.plain'), '0\n1\n2\n3\n0\n1\n2\n3\n');
  writeFileSync(join(dir, 'db.plain'), 'W 0\nW 1\nW 2\nW 3\nW 4\nW 5\n');
  writeFileSync(join(dir, 'both.csv'), 'vm,addr\nweb,0\ndb,0\nweb,1\ndb,1\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function expectConfigError(args: string[], message: string | RegExp): void {
  const r = cli(args);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(typeof message === 'string' ? new RegExp(`^vmmem: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) : message);
  expect(r.status).toBe(64);
}

describe('bad configurations exit 64 with one line naming the field', () => {
  const dir = workspace();
  const web = join(dir, 'web.plain');
  const db = join(dir, 'db.plain');
  const scenario = (doc: unknown, name = 'scenario.json'): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
    return path;
  };
  const base = { frames: 8, page_size: 1 };

  it('reserves larger than memory (--vm)', () => {
    expectConfigError(
      ['simulate', '--frames', '4', '--page-size', '1', '--vm', `name=web,trace=${web},reserve=3`, '--vm', `name=db,trace=${db},reserve=2`],
      '--vm[1].reserve: the reserves add up to 5 frames, more than the 4 frames of memory',
    );
  });

  it('reserves larger than memory (scenario file)', () => {
    const f = scenario({ ...base, vms: [{ name: 'web', trace: web, reserve: 5 }, { name: 'db', trace: db, reserve: '4B' }] });
    expectConfigError(['simulate', '--config', f], `${f}: vms[1].reserve: the reserves add up to 9 frames, more than the 8 frames of memory`);
  });

  it('a limit below its reserve', () => {
    const f = scenario({ ...base, vms: [{ name: 'web', trace: web, reserve: 4, limit: 2 }] });
    expectConfigError(['simulate', '--config', f], `${f}: vms[0].limit: 2 frames is below the reserve of 4 frames`);
  });

  it.each([0, -1])('weight %i', (weight) => {
    const f = scenario({ ...base, vms: [{ name: 'web', trace: web }, { name: 'db', trace: db, weight }] });
    expectConfigError(['simulate', '--config', f], `${f}: vms[1].weight: must be above 0, got ${weight}`);
  });

  it('a weight that is not a number (--vm)', () => {
    expectConfigError(['simulate', '--vm', `name=web,trace=${web},weight=heavy`], "--vm[0].weight: 'heavy' is not a number");
  });

  it('an unknown key in a VM', () => {
    const f = scenario({ ...base, vms: [{ name: 'web', trace: web, colour: 'red' }] });
    expectConfigError(['simulate', '--config', f], `${f}: vms[0].colour: unknown key (keys: name, trace, priority, weight, reserve, limit, memory, guest_policy, guest_swap, balloon, balloon_max, compress_ratio, compress_max)`);
  });

  it('an unknown key in --vm', () => {
    expectConfigError(['simulate', '--vm', `name=web,trace=${web},shares=2`], '--vm[0].shares: unknown key');
  });

  it('an unknown top-level key', () => {
    const f = scenario({ ...base, swapiness: 60, vms: [{ name: 'web', trace: web }] });
    expectConfigError(['simulate', '--config', f], `${f}: swapiness: unknown key`);
  });

  it('a VM without a trace', () => {
    const f = scenario({ ...base, vms: [{ name: 'web', trace: web }, { name: 'db', priority: 2 }] });
    expectConfigError(['simulate', '--config', f], `${f}: vms[1].trace: VM 'db' has no trace: give trace=FILE`);
  });

  it('a VM that no trace yields', () => {
    expectConfigError(['simulate', web, '--vm', 'name=cache,weight=2'], "--vm[0].name: no trace yields a VM named 'cache' (the traces have 'web')");
  });

  it('a VM missing from the vm column of its trace', () => {
    expectConfigError(['simulate', '--vm', `name=cache,trace=${join(dir, 'both.csv')}`], /^vmmem: --vm\[0\]\.trace: .*both\.csv has no VM 'cache' \(its rows name 'web', 'db'\)/);
  });

  it('malformed JSON, with its line and column', () => {
    const f = scenario('{\n  "frames": 8,\n  "vms": [ { "name": "web" } ]\n  "policy": "lru"\n}\n', 'broken.json');
    expectConfigError(['simulate', '--config', f], new RegExp(`^vmmem: ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:3: malformed JSON: `));
  });

  it('a size that is not one', () => {
    const f = scenario({ ...base, vms: [{ name: 'web', trace: web, reserve: '64XB' }] });
    expectConfigError(['simulate', '--config', f], `${f}: vms[0].reserve: '64XB' is not a number of frames or a size (examples: 64, 64MiB, 1GiB)`);
  });

  it('a bad engine option in the scenario names its key', () => {
    const f = scenario({ frames: 'many', vms: [{ name: 'web', trace: web }] });
    expectConfigError(['simulate', '--config', f], `${f}: frames: 'many' is not a whole number`);
  });

  it('an engine option of the wrong type', () => {
    const f = scenario({ frames: 8, hex: 'yes', vms: [{ name: 'web', trace: web }] });
    expectConfigError(['simulate', '--config', f], `${f}: hex: must be a boolean, got string`);
  });

  it('the same VM twice', () => {
    const f = scenario({ ...base, vms: [{ name: 'web', trace: web }, { name: 'web', trace: db }] });
    expectConfigError(['simulate', '--config', f], `${f}: vms[1].name: VM 'web' is declared twice (also ${f}: vms[0])`);
  });

  it('a --vm with neither name nor trace', () => {
    expectConfigError(['simulate', web, '--vm', 'weight=2'], '--vm[0].name: missing');
  });

  it('vms that is not a list', () => {
    const f = scenario({ ...base, vms: { web: {} } });
    expectConfigError(['simulate', '--config', f], `${f}: vms: must be a list of VMs, got object`);
  });

  it('an unknown scheduler', () => {
    expectConfigError(['simulate', web, '--scheduler', 'fair'], "--scheduler: unknown scheduler 'fair' (one of global, partition, highest, lowest, weight, balance)");
  });

  it('an idle tax outside [0, 1) or without weight', () => {
    expectConfigError(['simulate', web, '--scheduler', 'weight', '--idle-tax', '1'], '--idle-tax: must be a rate from 0 to below 1');
    expectConfigError(['simulate', web, '--idle-tax', '0.5'], '--idle-tax: applies to --scheduler weight only (not global)');
  });

  it('a missing scenario file exits 66', () => {
    const r = cli(['simulate', '--config', join(dir, 'nope.json')]);
    expect(r.status).toBe(66);
    expect(r.stderr).toContain('nope.json: no such file');
  });
});

/** CSV text -> rows of objects. */
function parseCsv(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trim().split('\n');
  const keys = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i]!, v])));
}

describe('VMs from --vm and --config', () => {
  it('report the scheduling columns at the end, after eat_ns', () => {
    const dir = workspace();
    const r = cli([
      'simulate',
      '--page-size', '1',
      '--frames', '6',
      '--scheduler', 'highest',
      '--vm', `name=front,trace=${join(dir, 'web.plain')},priority=3,weight=2,reserve=2,limit=4`,
      '--vm', `trace=${join(dir, 'db.plain')},priority=1`,
      '--format', 'csv',
    ]);
    expect(r.status).toBe(0);
    const [header] = r.stdout.split('\n');
    expect(header).toBe(
      'vm,policy,scheduler,frames,accesses,reads,writes,hits,faults,minor_faults,major_faults,fault_rate,swap_ins,swap_outs,evictions,stolen,' +
        'resident_end,resident_peak,swap_end,swap_peak,oom_kills,eat_ns,priority,weight,reserve,limit,entitlement,resident_share,stole,fairness',
    );
    const rows = parseCsv(r.stdout);
    expect(rows.map((x) => x.vm)).toEqual(['front', 'db', 'TOTAL']);
    expect(rows[0]).toMatchObject({ scheduler: 'highest', priority: '3', weight: '2', reserve: '2', limit: '4' });
    // db (named after its file) has the defaults but priority 1
    expect(rows[1]).toMatchObject({ priority: '1', weight: '1', reserve: '0', limit: 'unlimited' });
    // Hand-worked, F = 6, web: 0 1 2 3 0 1 2 3 (front, limit 4), db: W0..W5, round robin:
    // front0 db0 front1 db1 front2 db2 take free frames (front 3, db 3); front3: free frames
    // none -> the weakest class with spare frames is db -> db's LRU db0 (front -> 4 = limit);
    // db3: db is the weakest and holds frames -> its own db1; front0..3 then hit; db4, db5 replace
    // db's own. front: 4 faults, 4 hits; db: 6 faults, 1 page stolen by front.
    expect(rows[0]).toMatchObject({ faults: '4', hits: '4', resident_end: '4', stole: '1' });
    expect(rows[1]).toMatchObject({ faults: '6', stolen: '1', resident_end: '2' });
    // entitlements: weights 2:1 of 6 frames = 4 and 2 (front's limit 4 does not bind)
    expect(rows[0]).toMatchObject({ entitlement: '4', resident_share: '1' });
    expect(rows[1]).toMatchObject({ entitlement: '2', resident_share: '1' });
    expect(rows[2]).toMatchObject({ reserve: '2', entitlement: '6', stole: '1', fairness: '1' });
  });

  it('a plain global run keeps the SPEC columns only', () => {
    const dir = workspace();
    const r = cli(['simulate', join(dir, 'web.plain'), '--page-size', '1', '--format', 'csv']);
    expect(r.stdout.split('\n')[0]!.endsWith(',oom_kills,eat_ns')).toBe(true);
  });

  it('scenario traces are relative to the scenario file, and the command line overrides it', () => {
    const dir = workspace({
      'scenario.json': JSON.stringify({
        description: 'two VMs',
        frames: 2,
        page_size: 1,
        scheduler: 'partition',
        vms: [
          { name: 'web', trace: 'web.plain', weight: 1 },
          { name: 'db', trace: 'db.plain', weight: 1 },
        ],
      }),
    });
    const small = cli(['simulate', '--config', join(dir, 'scenario.json'), '--format', 'json'], { env: {} });
    expect(small.status).toBe(0);
    const doc = JSON.parse(small.stdout);
    expect(doc.config).toMatchObject({ scheduler: 'partition', frames: 2 });
    // partitions of 1 frame each: web cycles over 4 pages in 1 frame -> 8 faults
    expect(doc.rows[0]).toMatchObject({ vm: 'web', faults: 8, entitlement: 1 });
    // --frames on the command line wins: 10 frames, partitions 5 and 5 -> web faults 4 times
    const big = JSON.parse(cli(['simulate', '--config', join(dir, 'scenario.json'), '--frames', '10', '--format', 'json']).stdout);
    expect(big.rows[0]).toMatchObject({ vm: 'web', faults: 4, entitlement: 5 });
    // a --vm with a scenario VM's name overrides its fields: web weight 4 -> partitions 8 and 2
    const heavy = JSON.parse(cli(['simulate', '--config', join(dir, 'scenario.json'), '--frames', '10', '--vm', 'name=web,weight=4', '--format', 'json']).stdout);
    expect(heavy.rows.map((x: { entitlement: number }) => x.entitlement)).toEqual([8, 2, 10]);
    expect(heavy.scheduling.vms[0]).toMatchObject({ vm: 'web', weight: 4, entitlement: 8 });
  });

  it('a --vm with trace= picks its rows out of a trace with a vm column', () => {
    const dir = workspace();
    const both = join(dir, 'both.csv');
    const r = cli(['simulate', '--page-size', '1', '--vm', `name=db,trace=${both}`, '--format', 'json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.rows.map((x: { vm: string; accesses: number }) => [x.vm, x.accesses])).toEqual([
      ['db', 2],
      ['TOTAL', 2],
    ]);
  });

  it('a --vm without trace= sets the parameters of a VM that a TRACE yields', () => {
    const dir = workspace();
    const r = cli(['simulate', join(dir, 'both.csv'), '--page-size', '1', '--vm', 'name=db,priority=5', '--format', 'json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.scheduling.vms).toMatchObject([
      { vm: 'web', priority: 0 },
      { vm: 'db', priority: 5 },
    ]);
  });

  it('the same file as two VMs under two names', () => {
    const dir = workspace();
    const web = join(dir, 'web.plain');
    const r = cli(['simulate', '--page-size', '1', '--frames', '8', '--vm', `name=a,trace=${web}`, '--vm', `name=b,trace=${web}`, '--format', 'json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.rows.map((x: { vm: string; faults: number }) => [x.vm, x.faults])).toEqual([
      ['a', 4],
      ['b', 4],
      ['TOTAL', 8],
    ]);
  });
});

describe('--interval', () => {
  const dir = workspace();
  const args = ['simulate', join(dir, 'web.plain'), join(dir, 'db.plain'), '--page-size', '1', '--frames', '4', '--interval', '5'];

  it('csv: a second section with t,vm,faults,swap_ins,swap_outs,resident after an empty line', () => {
    const r = cli([...args, '--format', 'csv']);
    expect(r.status).toBe(0);
    const [main, series] = r.stdout.split('\n\n');
    const rows = parseCsv(series!);
    expect(series!.split('\n')[0]).toBe('t,vm,faults,swap_ins,swap_outs,resident');
    // 14 accesses: samples at 5, 10 and the end (14); round robin web db web db ...
    expect(rows.map((x) => x.t)).toEqual(['5', '5', '10', '10', '14', '14']);
    // the intervals' faults add up to each VM's faults; the last resident is resident_end
    const totals = parseCsv(main!);
    for (const vm of ['web', 'db']) {
      const mine = rows.filter((x) => x.vm === vm);
      expect(mine.reduce((s, x) => s + Number(x.faults), 0)).toBe(Number(totals.find((x) => x.vm === vm)!.faults));
      expect(mine.at(-1)!.resident).toBe(totals.find((x) => x.vm === vm)!.resident_end);
    }
    // first 5 accesses: web0 db0 web1 db1 fill the 4 frames, web2 evicts the global LRU page
    // web0 (clean, dropped): web 3 faults and 2 pages, db 2 and 2
    expect(rows.slice(0, 2)).toEqual([
      { t: '5', vm: 'web', faults: '3', swap_ins: '0', swap_outs: '0', resident: '2' },
      { t: '5', vm: 'db', faults: '2', swap_ins: '0', swap_outs: '0', resident: '2' },
    ]);
  });

  it('json: an intervals member', () => {
    const doc = JSON.parse(cli([...args, '--format', 'json']).stdout);
    expect(doc.intervals).toHaveLength(6);
    expect(doc.intervals[0]).toEqual({ t: 5, vm: 'web', faults: 3, swap_ins: 0, swap_outs: 0, resident: 2 });
  });

  it('--interval-out writes the series to a file (csv or json) and keeps standard output to the result', () => {
    const out = join(dir, 'series.csv');
    const r = cli([...args, '--format', 'csv', '--interval-out', out]);
    expect(r.stdout).not.toContain('\n\n');
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('t,vm,faults,swap_ins,swap_outs,resident');
    const js = join(dir, 'series.json');
    cli([...args, '--interval-out', js]);
    expect(JSON.parse(readFileSync(js, 'utf8')).rows).toHaveLength(6);
  });

  it('table: the series as a table in a pipe, a plot of frames per VM with --plot', () => {
    const table = cli(args);
    expect(table.stdout).toMatch(/│ +t │ vm +│ faults │ swap in │ swap out │ resident │/);
    const plot = cli([...args, '--plot']);
    expect(plot.stdout).toContain('frames held per VM over time (stacked): █ web  ▒ db');
    expect(plot.stdout).toContain('14 accesses');
  });

  it('--plot with csv draws on standard error', () => {
    const r = cli([...args, '--format', 'csv', '--plot']);
    expect(r.stderr).toContain('frames held per VM over time');
    expect(r.stdout).not.toContain('frames held');
  });
});
