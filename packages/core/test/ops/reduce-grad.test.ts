/** The lean Sum and Mean gradients @cat/core installs over tfjs's: dy (/ n) broadcast back, any axes. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import '@cat/core';
import { seeded } from './reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each([
  ['Mean', tf.mean, true],
  ['Sum', tf.sum, false],
] as const)('%s gradient', (_name, reduce, divides) => {
  it.each([
    ['N,H,W of NHWC', [2, 3, 4, 5], [0, 1, 2], false],
    ['last axis, keepDims', [3, 7], [-1], true],
    ['middle axes', [2, 3, 4, 5], [1, 2], false],
    ['all axes', [4, 3], undefined, false],
  ] as const)('%s: d/dx sum(w * reduce(x)) = w broadcast (/ n)', async (_l, shape, axis, keepDims) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const x = tf.tensor(seeded(n, 1), [...shape]);
    const ax = axis === undefined ? undefined : [...axis];
    const outShape = reduce(x, ax, keepDims).shape;
    const wv = seeded(outShape.reduce((a, b) => a * b, 1), 2);
    const w = tf.tensor(wv, outShape);
    const g = tf.grad((v: tf.Tensor) => reduce(v, ax, keepDims))(x, w);
    expect(g.shape).toEqual([...shape]);
    // Reference: the weight of the output cell each input element falls in, over the cell size.
    const axes = axis === undefined ? shape.map((_, i) => i) : axis.map((a) => (a < 0 ? a + shape.length : a));
    const count = axes.reduce((p, i) => p * shape[i], 1);
    const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
    const kept = shape.filter((_, i) => !axes.includes(i));
    const gv = g.dataSync();
    for (let k = 0; k < n; k++) {
      const idx = shape.map((d, i) => Math.floor(k / strides[i]) % d);
      const outIdx = idx.filter((_, i) => !axes.includes(i));
      const flat = outIdx.reduce((acc, v, i) => acc * kept[i] + v, 0);
      expect(Math.abs(gv[k] - wv[flat] / (divides ? count : 1))).toBeLessThan(1e-7);
    }
    const { kernelNames } = await tf.profile(() => tf.grad((v: tf.Tensor) => reduce(v, ax, keepDims))(x, w));
    // tfjs's own gradients multiply by a tensor of ones; the lean ones tile instead.
    expect(kernelNames).toContain('Tile');
    expect(kernelNames).not.toContain('Multiply');
  });
});
