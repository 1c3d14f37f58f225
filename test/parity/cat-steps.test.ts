/**
 * Three full CAT-cent steps (SPEC.md steps 1-4: PGD, calibration, f update, g update) on the
 * spec's MNIST networks give the same losses and nearly the same weights on the native backend
 * as on tfjs's pure-JS cpu backend, from the same weights, data and random stream.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CatMethod, Rng, buildClassifier, buildMaskNet, loadDataset, useBackend, type StepLosses } from '@cat/core';
import { setUpBackends } from './harness.js';

beforeAll(setUpBackends);

async function threeCatSteps(backend: 'cpu' | 'native'): Promise<{ losses: StepLosses[]; weights: Float32Array[] }> {
  await useBackend(backend);
  const data = await loadDataset('mnist-digits');
  const n = 1;
  const x = tf.tensor4d(data.train.images.subarray(0, n * 784), [n, 28, 28, 1]);
  const y = tf.tensor1d(data.train.labels.subarray(0, n), 'int32');
  const f = buildClassifier('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
  const g = buildMaskNet('mnist-mask', { inputShape: [28, 28, 1], seed: 2 });
  const state = { f, g, optF: tf.train.adam(1e-3), optG: tf.train.adam(1e-3), rng: new Rng(5), epoch: 0, epochs: 1 };
  const method = new CatMethod({ eps: 0.3, alpha: 0.1, steps: 3, attackLoss: 'ce', a: 1, b: 0.3 });
  const losses: StepLosses[] = [];
  for (let i = 0; i < 3; i++) losses.push(method.step(state, { x, y }));
  const weights = [...f.getWeights(), ...g.getWeights()].map((w) => (w.dataSync() as Float32Array).slice());
  tf.dispose([x, y]);
  state.optF.dispose();
  state.optG.dispose();
  f.dispose();
  g.dispose();
  return { losses, weights };
}

describe('CAT-cent steps: native against pure tfjs', () => {
  // The cpu reference is slow (its filter-gradient kernel is a naive loop), hence batch 1 and a
  // generous timeout.
  it('three steps on the MNIST CNN and mask net agree in every loss term and stay close in every weight', { timeout: 600_000 }, async () => {
    const want = await threeCatSteps('cpu');
    const got = await threeCatSteps('native');
    for (let s = 0; s < 3; s++) {
      for (const [term, value] of Object.entries(want.losses[s])) {
        // Relative 1e-3, or 1e-6 absolute for terms near zero (the KL terms start at ~1e-6,
        // where float32 rounding in a different summation order alone is a few percent).
        const diff = Math.abs(got.losses[s][term] - value);
        expect(diff, `step ${s + 1} ${term}: native ${got.losses[s][term]} cpu ${value}`).toBeLessThan(1e-3 * Math.abs(value) + 1e-6);
      }
    }
    // Adam moves each weight by at most ~lr per step whatever its gradient, so three steps at lr
    // 1e-3 bound any backend difference by ~6e-3; a wrong kernel moves weights much further.
    expect(got.weights.length).toBe(want.weights.length);
    got.weights.forEach((w, i) => {
      let maxAbs = 0;
      for (let j = 0; j < w.length; j++) maxAbs = Math.max(maxAbs, Math.abs(w[j] - want.weights[i][j]));
      expect(maxAbs, `weight tensor ${i}`).toBeLessThan(6.5e-3);
    });
  });
});
