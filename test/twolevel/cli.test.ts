/**
 * Two levels through the built CLI: the SPEC 3.1 columns (names, order, the worked example's
 * values), memory= in --vm and --config, JSON `levels`, --interval, and bad input (exit 64, one line).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'vmmem-two-'));
const example = join(dir, 'example.plain');
writeFileSync(example, 'W 0\nW 1\nR 2\n');
const web = join(dir, 'web.plain');
writeFileSync(web, 'W 0\nW 1\nR 2\nR 0\n');
const db = join(dir, 'db.plain');
writeFileSync(db, 'R 0\nR 1\nR 0\n');

const LEVEL_COLUMNS =
  'guest_frames,host_faults,host_minor_faults,host_major_faults,host_swap_ins,host_swap_outs,backed_end,backed_peak,balloon_end,balloon_peak,compressed_end,double_paging,false_reads';

function csv(args: string[]): Record<string, string>[] {
  const r = cli(['simulate', ...args, '--format', 'csv']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const [head, ...lines] = r.stdout.trimEnd().split('\n');
  const keys = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i]!, v])));
}

describe('two levels on the command line', () => {
  it('the worked example: the two-level columns follow all the others, guest counts in the usual columns', () => {
    const r = cli(['simulate', example, '--page-size', '1', '--frames', '1', '--guest-memory', '2', '--format', 'csv']);
    expect(r.stdout.split('\n')[0]).toBe(
      'vm,policy,scheduler,frames,accesses,reads,writes,hits,faults,minor_faults,major_faults,fault_rate,swap_ins,swap_outs,evictions,stolen,' +
        `resident_end,resident_peak,swap_end,swap_peak,oom_kills,eat_ns,${LEVEL_COLUMNS}`,
    );
    const [vm] = csv([example, '--page-size', '1', '--frames', '1', '--guest-memory', '2']);
    // SPEC 2.7: guest faults 3 (minor), guest swap-outs 1; host faults 3 (2 minor, 1 major), host swap-outs 2, double paging 1
    expect([vm!.frames, vm!.faults, vm!.minor_faults, vm!.swap_outs]).toEqual(['1', '3', '3', '1']);
    expect([vm!.guest_frames, vm!.host_faults, vm!.host_minor_faults, vm!.host_major_faults, vm!.host_swap_ins, vm!.host_swap_outs]).toEqual(['2', '3', '2', '1', '1', '2']);
    expect([vm!.double_paging, vm!.false_reads, vm!.balloon_end]).toEqual(['1', '0', '0']);
    // EAT, both levels: guest 3 minor + 1 swap-out waited for; host 2 minor + 1 major + 2 swap-outs waited for
    expect(Number(vm!.eat_ns)).toBeCloseTo((3 * 2000 + 50000 + 2 * 2000 + 50000 + 2 * 50000) / 3, 6);
    const [b] = csv([example, '--page-size', '1', '--frames', '1', '--guest-memory', '2', '--reclaim', 'balloon,swap']);
    expect([b!.faults, b!.swap_outs, b!.host_faults, b!.host_minor_faults, b!.host_swap_outs, b!.balloon_end, b!.double_paging]).toEqual(['3', '2', '2', '2', '0', '1', '0']);
  });

  it('memory= per VM in --vm (a bare number is frames) and in --config; a VM given no memory has every page it touches', () => {
    const rows = csv(['--vm', `name=web,trace=${web},memory=2`, '--vm', `name=db,trace=${db}`, '--page-size', '1', '--frames', '8']);
    expect(rows.map((r) => r.guest_frames)).toEqual(['2', '', '']);
    // web: W 0, W 1 in frames 0, 1; R 2 evicts 0 (dirty: guest swap-out); R 0 evicts 1 (dirty), a guest swap-in
    expect([rows[0]!.faults, rows[0]!.major_faults, rows[0]!.swap_outs]).toEqual(['4', '1', '2']);
    expect([rows[1]!.faults, rows[1]!.evictions]).toEqual(['2', '0']);
    const scenario = join(dir, 'two.json');
    writeFileSync(scenario, JSON.stringify({ page_size: 1, frames: 8, guest_policy: 'fifo', vms: [{ name: 'web', trace: web, memory: 2, guest_swap: 'unlimited' }] }));
    const viaConfig = csv(['--config', scenario]);
    expect([viaConfig[0]!.guest_frames, viaConfig[0]!.faults]).toEqual(['2', '4']);
  });

  it('JSON: a levels section explaining each pathology, the guest settings and host figures per VM', () => {
    const r = cli(['simulate', example, '--page-size', '1', '--frames', '1', '--guest-memory', '2', '--format', 'json']);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc.levels.explanations)).toEqual(['double_paging', 'false_reads', 'freed_swap_outs']);
    expect(doc.levels.vms.example).toMatchObject({ guest_frames: 2, guest_policy: 'lru', balloon_max_percent: 65, double_paging: 1, host_touches: 4, freed_swap_outs: 0 });
    expect(doc.config.reclaim).toBe('swap');
  });

  it('--interval adds backed guest frames and the balloon per VM', () => {
    const r = cli(['simulate', example, '--page-size', '1', '--frames', '1', '--guest-memory', '2', '--reclaim', 'balloon,swap', '--interval', '1', '--format', 'csv']);
    const series = r.stdout.split('\n\n')[1]!.trimEnd().split('\n');
    expect(series).toEqual(['t,vm,faults,swap_ins,swap_outs,resident,backed,balloon', '1,example,1,0,0,1,1,0', '2,example,1,0,1,1,1,1', '3,example,1,0,1,1,1,1']);
  });

  it('host --policy opt with --reclaim swap: Belady at the host over the guests\' touches', () => {
    const trace = join(dir, 'opt.plain');
    writeFileSync(trace, 'R 0\nR 1\nR 2\nR 0\n');
    // G = 4: each page its own guest frame; the host sees frames 0, 1, 2, 0. With F = 2, at frame
    // 2 OPT evicts frame 1 (never touched again), so the last touch hits: 3 host faults (lru: 4).
    const [opt] = csv([trace, '--page-size', '1', '--frames', '2', '--guest-memory', '4', '--policy', 'opt']);
    const [lru] = csv([trace, '--page-size', '1', '--frames', '2', '--guest-memory', '4', '--policy', 'lru']);
    expect([opt!.policy, opt!.faults, opt!.host_faults, opt!.host_swap_outs]).toEqual(['opt', '3', '3', '1']);
    expect([lru!.faults, lru!.host_faults]).toEqual(['3', '4']);
  });

  it('--dedup at two levels: the dedup columns before the two-level ones, JSON memory, the share rung, a scenario file', () => {
    // two VMs writing the same content to their page 0 (csv content tokens), one host frame
    const clones = join(dir, 'clones.csv');
    writeFileSync(clones, 'vm,op,addr,content\na,W,0,img\nb,W,0,img\na,R,0,\nb,R,0,\nb,W,0,new\n');
    const r = cli(['simulate', clones, '--page-size', '1', '--frames', '2', '--guest-memory', '2', '--dedup', 'ideal', '--format', 'csv']);
    expect(r.stdout.split('\n')[0]).toBe(
      'vm,policy,scheduler,frames,accesses,reads,writes,hits,faults,minor_faults,major_faults,fault_rate,swap_ins,swap_outs,evictions,stolen,' +
        `resident_end,resident_peak,swap_end,swap_peak,oom_kills,eat_ns,pages_shared,pages_sharing,cow_faults,${LEVEL_COLUMNS}`,
    );
    // W 0 (a): host frame 0; W 0 (b) joins it; both R hits; W 0 (b) with new content: a COW of b
    // into frame 1. At the end nothing is shared; the host touched 2 frames, its peak 2.
    const rows = csv([clones, '--page-size', '1', '--frames', '2', '--guest-memory', '2', '--dedup', 'ideal']);
    expect(rows.map((x) => [x.vm, x.pages_shared, x.pages_sharing, x.cow_faults, x.host_faults, x.backed_end])).toEqual([
      ['a', '0', '0', '0', '1', '1'],
      ['b', '0', '0', '1', '1', '1'],
      ['TOTAL', '0', '0', '1', '2', '2'],
    ]);
    // F = 1 and ksm that never wakes: the third guest frame (b's COW) needs a frame; with share
    // first, nothing identical is left to merge (a's and b's contents differ), so host swap
    const doc = JSON.parse(cli(['simulate', clones, '--page-size', '1', '--frames', '1', '--guest-memory', '2', '--dedup', 'ksm', '--reclaim', 'share,swap', '--format', 'json']).stdout);
    expect(doc.config.reclaim).toBe('share,swap');
    expect(doc.memory.dedup).toBe('ksm');
    expect(doc.levels.total.share_reclaims).toBe(0);
    const scenario = join(dir, 'share.json');
    writeFileSync(scenario, JSON.stringify({ page_size: 1, frames: 2, guest_memory: '8KiB', dedup: 'ideal', reclaim: 'share,swap' }));
    expect(csv([clones, '--config', scenario]).map((x) => x.cow_faults)).toEqual(['0', '1', '1']);
  });

  it('without --dedup a two-level run has neither the dedup columns nor share_reclaims', () => {
    const doc = JSON.parse(cli(['simulate', example, '--page-size', '1', '--frames', '1', '--guest-memory', '2', '--format', 'json']).stdout);
    expect(doc.memory).toBeUndefined();
    expect(doc.levels.total.share_reclaims).toBeUndefined();
    expect(Object.keys(doc.rows[0])).not.toContain('pages_shared');
  });

  it('an explicit --dedup off accepts --reclaim share (a loop over the modes), where the rung frees nothing', () => {
    const base = [example, '--page-size', '1', '--frames', '1', '--guest-memory', '2'];
    const off = cli(['simulate', ...base, '--dedup', 'off', '--reclaim', 'share,swap', '--format', 'csv', '-q']);
    expect(off.status, off.stderr).toBe(0);
    expect(off.stdout).toBe(cli(['simulate', ...base, '--format', 'csv', '-q']).stdout);
  });

  it.each([
    [['--reclaim', 'swap'], /^vmmem: --reclaim: applies to two levels of memory only/],
    [['--guest-memory', '2', '--reclaim', 'balloon,bogus'], /^vmmem: --reclaim: 'bogus' is not one of share, balloon, compress, swap/],
    [['--guest-memory', '2', '--reclaim', 'share,swap'], /^vmmem: --reclaim: share merges identical guest frames, which needs content sharing at the host: give --dedup ideal or --dedup ksm$/m],
    [['--guest-memory', '2', '--dedup', 'ideal', '--host-page', '2MiB'], /^vmmem: two levels of memory .* do not combine with --host-page or --compaction yet/],
    [['--guest-memory', '2', '--balloon-max', '150'], /^vmmem: --balloon-max: '150' is not a percentage/],
    [['--guest-memory', '2', '--compress-ratio', '0.5'], /^vmmem: --compress-ratio: '0.5' is not a ratio/],
    [['--guest-memory', '2', '--policy', 'opt', '--reclaim', 'balloon,swap'], /^vmmem: --policy opt: the host level can look ahead only with --reclaim swap \(or share,swap\): with balloon,swap the guests' accesses depend on the host's choices/],
    [['--guest-memory', '2', '--policy', 'opt', '--reclaim', 'compress,swap'], /^vmmem: --policy opt: .* with compress,swap the guests' accesses depend/],
    [['--guest-memory', '2', '--translation', 'nested'], /^vmmem: --translation with two levels of memory \(memory=, --guest-memory\) is not defined: SPEC 2.3 maps .* which of the two swaps counts$/m],
    [['--guest-memory', '2', '--translation', 'shadow'], /^vmmem: --translation with two levels of memory .* is not defined/],
    [['--vm', 'name=example,memory=0'], /^vmmem: --vm\[0\]\.memory: must be at least one page/],
    [['--vm', 'name=example,balloon=maybe,memory=2'], /^vmmem: --vm\[0\]\.balloon: 'maybe' is not 0 or 1/],
  ])('bad input %j exits 64 with one line', (args, message) => {
    const r = cli(['simulate', example, '--page-size', '1', '--frames', '4', ...args]);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(64);
  });
});
