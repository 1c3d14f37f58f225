/**
 * The L2 entry of the threat model's geometry (projection.ts), against values computed by hand:
 * the radial projection per example, the [0,1] clamp after it, the normalised step, the zero
 * gradient guard, and the uniform random start inside the ball.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { l2NormPerExample, projectToBall, randomInBall, Rng, stepInBall } from '@cat/core';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const round = (t: tf.Tensor) => Array.from(t.dataSync()).map((v) => +v.toFixed(6));

describe('the L2 ball', () => {
  // Two examples of 2x2x1: the first moved by (0.3, 0.4, 0, 0) (norm 0.5), the second by (0.1, 0, 0, 0).
  const x = tf.tensor4d([0.5, 0.5, 0.5, 0.5, 0.2, 0.2, 0.2, 0.2], [2, 2, 2, 1]);
  const v = tf.tensor4d([0.8, 0.9, 0.5, 0.5, 0.3, 0.2, 0.2, 0.2], [2, 2, 2, 1]);

  it('projects x + delta * min(1, eps / ||delta||_2) per example', () => {
    // eps 0.25: the first shrinks by half to (0.15, 0.2); the second (norm 0.1) stays.
    expect(round(projectToBall(v, x, 0.25, { norm: 'L2' }))).toEqual([0.65, 0.7, 0.5, 0.5, 0.3, 0.2, 0.2, 0.2]);
    // eps 0.05: both shrink, to (0.03, 0.04) and (0.05, 0).
    expect(round(projectToBall(v, x, 0.05, { norm: 'L2' }))).toEqual([0.53, 0.54, 0.5, 0.5, 0.25, 0.2, 0.2, 0.2]);
  });

  it('clamps to [0,1] after the projection, unless told not to', () => {
    const xe = tf.tensor4d([0.9, 0.5, 0.5, 0.5], [1, 2, 2, 1]);
    const ve = tf.tensor4d([1.2, 0.9, 0.5, 0.5], [1, 2, 2, 1]);
    expect(round(projectToBall(ve, xe, 1, { norm: 'L2' }))).toEqual([1, 0.9, 0.5, 0.5]);
    expect(round(projectToBall(ve, xe, 1, { norm: 'L2', clamp: false }))).toEqual([1.2, 0.9, 0.5, 0.5]);
  });

  it('steps alpha * g / ||g||_2 per example, then projects', () => {
    const g = tf.tensor4d([3, 4, 0, 0, 0, 0, -2, 0], [2, 2, 2, 1]);
    // alpha 0.1 inside eps 1: (0.06, 0.08) and (0, 0, -0.1, 0).
    expect(round(stepInBall(x, g, x, 0.1, 1, { norm: 'L2' }))).toEqual([0.56, 0.58, 0.5, 0.5, 0.2, 0.2, 0.1, 0.2]);
    // eps 0.05 halves both steps.
    expect(round(stepInBall(x, g, x, 0.1, 0.05, { norm: 'L2' }))).toEqual([0.53, 0.54, 0.5, 0.5, 0.2, 0.2, 0.15, 0.2]);
  });

  it('a zero gradient leaves the iterate where it is, without NaN', () => {
    expect(round(stepInBall(v, tf.zerosLike(v), x, 0.1, 1, { norm: 'L2' }))).toEqual(round(v));
    expect(round(projectToBall(x, x, 0.1, { norm: 'L2' }))).toEqual(round(x));
  });

  it('the per-example norm is sqrt of the sum of squares', () => {
    expect(round(l2NormPerExample(tf.sub(v, x) as tf.Tensor4D))).toEqual([0.5, 0.1]);
  });

  it('leaves no tensors behind and keeps its inputs', () => {
    const g = tf.tensor4d([3, 4, 0, 0, 0, 0, -2, 0], [2, 2, 2, 1]);
    const before = tf.memory().numTensors;
    tf.dispose([stepInBall(v, g, x, 0.1, 0.2, { norm: 'L2' }), projectToBall(v, x, 0.2, { norm: 'L2' }), randomInBall(x.shape, 0.2, new Rng(1), 'L2')]);
    expect(tf.memory().numTensors).toBe(before);
    expect(round(v)).toEqual([0.8, 0.9, 0.5, 0.5, 0.3, 0.2, 0.2, 0.2]);
  });
});

describe('the L2 random start', () => {
  it('draws inside the ball, uniformly in radius: E||z|| = r d / (d + 1)', () => {
    const d = 4;
    const z = randomInBall([4000, 2, 2, 1], 0.5, new Rng(3), 'L2');
    const norms = Array.from(l2NormPerExample(z).dataSync());
    expect(Math.max(...norms)).toBeLessThanOrEqual(0.5 + 1e-6);
    const mean = norms.reduce((a, b) => a + b, 0) / norms.length;
    expect(mean).toBeCloseTo((0.5 * d) / (d + 1), 2);
    // Uniform in the ball: the fraction inside radius r/2 is (1/2)^d.
    const inner = norms.filter((n) => n < 0.25).length / norms.length;
    expect(Math.abs(inner - 0.5 ** d)).toBeLessThan(0.02);
    // Symmetric directions: each coordinate's mean is near 0.
    for (const m of Array.from(tf.mean(z, 0).dataSync())) expect(Math.abs(m)).toBeLessThan(0.02);
  });

  it('is reproducible from the stream, and L-inf stays U(-r, r) per value', () => {
    expect(round(randomInBall([3, 2, 2, 1], 0.5, new Rng(9), 'L2'))).toEqual(round(randomInBall([3, 2, 2, 1], 0.5, new Rng(9), 'L2')));
    const u = Array.from(randomInBall([200, 2, 2, 1], 0.3, new Rng(9)).dataSync());
    expect(Math.max(...u.map(Math.abs))).toBeLessThanOrEqual(0.3);
  });
});
