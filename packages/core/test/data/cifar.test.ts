import { describe, expect, it } from 'vitest';
import {
  CIFAR100_COARSE_LAYOUT, CIFAR100_FINE_LAYOUT, CIFAR10_LAYOUT, DataFormatError, concatImageSets, parseCifar,
} from '@cat/core';
import { cifarRecord, concat, gzip } from './fixtures.js';

const F = 'dir/data_batch_1.bin';
const pix = (n: number) => (c: number, i: number, j: number) => (n * 7 + c * 50 + i * 3 + j) % 256;

describe('CIFAR binary records', () => {
  const bytes = concat([cifarRecord([3], pix(0)), cifarRecord([9], pix(1))]);

  it('converts CHW records to NHWC in [0,1] (checked against a naive loop)', () => {
    const s = parseCifar(bytes, F, CIFAR10_LAYOUT);
    expect([s.count, s.height, s.width, s.channels]).toEqual([2, 32, 32, 3]);
    expect(Array.from(s.labels)).toEqual([3, 9]);
    for (let n = 0; n < 2; n++) for (let i = 0; i < 32; i++) for (let j = 0; j < 32; j++) for (let c = 0; c < 3; c++) {
      const want = pix(n)(c, i, j) / 255;
      const got = s.images[((n * 32 + i) * 32 + j) * 3 + c];
      if (Math.abs(got - want) > 1e-7) throw new Error(`mismatch at n${n} i${i} j${j} c${c}: ${got} vs ${want}`);
    }
  });

  it('reads gzip-compressed batches too', () => {
    expect(Array.from(parseCifar(gzip(bytes), F, CIFAR10_LAYOUT).images)).toEqual(Array.from(parseCifar(bytes, F, CIFAR10_LAYOUT).images));
  });

  it('reads CIFAR-100 fine labels by default and coarse on request', () => {
    const b = concat([cifarRecord([4, 77], pix(0)), cifarRecord([19, 99], pix(1))]);
    expect(Array.from(parseCifar(b, 'train.bin', CIFAR100_FINE_LAYOUT).labels)).toEqual([77, 99]);
    expect(Array.from(parseCifar(b, 'train.bin', CIFAR100_COARSE_LAYOUT).labels)).toEqual([4, 19]);
  });

  it('rejects a size that is not a multiple of the record size, naming file and sizes', () => {
    expect(() => parseCifar(bytes.subarray(0, bytes.length - 1), F, CIFAR10_LAYOUT)).toThrow(DataFormatError);
    expect(() => parseCifar(bytes.subarray(0, bytes.length - 1), F, CIFAR10_LAYOUT)).toThrow(
      /data_batch_1.bin: CIFAR file size 6145 is not a multiple of the record size 3073/,
    );
    // A CIFAR-10 file read as CIFAR-100 is caught by its size.
    expect(() => parseCifar(bytes, 'train.bin', CIFAR100_FINE_LAYOUT)).toThrow(/record size 3074/);
  });

  it('rejects an empty file and labels out of range', () => {
    expect(() => parseCifar(new Uint8Array(0), F, CIFAR10_LAYOUT)).toThrow(/empty/);
    expect(() => parseCifar(cifarRecord([10], pix(0)), F, CIFAR10_LAYOUT)).toThrow(/label 10 of record 0 is out of range: expected 0..9/);
    expect(() => parseCifar(cifarRecord([20, 5], pix(0)), F, CIFAR100_COARSE_LAYOUT)).toThrow(/label 20 .* expected 0..19/);
  });

  it('concatenates batches in order', () => {
    const a = parseCifar(cifarRecord([1], pix(0)), F, CIFAR10_LAYOUT);
    const b = parseCifar(bytes, F, CIFAR10_LAYOUT);
    const c = concatImageSets([a, b]);
    expect(c.count).toBe(3);
    expect(Array.from(c.labels)).toEqual([1, 3, 9]);
    expect(c.images[3072 * 2 + 5]).toBe(b.images[3072 + 5]);
  });
});
