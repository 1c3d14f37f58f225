/**
 * FusedBatchNorm: inference with [C] parameters, missing scale/offset, and the training gradient;
 * @cat/core's training-mode batch norm (CatMoments, CatBatchNormGrad).
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormTraining } from '../../../packages/core/src/ops/batch-norm-train.js';
import type { ParityCase } from './types.js';

const positive: [number, number] = [0.2, 2];

export const batchNormCases: ParityCase[] = [
  {
    kernel: 'FusedBatchNorm',
    name: 'per-channel [C=13], batch 1, non-square',
    inputs: { x: { shape: [1, 5, 9, 13] }, m: { shape: [13] }, v: { shape: [13], range: positive }, o: { shape: [13] }, s: { shape: [13] } },
    run: ({ x, m, v, o, s }) => tf.batchNorm(x, m, v, o, s, 1e-3),
    addonCalls: ['batchNorm'],
  },
  {
    kernel: 'FusedBatchNorm',
    name: 'no scale or offset, large (parallel path)',
    inputs: { x: { shape: [8, 16, 16, 64] }, m: { shape: [64] }, v: { shape: [64], range: positive } },
    run: ({ x, m, v }) => tf.batchNorm(x, m, v, undefined, undefined, 1e-5),
    addonCalls: ['batchNorm'],
  },
  {
    kernel: 'FusedBatchNorm',
    // Parameters of different lengths (20 and 5) take the kernel's modulo-index path.
    name: 'mean/variance [1,1,4,5] with scale [1,1,1,5]',
    inputs: { x: { shape: [2, 3, 4, 5] }, m: { shape: [1, 1, 4, 5] }, v: { shape: [1, 1, 4, 5], range: positive }, s: { shape: [1, 1, 1, 5] } },
    run: ({ x, m, v, s }) => tf.batchNorm(x, m, v, undefined, s, 1e-3),
    addonCalls: ['batchNorm'],
  },
  {
    // Training mode as tfjs-layers runs it: batch moments, normalise, and the gradient for the
    // input, scale and offset (@cat/core's fused CatBatchNormGrad, then the moments' gradients).
    kernel: 'FusedBatchNorm',
    name: 'training-mode gradient (x, scale, offset), [3,6,5,7]',
    inputs: { x: { shape: [3, 6, 5, 7] }, s: { shape: [7] }, o: { shape: [7] }, dy: { shape: [3, 6, 5, 7] } },
    run: ({ x, s, o, dy }) => {
      const f = (xv: tf.Tensor, sv: tf.Tensor, ov: tf.Tensor) => {
        const { mean, variance } = tf.moments(xv, [0, 1, 2]);
        return tf.sum(tf.mul(tf.batchNorm(xv, mean, variance, ov, sv, 1e-3), dy));
      };
      return tf.grads(f)([x, s, o]);
    },
    addonCalls: ['batchNorm', 'reduce', 'binary', 'batchNormGrad'],
    alsoKernels: ['CatBatchNormGrad'],
    // The x gradient of a normalised sum cancels to small values: measured against its scale.
    tolerance: 1e-4,
  },
  {
    // The models' batch-norm layer in training: statistics by CatMoments (on cpu, tf.moments),
    // the gradient for x, gamma and beta by CatBatchNormGrad.
    kernel: 'CatMoments',
    alsoKernels: ['CatBatchNormGrad'],
    name: 'batchNormTraining forward and gradient, [3,6,5,7]',
    inputs: { x: { shape: [3, 6, 5, 7] }, g: { shape: [7], range: positive }, b: { shape: [7] }, dy: { shape: [3, 6, 5, 7] } },
    run: ({ x, g, b, dy }) => {
      const { y, mean, variance } = batchNormTraining(x, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3);
      const grads = tf.grads((xv: tf.Tensor, gv: tf.Tensor, bv: tf.Tensor) =>
        tf.sum(tf.mul(batchNormTraining(xv, gv as tf.Tensor1D, bv as tf.Tensor1D, 1e-3).y, dy)),
      )([x, g, b]);
      return [y, mean, variance, ...grads];
    },
    addonCalls: ['moments', 'batchNormGrad'],
  },
];
