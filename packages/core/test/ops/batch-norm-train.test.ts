/**
 * batchNormTraining (the models' training-mode batch norm with its own gradient) against tfjs's
 * composite `moments` + `batchNorm`, and the LeanBatchNormalization layer against tfjs-layers'
 * BatchNormalization: identical forward values and moving statistics, gradients within 1e-4,
 * with the fused CatBatchNormGrad kernel and with the plain-op fallback.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import '@cat/core';
import { batchNormTraining } from '../../src/ops/batch-norm-train.js';
import { LeanBatchNormalization } from '../../src/models/batch-norm-layer.js';
import { CatBatchNormGrad } from '../../src/ops/kernel-names.js';
import { seeded } from './reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function maxRelErr(a: tf.Tensor, b: tf.Tensor): number {
  const av = a.dataSync();
  const bv = b.dataSync();
  let m = 0;
  for (let i = 0; i < av.length; i++) m = Math.max(m, Math.abs(av[i] - bv[i]) / Math.max(1, Math.abs(bv[i])));
  return m;
}

/** tfjs's composite (what tfjs-layers runs in training mode). */
function composite(x: tf.Tensor, g: tf.Tensor1D, b: tf.Tensor1D, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const { mean, variance } = tf.moments(x, axes);
    return tf.batchNorm(x, mean, variance, b, g, eps);
  });
}

const shapes: [string, number[]][] = [
  ['NHWC batch 3, odd sizes', [3, 5, 4, 7]],
  ['batch 1', [1, 3, 2, 5]],
  ['rank 2', [6, 4]],
];

describe.each([
  ['fused CatBatchNormGrad kernel', true],
  ['plain-op fallback', false],
] as const)('batchNormTraining (%s)', (_label, fused) => {
  const saved = tf.getKernel(CatBatchNormGrad, 'cpu');
  afterEach(() => {
    if (tf.getKernel(CatBatchNormGrad, 'cpu') == null && saved) tf.registerKernel(saved);
  });

  it.each(shapes)('%s: y, mean, variance identical; gradients within 1e-4 of the composite', (_l, shape) => {
    if (!fused) tf.unregisterKernel(CatBatchNormGrad, 'cpu');
    const c = shape[shape.length - 1];
    const size = shape.reduce((a, b) => a * b, 1);
    const x = tf.tensor(seeded(size, 11).map((v) => 3 * v + 1), shape);
    const g = tf.tensor1d(seeded(c, 12).map((v) => v + 1.5));
    const b = tf.tensor1d(seeded(c, 13));
    const w = tf.tensor(seeded(size, 14), shape);
    const eps = 1e-5;
    const before = tf.memory().numTensors;
    const ours = batchNormTraining(x, g, b, eps);
    const ref = composite(x, g, b, eps);
    expect(Array.from(ours.y.dataSync())).toEqual(Array.from(ref.dataSync()));
    const { mean, variance } = tf.moments(x, shape.slice(0, -1).map((_, i) => i));
    expect(Array.from(ours.mean.dataSync())).toEqual(Array.from(mean.dataSync()));
    expect(Array.from(ours.variance.dataSync())).toEqual(Array.from(variance.dataSync()));
    tf.dispose([ours.y, ours.mean, ours.variance, ref, mean, variance]);
    expect(tf.memory().numTensors).toBe(before);
    // A weighted sum makes every gradient component non-trivial.
    const loss = (fn: (xx: tf.Tensor, gg: tf.Tensor1D, bb: tf.Tensor1D) => tf.Tensor) => (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.mul(fn(xx, gg as tf.Tensor1D, bb as tf.Tensor1D), w));
    const lean = (xx: tf.Tensor, gg: tf.Tensor1D, bb: tf.Tensor1D) => {
      const r = batchNormTraining(xx, gg, bb, eps);
      r.mean.dispose();
      r.variance.dispose();
      return r.y;
    };
    const gOurs = tf.grads(loss(lean))([x, g, b]);
    const gRef = tf.grads(loss((xx, gg, bb) => composite(xx, gg, bb, eps)))([x, g, b]);
    for (let i = 0; i < 3; i++) expect(maxRelErr(gOurs[i], gRef[i])).toBeLessThan(1e-4);
    // The input gradient of a batch norm sums to zero over the batch (mean-invariance).
    const colSumT = tf.sum(gOurs[0], shape.slice(0, -1).map((_, i) => i));
    const colSums = colSumT.dataSync();
    colSumT.dispose();
    for (const s of colSums) expect(Math.abs(s)).toBeLessThan(1e-3);
    tf.dispose([...gOurs, ...gRef, x, g, b, w]);
    expect(tf.memory().numTensors).toBe(before - 4);
  });
});

