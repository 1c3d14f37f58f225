/**
 * `CatMoments`, the native batch-norm statistics kernel behind batchNormTraining: bit for bit
 * the values of tf.moments on the same backend (whose Mean, Sub, Square, Mean kernels it fuses),
 * within 1e-5 of the pure-tfjs cpu backend, and the kernel the training-mode BN actually runs.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '@cat/core';
import { batchNormTraining } from '../../packages/core/src/ops/batch-norm-train.js';

const shapes: [string, number[]][] = [
  ['small, odd channels [4,6,5,11]', [4, 6, 5, 11]],
  ['batch 1, rank 2 [1,7]', [1, 7]],
  ['parallel path [64,16,16,20]', [64, 16, 16, 20]],
];

function input(shape: number[]): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 3), 2), 0.7));
}

beforeAll(async () => {
  await useBackend('native');
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('CatMoments on the native backend', () => {
  it.each(shapes)('%s: equals tf.moments bit for bit and the cpu backend within 1e-5', async (_l, shape) => {
    const x = input(shape);
    const axes = shape.slice(0, -1).map((_, i) => i);
    const [mean, variance] = tf.engine().runKernel('CatMoments', { x }, {}) as tf.Tensor[];
    const ref = tf.moments(x, axes);
    expect(Array.from(mean.dataSync())).toEqual(Array.from(ref.mean.dataSync()));
    expect(Array.from(variance.dataSync())).toEqual(Array.from(ref.variance.dataSync()));
    const xv = x.dataSync().slice();
    await tf.setBackend('cpu');
    const cpu = tf.moments(tf.tensor(xv, shape), axes);
    const close = (a: Float32Array | Int32Array | Uint8Array, b: Float32Array | Int32Array | Uint8Array) =>
      Array.from(a).forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1e-5 * (1 + Math.abs(b[i]))));
    close(mean.dataSync(), cpu.mean.dataSync());
    close(variance.dataSync(), cpu.variance.dataSync());
    await tf.setBackend('native');
  });

  it('is what training-mode batch norm runs for its statistics', async () => {
    const x = input([8, 6, 6, 16]);
    const gamma = tf.ones([16]) as tf.Tensor1D;
    const beta = tf.zeros([16]) as tf.Tensor1D;
    const { kernelNames } = await tf.profile(() => {
      const r = batchNormTraining(x, gamma, beta, 1e-5);
      tf.dispose([r.mean, r.variance]);
      return r.y;
    });
    expect(kernelNames).toContain('CatMoments');
    expect(kernelNames).not.toContain('Square');
  });
});
