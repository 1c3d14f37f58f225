/**
 * The fused ops on the cpu backend: each runs as its Cat* kernel, matches an independent float64
 * reference, and its analytic gradient matches finite differences of that reference.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { calibrate, klDivBatchMean, klDivergence, logSoftmax, signStepProject, softmaxCrossEntropy } from '@cat/core';
import { dot, finiteDiff, maxErr, refCe, refKl, refLogSoftmax, seeded } from './reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Kernel names run while `fn` executes (tfjs's profiler records every kernel). */
async function kernelsRun(fn: () => tf.Tensor | tf.Tensor[]): Promise<string[]> {
  const info = await tf.profile(() => fn());
  return info.kernelNames;
}

const arr = (t: tf.Tensor) => Array.from(t.dataSync());

describe('signStepProject', () => {
  it('runs as one kernel and steps, projects and clamps (hand-computed)', async () => {
    const x = tf.tensor4d([0.5, 0.5, 0.5, 0.95, 0.02, 0.5], [1, 1, 2, 3]);
    const xAdv = tf.tensor4d([0.5, 0.58, 0.45, 0.95, 0.02, 0.62], [1, 1, 2, 3]);
    const g = tf.tensor4d([1, 1, -1, 0, -3, 2], [1, 1, 2, 3]);
    const out = signStepProject(xAdv, g, x, 0.05, 0.1);
    // 0.55; 0.63 -> x+eps 0.6; 0.40; sign(0) keeps 0.95; 0.02-0.05 -> 0; 0.67 -> 0.6.
    expect(maxErr(arr(out), [0.55, 0.6, 0.4, 0.95, 0, 0.6])).toBeLessThan(1e-6);
    expect(await kernelsRun(() => signStepProject(xAdv, g, x, 0.05, 0.1))).toEqual(['CatSignStepProject']);
  });

  it('agrees with the composite on random data and keeps |x_adv - x| <= eps, x_adv in [0,1]', () => {
    const shape = [2, 5, 3, 2];
    const n = 60;
    const xv = seeded(n, 1, 0, 1);
    const x = tf.tensor4d(xv, shape as [number, number, number, number]);
    const xAdv = tf.tensor4d(seeded(n, 2, 0, 1), x.shape);
    const g = tf.tensor4d(seeded(n, 3), x.shape);
    const got = arr(signStepProject(xAdv, g, x, 0.1, 0.3));
    const want = arr(tf.clipByValue(tf.minimum(tf.maximum(tf.add(xAdv, tf.mul(tf.sign(g), 0.1)), tf.sub(x, 0.3)), tf.add(x, 0.3)), 0, 1));
    expect(got).toEqual(want);
    got.forEach((v, i) => {
      expect(Math.abs(v - xv[i])).toBeLessThanOrEqual(0.3 + 1e-6);
      expect(v >= 0 && v <= 1).toBe(true);
    });
  });

  it('passes no gradient and rejects a bad eps', () => {
    const x = tf.ones([1, 2, 2, 1]) as tf.Tensor4D;
    const dg = tf.grad((xa: tf.Tensor) => tf.sum(signStepProject(xa as tf.Tensor4D, x, x, 0.1, 0.1)))(tf.zeros([1, 2, 2, 1]));
    expect(arr(dg)).toEqual([0, 0, 0, 0]);
    expect(() => signStepProject(x, x, x, 0.1, -1)).toThrow(/eps/);
    expect(() => signStepProject(x, x, x, NaN, 0.1)).toThrow(/alpha/);
  });
});