describe('LeanBatchNormalization', () => {
  const args = { axis: -1, momentum: 0.9, epsilon: 1e-5 };

  it('matches tfjs-layers BatchNormalization in training mode: outputs, moving statistics, gradients', () => {
    const shape = [4, 3, 5, 6];
    const x = tf.tensor4d(seeded(4 * 3 * 5 * 6, 21).map((v) => 2 * v - 0.5), shape as [number, number, number, number]);
    const lean = new LeanBatchNormalization({ ...args, name: 'lean' });
    const ref = tf.layers.batchNormalization({ ...args, name: 'ref' });
    lean.apply(x);
    ref.apply(x);
    const weights = [tf.tensor1d(seeded(6, 22).map((v) => v + 1)), tf.tensor1d(seeded(6, 23)), tf.tensor1d(seeded(6, 24)), tf.tensor1d(seeded(6, 25).map((v) => v + 2))];
    lean.setWeights(weights);
    ref.setWeights(weights);
    const before = tf.memory().numTensors;
    const yLean = lean.apply(x, { training: true }) as tf.Tensor;
    const yRef = ref.apply(x, { training: true }) as tf.Tensor;
    expect(Array.from(yLean.dataSync())).toEqual(Array.from(yRef.dataSync()));
    lean.getWeights().forEach((wt, i) => expect(Array.from(wt.dataSync())).toEqual(Array.from(ref.getWeights()[i].dataSync())));
    tf.dispose([yLean, yRef]);
    expect(tf.memory().numTensors).toBe(before);
    const vLean = lean.trainableWeights.map((v) => v.read() as tf.Variable);
    const vRef = ref.trainableWeights.map((v) => v.read() as tf.Variable);
    const w = tf.tensor(seeded(4 * 3 * 5 * 6, 26), shape);
    const gLean = tf.variableGrads(() => tf.sum(tf.mul(lean.apply(x, { training: true }) as tf.Tensor, w)) as tf.Scalar, vLean);
    const gRef = tf.variableGrads(() => tf.sum(tf.mul(ref.apply(x, { training: true }) as tf.Tensor, w)) as tf.Scalar, vRef);
    vLean.forEach((v, i) => expect(maxRelErr(gLean.grads[v.name], gRef.grads[vRef[i].name])).toBeLessThan(1e-4));
    // Inference mode is tfjs's own path: moving statistics.
    const iLean = lean.apply(x, { training: false }) as tf.Tensor;
    const iRef = ref.apply(x, { training: false }) as tf.Tensor;
    expect(Array.from(iLean.dataSync())).toEqual(Array.from(iRef.dataSync()));
    tf.dispose([gLean.value, gRef.value, ...Object.values(gLean.grads), ...Object.values(gRef.grads), iLean, iRef, w, x, ...weights]);
  });

  it('serialises as tfjs BatchNormalization and deserialises to the lean class', async () => {
    const model = tf.sequential({ layers: [new LeanBatchNormalization({ ...args, name: 'bn', inputShape: [2, 2, 3] })] });
    const topology = model.toJSON(null, false) as unknown as { config: { layers: { class_name: string }[] } };
    expect(topology.config.layers.map((l) => l.class_name)).toEqual(['BatchNormalization']);
    const back = await tf.models.modelFromJSON({ modelTopology: topology } as never);
    expect(back.layers[0]).toBeInstanceOf(LeanBatchNormalization);
    model.dispose();
    back.dispose();
  });
});
