/**
 * Gradients through a small conv net (tfjs-layers, so FusedConv2D and _FusedMatMul are used)
 * must match the cpu backend: the input gradient (what attacks use) and every weight gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { countAddonCalls, makeInput, maxRelativeError, setUpBackends } from './harness.js';

beforeAll(setUpBackends);

function buildNet(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [12, 10, 1], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.conv2d({ filters: 3, kernelSize: 1, activation: 'sigmoid' }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 7, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 4 }));
  return model;
}

interface Grads {
  dx: Float32Array;
  dw: Float32Array[];
}

async function gradsOn(backend: string): Promise<Grads> {
  await tf.setBackend(backend);
  const model = buildNet();
  // Same weights on both backends: seeded values in place of the random initialisers.
  model.setWeights(model.getWeights().map((w, i) => {
    const { data } = makeInput({ shape: w.shape, range: [-0.5, 0.5] }, 50 + i);
    return tf.tensor(data, w.shape);
  }));
  const x = tf.tensor(makeInput({ shape: [3, 12, 10, 1], range: [0, 1] }, 7).data, [3, 12, 10, 1]);
  const y = tf.oneHot(tf.tensor1d([0, 2, 3], 'int32'), 4);
  const loss = (input: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, model.apply(input) as tf.Tensor) as tf.Scalar;
  const dx = tf.grad(loss)(x).dataSync() as Float32Array;
  const { grads } = tf.variableGrads(() => loss(x));
  const dw = model.trainableWeights.map((w) => grads[w.originalName ?? w.name].dataSync() as Float32Array);
  tf.dispose([x, y, grads]);
  model.dispose();
  return { dx: dx.slice(), dw: dw.map((d) => d.slice()) };
}

describe('gradients of a small conv net', () => {
  it('match the cpu backend for the input and every weight', async () => {
    const want = await gradsOn('cpu');
    const { result: got, calls } = await countAddonCalls(() => gradsOn('native'));
    expect(calls.conv2d ?? 0).toBeGreaterThan(0);
    expect(calls.conv2dBackpropInput ?? 0).toBeGreaterThan(0);
    expect(calls.conv2dBackpropFilter ?? 0).toBeGreaterThan(0);
    expect(calls.matmul ?? 0).toBeGreaterThan(0);
    expect(want.dx.some((v) => v !== 0)).toBe(true);
    expect(maxRelativeError(got.dx, want.dx)).toBeLessThanOrEqual(1e-4);
    expect(got.dw.length).toBe(want.dw.length);
    got.dw.forEach((g, i) => expect(maxRelativeError(g, want.dw[i]), `weight ${i}`).toBeLessThanOrEqual(1e-4));
  });
});
