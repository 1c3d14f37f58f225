/**
 * Several attack + training steps on the native backend match the cpu backend. The tensors are
 * large enough (> POOL_MIN_ELEMENTS) that native outputs come from the output pool, so from the
 * second step on kernels write into reused arrays holding stale values: any kernel that leaves
 * part of its output unwritten, or any array reused while still in use, shows up here.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeInput, maxRelativeError, setUpBackends } from './harness.js';
import { POOL_MIN_ELEMENTS, poolStats } from '../../packages/core/src/backend/buffer-pool.js';

beforeAll(setUpBackends);

function buildNet(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [20, 18, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.conv2d({ filters: 12, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 5 }));
  return model;
}

/** Three rounds of a 2-step sign-gradient attack on the batch, then an Adam step on the result. */
async function trainOn(backend: string): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const model = buildNet();
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(makeInput({ shape: w.shape, range: [-0.3, 0.3] }, 80 + i).data, w.shape)));
  const x = tf.tensor(makeInput({ shape: [6, 20, 18, 1], range: [0, 1] }, 9).data, [6, 20, 18, 1]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0], 'int32'), 5);
  const loss = (input: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, model.apply(input) as tf.Tensor) as tf.Scalar;
  const opt = tf.train.adam(0.01);
  for (let round = 0; round < 3; round++) {
    let adv = x.clone();
    for (let s = 0; s < 2; s++) {
      const next = tf.tidy(() => tf.clipByValue(tf.add(adv, tf.mul(tf.sign(tf.grad(loss)(adv)), 0.05)), 0, 1));
      adv.dispose();
      adv = next;
    }
    opt.minimize(() => loss(adv));
    adv.dispose();
  }
  const weights = model.getWeights().map((w) => (w.dataSync() as Float32Array).slice());
  tf.dispose([x, y]);
  opt.dispose();
  model.dispose();
  return weights;
}

describe('training steps on native', () => {
  it('match the cpu backend while reusing pooled outputs', async () => {
    expect(6 * 20 * 18 * 16).toBeGreaterThan(POOL_MIN_ELEMENTS);
    const want = await trainOn('cpu');
    const hitsBefore = poolStats.hits;
    const got = await trainOn('native');
    expect(poolStats.hits).toBeGreaterThan(hitsBefore);
    got.forEach((g, i) => expect(maxRelativeError(g, want[i]), `weight ${i}`).toBeLessThan(1e-3));
  });
});