describe('calibrate', () => {
  const shape: [number, number, number, number] = [2, 3, 2, 2];
  const n = 24;
  // The first two elements are clipped (below 0, above 1) so both clip branches are tested.
  const xv = [0.05, 0.95, ...seeded(n - 2, 11, 0, 1)];
  const dv = [-0.3, 0.3, ...seeded(n - 2, 12, -0.4, 0.4)];
  const mv = [0.9, 0.8, ...seeded(n - 2, 13, 0, 1)];
  const wv = seeded(n, 14);
  // Reference: sum(w * clip(x + m * d, 0, 1)).
  const ref = (x: number[], d: number[], m: number[]) => dot(wv, x.map((v, i) => Math.min(1, Math.max(0, v + m[i] * d[i]))));

  it('runs as one kernel and matches clip(x + mask * delta, 0, 1)', async () => {
    const [x, d, m] = [xv, dv, mv].map((v) => tf.tensor4d(v, shape));
    const got = arr(calibrate(x, d, m));
    expect(maxErr(got, xv.map((v, i) => Math.min(1, Math.max(0, v + mv[i] * dv[i]))))).toBeLessThan(1e-6);
    expect(await kernelsRun(() => calibrate(x, d, m))).toEqual(['CatCalibrate']);
  });

  it('has gradients for x, delta and mask equal to finite differences', () => {
    // Away from the clip's kinks (farther than the step 1e-5), central differences are exact.
    const z = xv.map((v, i) => v + mv[i] * dv[i]);
    expect(z.every((v) => Math.abs(v) > 1e-4 && Math.abs(v - 1) > 1e-4)).toBe(true);
    expect(z.some((v) => v < 0 || v > 1)).toBe(true);
    const w = tf.tensor4d(wv, shape);
    const f = (x: tf.Tensor, d: tf.Tensor, m: tf.Tensor) => tf.sum(tf.mul(calibrate(x as tf.Tensor4D, d as tf.Tensor4D, m as tf.Tensor4D), w));
    const [gx, gd, gm] = tf.grads(f)([xv, dv, mv].map((v) => tf.tensor4d(v, shape))).map(arr);
    expect(maxErr(gx, finiteDiff((x) => ref(x, dv, mv), xv))).toBeLessThan(1e-4);
    expect(maxErr(gd, finiteDiff((d) => ref(xv, d, mv), dv))).toBeLessThan(1e-4);
    expect(maxErr(gm, finiteDiff((m) => ref(xv, dv, m), mv))).toBeLessThan(1e-4);
  });

  it('broadcasts a [N,H,W,1] or scalar mask through the composite path', () => {
    const x = tf.tensor4d(xv, shape);
    const d = tf.tensor4d(dv, shape);
    const m1 = tf.ones([2, 3, 2, 1]) as tf.Tensor4D;
    expect(arr(calibrate(x, d, m1))).toEqual(arr(tf.clipByValue(tf.add(x, d), 0, 1)));
    expect(arr(calibrate(x, d, tf.scalar(1) as unknown as tf.Tensor4D))).toEqual(arr(tf.clipByValue(tf.add(x, d), 0, 1)));
  });
});

describe('logSoftmax', () => {
  const [rows, cols] = [4, 6];
  const zv = seeded(rows * cols, 21, -6, 6);
  const wv = seeded(rows * cols, 22);

  it('runs as one kernel and matches the float64 reference', async () => {
    const z = tf.tensor2d(zv, [rows, cols]);
    expect(maxErr(arr(logSoftmax(z)), refLogSoftmax(zv, cols))).toBeLessThan(1e-5);
    expect(await kernelsRun(() => logSoftmax(z))).toEqual(['CatLogSoftmax']);
  });

  it('has a gradient equal to finite differences', () => {
    const w = tf.tensor2d(wv, [rows, cols]);
    const g = arr(tf.grad((z: tf.Tensor) => tf.sum(tf.mul(logSoftmax(z as tf.Tensor2D), w)))(tf.tensor2d(zv, [rows, cols])));
    expect(maxErr(g, finiteDiff((z) => dot(wv, refLogSoftmax(z, cols)), zv))).toBeLessThan(1e-4);
  });

  it('is stable for huge logits', () => {
    expect(arr(logSoftmax(tf.tensor2d([[1000, 0]])))).toEqual([0, -1000]);
  });
});

