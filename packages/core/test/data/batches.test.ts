import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, batchCount, batchToTensors, batches, padCropFlip, subset, type ImageSet } from '@cat/core';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** n images of h x w x c whose every value encodes (image, row, col, channel), label = n % k. */
function synthetic(n: number, h = 4, w = 4, c = 2, k = 3): ImageSet {
  const images = new Float32Array(n * h * w * c);
  for (let i = 0; i < images.length; i++) images[i] = i + 1;
  return { images, labels: Int32Array.from({ length: n }, (_, i) => i % k), count: n, height: h, width: w, channels: c };
}

/** Image index of a batch row, recovered from its first value. */
const imageOf = (set: ImageSet, x: Float32Array, b: number) => {
  const per = set.height * set.width * set.channels;
  return (x[b * per] - 1) / per;
};

describe('batches', () => {
  it('yields the set in order without an rng, with a short last batch unless dropLast', () => {
    const set = synthetic(10);
    const bs = [...batches(set, { batchSize: 4 })];
    expect(bs.map((b) => b.size)).toEqual([4, 4, 2]);
    expect(bs.flatMap((b) => Array.from({ length: b.size }, (_, i) => imageOf(set, b.x, i)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(bs[2].y)).toEqual([8 % 3, 9 % 3]);
    expect([...batches(set, { batchSize: 4, dropLast: true })].map((b) => b.size)).toEqual([4, 4]);
    expect(batchCount(set, { batchSize: 4 })).toBe(3);
    expect(batchCount(set, { batchSize: 4, dropLast: true })).toBe(2);
  });

  it('shuffles with an rng: a permutation, labels still matching images, same seed same order', () => {
    const set = synthetic(50);
    const order = (seed: number) =>
      [...batches(set, { batchSize: 8, rng: new Rng(seed) })].flatMap((b) =>
        Array.from({ length: b.size }, (_, i) => {
          const idx = imageOf(set, b.x, i);
          expect(b.y[i]).toBe(set.labels[idx]);
          return idx;
        }));
    const a = order(1);
    expect([...a].sort((p, q) => p - q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(order(1)).toEqual(a);
    expect(order(2)).not.toEqual(a);
    expect(a).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('rejects bad options', () => {
    const set = synthetic(3);
    expect(() => [...batches(set, { batchSize: 0 })]).toThrow(/batchSize must be a positive integer, got 0/);
    expect(() => [...batches(set, { batchSize: 1.5 })]).toThrow(/batchSize/);
    expect(() => [...batches(set, { batchSize: 2, augment: true })]).toThrow(/augment needs an rng/);
  });

  it('turns a batch into NHWC float32 and int32 tensors', () => {
    const set = synthetic(5);
    const [b] = [...batches(set, { batchSize: 3 })];
    const t = batchToTensors(b, set);
    expect(t.x.shape).toEqual([3, 4, 4, 2]);
    expect(t.y.dtype).toBe('int32');
    expect(t.x.dataSync()[5]).toBe(6);
    expect(Array.from(t.y.dataSync())).toEqual([0, 1, 2]);
    tf.dispose([t.x, t.y]);
    expect(() => batchToTensors({ ...b, size: 2 }, set)).toThrow(/batch of 2 holds 96 values/);
  });
});

/** Naive reference: build the zero-padded image, crop at (top, left), flip if asked. */
function reference(img: Float32Array, h: number, w: number, c: number, pad: number, top: number, left: number, flip: boolean): Float32Array {
  const H = h + 2 * pad;
  const W = w + 2 * pad;
  const padded = new Float32Array(H * W * c);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let k = 0; k < c; k++) {
    padded[((i + pad) * W + (j + pad)) * c + k] = img[(i * w + j) * c + k];
  }
  const out = new Float32Array(h * w * c);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let k = 0; k < c; k++) {
    const jj = flip ? w - 1 - j : j;
    out[(i * w + j) * c + k] = padded[((top + i) * W + (left + jj)) * c + k];
  }
  return out;
}

describe('pad-crop-flip augmentation', () => {
  it('matches a naive pad/crop/flip for many draws', () => {
    const h = 6, w = 5, c = 3, pad = 2;
    const img = Float32Array.from({ length: h * w * c }, (_, i) => i + 1);
    const rng = new Rng(7);
    const seen = new Set<string>();
    for (let t = 0; t < 600; t++) {
      const twin = Rng.fromState(rng.state());
      const top = twin.int(2 * pad + 1);
      const left = twin.int(2 * pad + 1);
      const flip = twin.next() < 0.5;
      seen.add(`${top},${left},${flip}`);
      const out = new Float32Array(h * w * c);
      padCropFlip(img, 0, out, 0, h, w, c, pad, rng);
      expect(Array.from(out)).toEqual(Array.from(reference(img, h, w, c, pad, top, left, flip)));
      expect(rng.state()).toEqual(twin.state());
    }
    expect(seen.size).toBe(5 * 5 * 2);
  });

  it('in batches: each CIFAR-sized image is augmented, reproducibly per seed', () => {
    const set = synthetic(6, 32, 32, 3);
    const run = (seed: number) => [...batches(set, { batchSize: 4, rng: new Rng(seed), augment: true })];
    const a = run(3);
    const b = run(3);
    expect(Array.from(a[0].x)).toEqual(Array.from(b[0].x));
    const plain = [...batches(set, { batchSize: 4, rng: new Rng(3) })];
    expect(Array.from(a[0].y)).toEqual(Array.from(plain[0].y));
    expect(Array.from(a[0].x)).not.toEqual(Array.from(plain[0].x));
    // Zero padding shows up as zeros; the original values never contain zero.
    expect(a.some((bt) => bt.x.some((v) => v === 0))).toBe(true);
  });
});

describe('subset', () => {
  const set = synthetic(30, 2, 2, 1, 3); // 10 of each class

  it('keeps class proportions and the original order', () => {
    const s = subset(set, 9);
    expect(s.count).toBe(9);
    const counts = [0, 0, 0];
    for (const l of s.labels) counts[l]++;
    expect(counts).toEqual([3, 3, 3]);
    expect(Array.from(s.labels)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(s.images[0]).toBe(1);
  });

  it('hands out remainders to the largest fractional shares', () => {
    const uneven: ImageSet = { ...synthetic(10, 1, 1, 1), labels: Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 2]) };
    const s = subset(uneven, 5); // exact shares 3, 1.5, 0.5 -> 3, 2, 0 (tie 1.5 vs 0.5: larger wins)
    const counts = [0, 0, 0];
    for (const l of s.labels) counts[l]++;
    expect(counts).toEqual([3, 2, 0]);
  });

  it('draws a random stratified choice with an rng; clamps n to the set; rejects bad n', () => {
    const a = subset(set, 6, new Rng(1));
    const b = subset(set, 6, new Rng(2));
    expect(a.count).toBe(6);
    expect(Array.from(a.images)).not.toEqual(Array.from(b.images));
    expect(subset(set, 100).count).toBe(30);
    expect(() => subset(set, 0)).toThrow(/n must be a positive integer, got 0/);
  });
});
