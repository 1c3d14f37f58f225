import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildClassifier, buildMaskNet, CatMethod, nativeAvailable, Rng, useBackend, type TrainState } from '@cat/core';
import { maxChange, snapshot } from './fixtures.js';

beforeAll(async () => {
  // The native backend when built: these convolutions take about a minute on the cpu backend.
  await useBackend(nativeAvailable() ? 'native' : 'cpu');
});

// The spec's MNIST networks with the spec's MNIST CAT settings, on a batch of two, one PGD step
// (pure tfjs on the cpu backend is slow for these convolutions).
describe('CAT on the spec MNIST CNN and mask net', () => {
  // Generous timeout for the cpu fallback (about a minute there, under a second on native).
  it('keeps the update discipline and the attack budget', { timeout: 300_000 }, () => {
    const state: TrainState = {
      f: buildClassifier('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 1 }),
      g: buildMaskNet('mnist-mask', { inputShape: [28, 28, 1], seed: 2 }),
      optF: tf.train.adam(1e-3),
      optG: tf.train.adam(1e-3),
      rng: new Rng(3),
      epoch: 0,
      epochs: 40,
    };
    const rng = new Rng(4);
    const x = tf.tensor4d(Float32Array.from({ length: 2 * 784 }, () => rng.next()), [2, 28, 28, 1]);
    const batch = { x, y: tf.tensor1d([3, 7], 'int32') };
    const cat = new CatMethod({ eps: 0.3, alpha: 0.015, steps: 1, a: 1, b: 0.3, kappa: 150 });
    const xAdv = cat.perturb(state, batch);
    expect(tf.max(tf.abs(tf.sub(xAdv, x))).dataSync()[0]).toBeLessThanOrEqual(0.3 + 1e-6);
    const f0 = snapshot(state.f);
    const g0 = snapshot(state.g!);
    cat.updateClassifier(state, batch, xAdv);
    const f1 = snapshot(state.f);
    expect(maxChange(f0, f1)).toBeGreaterThan(0);
    expect(maxChange(g0, snapshot(state.g!))).toBe(0);
    const lg = cat.updateMask(state, batch, xAdv);
    expect(maxChange(f1, snapshot(state.f))).toBe(0);
    expect(maxChange(g0, snapshot(state.g!))).toBeGreaterThan(0);
    expect(Number.isFinite(lg.loss_g)).toBe(true);
  });
});
