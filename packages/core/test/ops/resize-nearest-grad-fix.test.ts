/**
 * The corrected cpu ResizeNearestNeighborGrad that @cat/core registers: the exact adjoint of the
 * forward resize for every image of a batch (tfjs 4.22's own kernel is wrong after the first).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import '@cat/core';
import { dot, seeded } from './reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const CASES: [string, [number, number, number, number], [number, number], boolean, boolean][] = [
  ['14->28, batch 3 (MNIST mask net)', [3, 14, 14, 2], [28, 28], false, false],
  ['4->32, batch 2 (CIFAR mask net)', [2, 4, 4, 3], [32, 32], false, false],
  ['non-square, alignCorners, batch 2', [2, 5, 7, 1], [11, 6], true, false],
  ['halfPixelCenters, batch 2', [2, 9, 6, 2], [4, 5], false, true],
];

describe('ResizeNearestNeighborGrad on cpu', () => {
  it.each(CASES)('%s: <resize(x), dy> = <x, grad(dy)> and each dy lands on the pixel it was read from', (_l, shape, size, ac, hp) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const xv = seeded(n, 5);
    const x = tf.tensor4d(xv, shape);
    const outN = shape[0] * size[0] * size[1] * shape[3];
    const dyv = seeded(outN, 6);
    const dy = tf.tensor4d(dyv, [shape[0], size[0], size[1], shape[3]]);
    const resize = (v: tf.Tensor) => tf.image.resizeNearestNeighbor(v as tf.Tensor4D, size, ac, hp);
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(resize(v), dy)))(x).dataSync();
    expect(Math.abs(dot(resize(x).dataSync(), dyv) - dot(xv, dx))).toBeLessThan(1e-3);
    // Naive adjoint: resize the pixel indices themselves, then scatter dy onto them.
    const idx = resize(tf.tensor4d(Array.from({ length: n }, (_, i) => i), shape)).dataSync();
    const want = new Float64Array(n);
    idx.forEach((src, k) => (want[src] += dyv[k]));
    want.forEach((w, i) => expect(Math.abs(dx[i] - w)).toBeLessThan(1e-5));
  });
});
