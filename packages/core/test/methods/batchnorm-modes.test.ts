import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CatMethod, createMethod, METHOD_NAMES, Rng, type TrainState } from '@cat/core';
import { tinyMaskNet, TOY_CLASSES, TOY_SHAPE, toyBatch } from '../attacks/tiny-models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** conv + BatchNorm + dense: the mode (training or inference) changes outputs and statistics. */
function bnClassifier(seed: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: TOY_SHAPE,
        filters: 3,
        kernelSize: 3,
        padding: 'same',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
      tf.layers.batchNormalization({ momentum: 0.9 }),
      tf.layers.reLU(),
      tf.layers.flatten(),
      tf.layers.dense({ units: TOY_CLASSES, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}

function bnState(): TrainState {
  return {
    f: bnClassifier(1),
    g: tinyMaskNet(TOY_SHAPE, 2),
    optF: tf.train.adam(0.01),
    optG: tf.train.adam(0.01),
    rng: new Rng(3),
    epoch: 0,
    epochs: 4,
  };
}

const movingMean = (s: TrainState) =>
  Array.from(s.f.layers[1].weights.find((w) => w.name.includes('moving_mean'))!.read().dataSync());

describe('models with BatchNorm', () => {
  it('attackTraining decides whether the attack updates the running statistics', () => {
    const batch = toyBatch(new Rng(4), 6);
    for (const attackTraining of [true, false]) {
      const state = bnState();
      const before = movingMean(state);
      new CatMethod({ eps: 0.1, alpha: 0.03, steps: 2, attackTraining }).perturb(state, batch).dispose();
      const changed = movingMean(state).some((v, i) => v !== before[i]);
      expect(changed).toBe(attackTraining);
    }
  });

  it.each(METHOD_NAMES.map((n) => [n]))('%s steps a BatchNorm model without leaking tensors', (name) => {
    const state = bnState();
    const batch = toyBatch(new Rng(5), 6);
    const method = createMethod(name, { eps: 0.1, alpha: 0.03, steps: 2 });
    method.step(state, batch);
    const before = tf.memory().numTensors;
    const losses = method.step(state, batch);
    expect(tf.memory().numTensors).toBe(before);
    for (const v of Object.values(losses)) expect(Number.isFinite(v)).toBe(true);
  });
});