describe('klDivergence and klDivBatchMean', () => {
  const [rows, cols] = [5, 4];
  const pv = seeded(rows * cols, 31, -3, 3);
  const qv = seeded(rows * cols, 32, -3, 3);
  const wv = seeded(rows, 33);

  it('match KL(p || q) per row and its batch mean; zero for equal inputs', async () => {
    const p = tf.tensor2d(pv, [rows, cols]);
    const q = tf.tensor2d(qv, [rows, cols]);
    const want = refKl(pv, qv, cols);
    expect(maxErr(arr(klDivergence(p, q)), want)).toBeLessThan(1e-5);
    expect(Math.abs(klDivBatchMean(p, q).dataSync()[0] - want.reduce((a, b) => a + b) / rows)).toBeLessThan(1e-5);
    expect(Math.max(...arr(klDivergence(p, p)).map(Math.abs))).toBeLessThan(1e-6);
    expect(await kernelsRun(() => klDivergence(p, q))).toContain('CatKlDiv');
  });

  it('has gradients for both arguments equal to finite differences', () => {
    const w = tf.tensor1d(wv);
    const f = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(klDivergence(p as tf.Tensor2D, q as tf.Tensor2D), w));
    const [gp, gq] = tf.grads(f)([tf.tensor2d(pv, [rows, cols]), tf.tensor2d(qv, [rows, cols])]).map(arr);
    expect(maxErr(gp, finiteDiff((p) => dot(wv, refKl(p, qv, cols)), pv))).toBeLessThan(1e-4);
    expect(maxErr(gq, finiteDiff((q) => dot(wv, refKl(pv, q, cols)), qv))).toBeLessThan(1e-4);
  });

  it('rejects mismatched shapes', () => {
    expect(() => klDivergence(tf.zeros([2, 3]), tf.zeros([2, 4]))).toThrow(/\[N, K\]/);
  });
});

describe('softmaxCrossEntropy', () => {
  const [rows, cols] = [3, 5];
  const zv = seeded(rows * cols, 41, -4, 4);
  const tv = seeded(rows * cols, 42, 0, 1);
  const wv = seeded(rows, 43);

  it('matches the reference and tfjs losses with one-hot and index labels', async () => {
    const z = tf.tensor2d(zv, [rows, cols]);
    expect(maxErr(arr(softmaxCrossEntropy(z, tf.tensor2d(tv, [rows, cols]))), refCe(zv, tv, cols))).toBeLessThan(1e-5);
    const y = tf.tensor1d([4, 0, 2], 'int32');
    const oneHot = tf.oneHot(y, cols);
    const tfjs = tf.losses.softmaxCrossEntropy(oneHot, z, undefined, 0, tf.Reduction.NONE);
    expect(maxErr(arr(softmaxCrossEntropy(z, y)), arr(tfjs))).toBeLessThan(1e-5);
    expect(maxErr(arr(softmaxCrossEntropy(z, oneHot as tf.Tensor2D)), arr(tfjs))).toBeLessThan(1e-5);
    expect(await kernelsRun(() => softmaxCrossEntropy(z, tf.tensor2d(tv, [rows, cols])))).toContain('CatSoftmaxCrossEntropy');
  });

  it('has gradients for logits and labels equal to finite differences', () => {
    const w = tf.tensor1d(wv);
    const f = (z: tf.Tensor, t: tf.Tensor) => tf.sum(tf.mul(softmaxCrossEntropy(z as tf.Tensor2D, t as tf.Tensor2D), w));
    const [gz, gt] = tf.grads(f)([tf.tensor2d(zv, [rows, cols]), tf.tensor2d(tv, [rows, cols])]).map(arr);
    expect(maxErr(gz, finiteDiff((z) => dot(wv, refCe(z, tv, cols)), zv))).toBeLessThan(1e-4);
    expect(maxErr(gt, finiteDiff((t) => dot(wv, refCe(zv, t, cols)), tv))).toBeLessThan(1e-4);
  });

  it('rejects labels of the wrong shape', () => {
    expect(() => softmaxCrossEntropy(tf.zeros([2, 3]), tf.zeros([3]) as tf.Tensor1D)).toThrow(/class labels/);
    expect(() => softmaxCrossEntropy(tf.zeros([2, 3]), tf.zeros([2, 4]))).toThrow(/labels must be/);
  });
});
