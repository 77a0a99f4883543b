import { describe, expect, it } from 'vitest';
import { geometricSizes, parseSizeList, resolveSizes } from '../../src/options/sizes.js';
import { UsageError } from '../../src/errors.js';

const frames = (text: string, footprint = 1000) => resolveSizes(parseSizeList(text, '--frames', 4096), footprint);
const memory = (text: string, pageSize = 4096, footprint = 1000) => resolveSizes(parseSizeList(text, '--memory', pageSize), footprint);

describe('size lists', () => {
  it('takes frame counts as written', () => {
    expect(frames('64,128,256')).toEqual([64, 128, 256]);
    expect(frames(' 300 , 7')).toEqual([300, 7]);
  });

  it('expands geometric and arithmetic ranges, both ends included', () => {
    expect(frames('64..4096x2')).toEqual([64, 128, 256, 512, 1024, 2048, 4096]);
    expect(frames('64..1000x2')).toEqual([64, 128, 256, 512]);
    expect(frames('100..400+100')).toEqual([100, 200, 300, 400]);
    // 1, 1.5, 2.25, 3.375, 5.06 rounded
    expect(frames('1..6x1.5')).toEqual([1, 2, 2, 3, 5]);
  });

  it('turns percentages into floor(distinct pages * pct / 100), at least 1', () => {
    // 269210 distinct pages: the reference frames of the CloudPhysics meta file.
    expect(frames('25%,50%,75%', 269210)).toEqual([67302, 134605, 201907]);
    expect(frames('10%..30%+10%', 50)).toEqual([5, 10, 15]);
    expect(frames('0.5%', 10)).toEqual([1]);
    expect(frames('100%,200%', 7)).toEqual([7, 14]);
  });

  it('reads --memory as bytes: frames = floor(size / page size)', () => {
    expect(memory('16MiB,32MiB')).toEqual([4096, 8192]);
    expect(memory('1MiB..4MiBx2')).toEqual([256, 512, 1024]);
    expect(memory('10000', 4096)).toEqual([2]);
    expect(memory('64KiB..192KiB+64KiB', 65536)).toEqual([1, 2, 3]);
    expect(memory('50%', 4096, 9)).toEqual([4]);
  });

  it.each([
    ['64..4096', '--frames', /needs a step/],
    ['16MiB', '--frames', /--memory/],
    ['0', '--frames', /at least 1 frame/],
    ['1KiB', '--memory', /hold no page/],
    ['4096..64x2', '--frames', /backwards/],
    ['10%..64x2', '--frames', /mixes/],
    ['1..64x1', '--frames', /above 1/],
    ['1..64+0', '--frames', /above 0/],
    ['64,,128', '--frames', /empty item/],
    ['0%', '--frames', /above 0%/],
    ['1..1000000+1', '--frames', /more than 100000/],
  ] as const)('refuses %s under %s', (text, option, message) => {
    expect(() => parseSizeList(text, option, 4096)).toThrow(UsageError);
    expect(() => parseSizeList(text, option, 4096)).toThrow(message);
  });

  it('spreads --points geometrically from 1 to the footprint', () => {
    expect(geometricSizes(5, 10000)).toEqual([1, 10, 100, 1000, 10000]);
    expect(geometricSizes(3, 1)).toEqual([1]);
    expect(geometricSizes(1, 77)).toEqual([77]);
    // Repeats from rounding are dropped: 1, 1.41, 2, 2.83, 4
    expect(geometricSizes(5, 4)).toEqual([1, 2, 3, 4]);
  });
});
