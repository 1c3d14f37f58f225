/**
 * The fused batch-norm gradient @cat/core installs over tfjs's, on the cpu backend: training-mode
 * batch norm (moments of the batch, as tfjs-layers computes them) differentiated for x, scale and
 * offset, against finite differences of a float64 reference; other cases keep tfjs's gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import '@cat/core';
import { dot, finiteDiff, maxErr, seeded } from './reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const [rows, c] = [2 * 3 * 2, 3];
const shape = [2, 3, 2, c];
const xv = seeded(rows * c, 1, -2, 2);
const sv = seeded(c, 2, 0.5, 1.5);
const ov = seeded(c, 3);
const wv = seeded(rows * c, 4);
const eps = 1e-3;

/** sum(w * batchNorm(x)) with the batch's own mean and (biased) variance per channel, float64. */
function refLoss(x: number[], s: number[], o: number[]): number {
  const y = new Array<number>(x.length);
  for (let j = 0; j < c; j++) {
    let m = 0;
    for (let r = 0; r < rows; r++) m += x[r * c + j] / rows;
    let v = 0;
    for (let r = 0; r < rows; r++) v += (x[r * c + j] - m) ** 2 / rows;
    for (let r = 0; r < rows; r++) y[r * c + j] = o[j] + ((x[r * c + j] - m) * s[j]) / Math.sqrt(v + eps);
  }
  return dot(wv, y);
}

function trainingBn(x: tf.Tensor, s: tf.Tensor, o: tf.Tensor): tf.Scalar {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.sum(tf.mul(tf.batchNorm(x, mean, variance, o, s, eps), tf.tensor(wv, shape)));
}

describe('batch-norm gradient', () => {
  it('matches finite differences for x, scale and offset, through the fused kernel', async () => {
    const args = [tf.tensor(xv, shape), tf.tensor1d(sv), tf.tensor1d(ov)];
    const [gx, gs, go] = tf.grads(trainingBn)(args).map((t) => Array.from(t.dataSync()));
    expect(maxErr(gx, finiteDiff((x) => refLoss(x, sv, ov), xv))).toBeLessThan(1e-4);
    expect(maxErr(gs, finiteDiff((s) => refLoss(xv, s, ov), sv))).toBeLessThan(1e-4);
    expect(maxErr(go, finiteDiff((o) => refLoss(xv, sv, o), ov))).toBeLessThan(1e-4);
    const { kernelNames } = await tf.profile(() => tf.grads(trainingBn)(args));
    expect(kernelNames).toContain('CatBatchNormGrad');
  });

  it('keeps tfjs gradient for full-shape statistics (not per channel)', async () => {
    const x = tf.tensor(xv, shape);
    const m = tf.tensor(seeded(rows * c, 5), shape);
    const v = tf.tensor(seeded(rows * c, 6, 0.5, 1.5), shape);
    // tfjs's own gradient needs offset and scale present (it fails without them).
    const [o, s] = [tf.zeros(shape), tf.ones(shape)];
    const f = (xx: tf.Tensor) => tf.sum(tf.mul(tf.batchNorm(xx, m, v, o, s, eps), tf.tensor(wv, shape)));
    const g = Array.from(tf.grad(f)(x).dataSync());
    const vArr = v.dataSync();
    g.forEach((gi, i) => expect(Math.abs(gi - wv[i] / Math.sqrt(vArr[i] + eps))).toBeLessThan(1e-5));
    const { kernelNames } = await tf.profile(() => tf.grad(f)(x));
    expect(kernelNames).not.toContain('CatBatchNormGrad');
  });
});
