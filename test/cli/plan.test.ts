import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from '../helpers.js';
import { vmmem } from './in-process.js';

type JsonRow = Record<string, number | string | null>;

async function json(args: string[]): Promise<{ rows: JsonRow[]; doc: Record<string, unknown> }> {
  const r = await vmmem([...args, '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout) as Record<string, unknown>;
  return { rows: doc.rows as JsonRow[], doc };
}

/** A VM's faults alone at x frames, by replaying its trace (an independent path from the stack pass). */
async function aloneFaults(trace: string, policy: string, frames: number): Promise<number> {
  const { rows } = await json(['simulate', trace, '--policy', policy, '--frames', String(frames)]);
  return rows[rows.length - 1]!.faults as number;
}

describe('plan', () => {
  it('web (Zipf) beside db (a loop over 120 pages): the optimum of a brute force over every split of replayed curves', async () => {
    const F = 140;
    for (const policy of ['lru', 'opt']) {
      const web: number[] = [];
      const db: number[] = [];
      // x = 1..F-1 frames each (every VM gets at least one); replays beyond the footprint fault the same
      for (let x = 1; x < F; x++) {
        web[x] = x > 40 ? web[40]! : await aloneFaults('traces/web.csv', policy, x);
        db[x] = x > 120 ? db[120]! : await aloneFaults('traces/db.csv', policy, x);
      }
      let best = Infinity;
      for (let x = 1; x < F; x++) best = Math.min(best, web[x]! + db[F - x]!);
      const { rows } = await json(['plan', 'traces/web.csv', 'traces/db.csv', '--frames', String(F), '--policy', policy]);
      expect(rows.map((r) => r.vm)).toEqual(['web', 'db', 'TOTAL']);
      expect(rows[2]!.faults, policy).toBe(best);
      expect(rows[0]!.faults).toBe(web[rows[0]!.frames as number]);
      expect(rows[1]!.faults).toBe(db[rows[1]!.frames as number]);
      expect((rows[0]!.frames as number) + (rows[1]!.frames as number)).toBe(F);
      // partition: 70 frames each (weights 1:1); its faults are the curves there
      expect([rows[0]!.partition_frames, rows[1]!.partition_frames]).toEqual([70, 70]);
      expect(rows[0]!.partition_faults).toBe(web[70]);
      expect(rows[1]!.partition_faults).toBe(db[70]);
      expect(rows[2]!.fault_rate).toBe(best / 6000);
    }
    // under LRU the loop needs all 120 pages or faults on every access
    const { rows } = await json(['plan', 'traces/web.csv', 'traces/db.csv', '--frames', '140']);
    expect(rows[1]!.frames).toBe(120);
  }, 60_000);

  it('--verify equals the prediction on the real lackey trace beside the synthetic ones (lru and opt)', async () => {
    for (const policy of ['lru', 'opt']) {
      for (const frames of [30, 100, 250]) {
        const { rows } = await json(['plan', 'traces/ls.lackey.gz', 'traces/web.csv', 'traces/db.csv', '--frames', String(frames), '--policy', policy, '--verify']);
        for (const r of rows) expect(r.verified_faults, `${policy} ${frames} ${r.vm}`).toBe(r.faults);
      }
    }
  }, 60_000);

  it('--verify on the real trace beside zipf, weighted, with reserves and limits', async () => {
    const { rows } = await json([
      'plan',
      '--vm', 'name=data,trace=traces/ls.lackey.gz,weight=3,reserve=10,limit=40',
      '--vm', 'name=zipf,trace=traces/zipf.csv,weight=1,reserve=5',
      '--frames', '80', '--objective', 'weighted', '--verify',
    ]);
    expect(rows.map((r) => r.vm)).toEqual(['data', 'zipf', 'TOTAL']);
    expect(rows[0]!.frames as number).toBeGreaterThanOrEqual(10);
    expect(rows[0]!.frames as number).toBeLessThanOrEqual(40);
    expect(rows[1]!.frames as number).toBeGreaterThanOrEqual(5);
    expect(rows[2]!.frames).toBe(80);
    for (const r of rows) expect(r.verified_faults).toBe(r.faults);
    // weighted: no split within the bounds has a smaller 3 x data + zipf (brute force over replays)
    const data: number[] = [];
    const zipf: number[] = [];
    for (let x = 5; x <= 70; x++) {
      if (x >= 10 && x <= 40) data[x] = await aloneFaults('traces/ls.lackey.gz', 'lru', x);
      zipf[x] = await aloneFaults('traces/zipf.csv', 'lru', x);
    }
    let best = Infinity;
    for (let x = 10; x <= 40; x++) best = Math.min(best, 3 * data[x]! + zipf[80 - x]!);
    expect(3 * (rows[0]!.faults as number) + (rows[1]!.faults as number)).toBe(best);
  }, 120_000);

  it('frames beyond every footprint: each VM faults only on first touches; the spare frames are shared by weight', async () => {
    const { rows, doc } = await json(['plan', 'traces/web.csv', 'traces/db.csv', '--frames', '1000']);
    expect(rows[0]!.faults).toBe(40);
    expect(rows[1]!.faults).toBe(120);
    expect(rows[2]!.frames).toBe(1000);
    // needed 40 + 120; 840 spare, 420 each
    expect(doc.spare_frames).toBe(840);
    expect([rows[0]!.frames, rows[1]!.frames]).toEqual([460, 540]);
  });

  it('--target-fault-rate: the least frames per VM at or under the rate, and without --frames the plan of their sum', async () => {
    const { rows, doc } = await json(['plan', 'traces/web.csv', 'traces/db.csv', '--target-fault-rate', '0.05']);
    // db: a loop, 3000 accesses, only at 120 frames does it fault 120 times (4%)
    expect(rows[1]!.target_frames).toBe(120);
    const webTarget = rows[0]!.target_frames as number;
    expect(await aloneFaults('traces/web.csv', 'lru', webTarget)).toBeLessThanOrEqual(150);
    expect(await aloneFaults('traces/web.csv', 'lru', webTarget - 1)).toBeGreaterThan(150);
    expect(rows[2]!.target_frames).toBe(webTarget + 120);
    expect((doc.config as Record<string, unknown>).frames).toBe(webTarget + 120);
  });

  it('--step K: exact on the grid, and says so', async () => {
    const r = await vmmem(['plan', 'traces/web.csv', 'traces/db.csv', '--frames', '140', '--step', '8', '--no-plot']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--step 8: exact on a grid of 8 frames');
  });

  it('bad configurations exit 64 with a one-line message', async () => {
    const reserves = await vmmem(['plan', '--vm', 'name=web,trace=traces/web.csv,reserve=100', '--vm', 'name=db,trace=traces/db.csv,reserve=50', '--frames', '140']);
    expect(reserves.code).toBe(64);
    expect(reserves.stderr).toMatch(/reserves add up to 150 frames, more than the 140 frames/);
    const limits = await vmmem(['plan', '--vm', 'name=web,trace=traces/web.csv,limit=30', '--vm', 'name=db,trace=traces/db.csv,limit=50', '--frames', '140']);
    expect(limits.code).toBe(64);
    expect(limits.stderr).toMatch(/limits add up to 80 frames, less than the 140 frames/);
    const none = await vmmem(['plan', 'traces/web.csv']);
    expect(none.code).toBe(64);
    const policy = await vmmem(['plan', 'traces/web.csv', '--frames', '10', '--policy', 'fifo']);
    expect(policy.code).toBe(64);
    const tooFew = await vmmem(['plan', 'traces/web.csv', 'traces/db.csv', '--frames', '1']);
    expect(tooFew.code).toBe(64);
    expect(tooFew.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('draws each VM curve with its planned size marked', async () => {
    const r = await vmmem(['plan', 'traces/web.csv', 'traces/db.csv', '--frames', '140', '--plot']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('* web (20)');
    expect(r.stdout).toContain(': planned frames');
  });
});

describe("docs/planning.md's examples", () => {
  // Each ```sh block holding one `npx vmmem ...` line is followed by what it prints (stderr,
  // then stdout); `node scripts/readme-examples.js docs/planning.md` writes them.
  const page = readFileSync(join(ROOT, 'docs/planning.md'), 'utf8');
  const examples = [...page.matchAll(/```sh\n(npx vmmem [^\n]+)\n```\n\n```\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!] as const);

  it('there are examples of plan and balance', () => {
    expect(examples.some(([c]) => c.includes(' plan '))).toBe(true);
    expect(examples.some(([c]) => c.includes('balance'))).toBe(true);
  });

  it.each(examples)('%s prints what the page shows', (command, shown) => {
    const r = cli(command.replace(/^npx vmmem /, '').split(/\s+/), { cwd: ROOT });
    expect(r.status, r.stderr).toBe(0);
    expect((r.stderr + r.stdout).trimEnd().split('\n')).toEqual(shown.trimEnd().split('\n'));
  });
});
