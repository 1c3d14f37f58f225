import { describe, expect, it } from 'vitest';
import { DataFormatError, maybeGunzip, parseIdxImages, parseIdxLabels } from '@cat/core';
import { gzip, idxImages, idxLabels } from './fixtures.js';

const F = 'some/dir/train-images-idx3-ubyte';

describe('IDX images', () => {
  const pixel = (n: number, i: number, j: number) => n * 100 + i * 10 + j;
  const raw = idxImages(2, 3, 4, pixel);

  it('reads count, shape and pixels scaled to [0,1]', () => {
    const r = parseIdxImages(raw, F);
    expect([r.count, r.height, r.width]).toEqual([2, 3, 4]);
    expect(r.images.length).toBe(24);
    // image 1, row 2, col 3 -> 100 + 20 + 3 = 123
    expect(r.images[1 * 12 + 2 * 4 + 3]).toBeCloseTo(123 / 255, 7);
    expect(r.images[0]).toBe(0);
  });

  it('reads gzip the same as raw (detected by magic bytes, not by name)', () => {
    const a = parseIdxImages(raw, F);
    const b = parseIdxImages(gzip(raw), F);
    expect(Array.from(b.images)).toEqual(Array.from(a.images));
  });

  it('maps byte 255 to exactly 1', () => {
    expect(parseIdxImages(idxImages(1, 1, 1, () => 255), F).images[0]).toBe(1);
  });

  it('rejects a wrong magic number, naming the file and both numbers', () => {
    const bad = idxLabels([1, 2]);
    expect(() => parseIdxImages(bad, F)).toThrow(DataFormatError);
    expect(() => parseIdxImages(bad, F)).toThrow(/train-images-idx3-ubyte.*magic number 0x00000801, expected 0x00000803/);
  });

  it('rejects truncated data, truncated headers and trailing bytes', () => {
    expect(() => parseIdxImages(raw.subarray(0, raw.length - 1), F)).toThrow(/truncated IDX images file/);
    expect(() => parseIdxImages(raw.subarray(0, 10), F)).toThrow(/header needs 16 bytes/);
    expect(() => parseIdxImages(raw.subarray(0, 2), F)).toThrow(/shorter than the 4-byte magic/);
    const long = new Uint8Array(raw.length + 3);
    long.set(raw);
    expect(() => parseIdxImages(long, F)).toThrow(/3 bytes after/);
  });

  it('rejects truncated and corrupt gzip with a DataFormatError naming the file', () => {
    const gz = gzip(raw);
    expect(() => parseIdxImages(gz.subarray(0, gz.length - 9), F)).toThrow(DataFormatError);
    expect(() => parseIdxImages(gz.subarray(0, gz.length - 9), F)).toThrow(/some\/dir\/train-images.*gzip data is truncated or corrupt/);
    const corrupt = gz.slice();
    corrupt[12] ^= 0xff;
    corrupt[13] ^= 0xff;
    expect(() => parseIdxImages(corrupt, F)).toThrow(DataFormatError);
  });

  it('refuses gzip output beyond the size limit', () => {
    expect(() => maybeGunzip(gzip(new Uint8Array(5000)), F, 1000)).toThrow(DataFormatError);
    expect(maybeGunzip(gzip(new Uint8Array(500)), F, 1000).length).toBe(500);
  });
});

describe('IDX labels', () => {
  const L = 'x/t10k-labels-idx1-ubyte.gz';
  it('reads labels', () => {
    expect(Array.from(parseIdxLabels(idxLabels([3, 0, 9, 9]), L, 10))).toEqual([3, 0, 9, 9]);
    expect(Array.from(parseIdxLabels(gzip(idxLabels([7])), L, 10))).toEqual([7]);
  });
  it('rejects a label out of range, saying which and what was expected', () => {
    expect(() => parseIdxLabels(idxLabels([1, 10]), L, 10)).toThrow(/label 10 at index 1 is out of range: expected 0..9/);
  });
  it('rejects an images file given as labels', () => {
    expect(() => parseIdxLabels(idxImages(1, 2, 2, () => 0), L)).toThrow(/magic number 0x00000803, expected 0x00000801/);
  });
  it('rejects a truncated label file', () => {
    const b = idxLabels([1, 2, 3]);
    expect(() => parseIdxLabels(b.subarray(0, b.length - 1), L)).toThrow(/truncated IDX labels file.*header says 3/);
  });
});
