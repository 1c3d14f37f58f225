/** The fused attack, calibration and loss ops of @cat/core (Cat* kernels), forward and gradients. */
import * as tf from '@tensorflow/tfjs';
import { calibrate, klDivergence, logSoftmax, signStepProject, softmaxCrossEntropy } from '@cat/core';
import type { ParityCase } from './types.js';

const unit: [number, number] = [0, 1];
const img = (b: number, h: number, w: number, c: number) => [b, h, w, c];

export const fusedOpCases: ParityCase[] = [
  ...[
    ['MNIST batch 3', img(3, 28, 28, 1)],
    ['batch 1, non-square, channels 3', img(1, 5, 9, 3)],
    ['large (parallel path)', img(100, 28, 28, 1)],
  ].map(([label, shape]): ParityCase => ({
    kernel: 'CatSignStepProject',
    name: label as string,
    inputs: { x: { shape: shape as number[], range: unit }, xAdv: { shape: shape as number[], range: unit }, g: { shape: shape as number[] } },
    run: ({ x, xAdv, g }) => signStepProject(xAdv as tf.Tensor4D, g as tf.Tensor4D, x as tf.Tensor4D, 0.05, 0.3),
    addonCalls: ['signStepProject'],
  })),
  {
    kernel: 'CatCalibrate',
    alsoKernels: ['CatCalibrateGrad'],
    name: 'forward and gradient for x, delta, mask, [2,7,5,3]',
    inputs: {
      x: { shape: img(2, 7, 5, 3), range: unit },
      d: { shape: img(2, 7, 5, 3), range: [-0.4, 0.4] },
      m: { shape: img(2, 7, 5, 3), range: unit },
      dy: { shape: img(2, 7, 5, 3) },
    },
    run: ({ x, d, m, dy }) => {
      const f = (xv: tf.Tensor, dv: tf.Tensor, mv: tf.Tensor) => tf.sum(tf.mul(calibrate(xv as tf.Tensor4D, dv as tf.Tensor4D, mv as tf.Tensor4D), dy));
      return [calibrate(x as tf.Tensor4D, d as tf.Tensor4D, m as tf.Tensor4D), ...tf.grads(f)([x, d, m])];
    },
    addonCalls: ['calibrate', 'calibrateGrad'],
  },
  {
    kernel: 'CatLogSoftmax',
    alsoKernels: ['CatLogSoftmaxGrad'],
    name: 'forward and gradient, [9,10]',
    inputs: { z: { shape: [9, 10], range: [-10, 10] }, dy: { shape: [9, 10] } },
    run: ({ z, dy }) => [
      logSoftmax(z as tf.Tensor2D),
      tf.grad((v: tf.Tensor) => tf.sum(tf.mul(logSoftmax(v as tf.Tensor2D), dy)))(z),
    ],
    addonCalls: ['logSoftmax', 'logSoftmaxGrad'],
  },
  {
    kernel: 'CatKlDiv',
    alsoKernels: ['CatKlDivGrad'],
    name: 'forward and gradient for both logits, [6,10]',
    inputs: { p: { shape: [6, 10], range: [-4, 4] }, q: { shape: [6, 10], range: [-4, 4] }, dy: { shape: [6] } },
    run: ({ p, q, dy }) => {
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(klDivergence(a as tf.Tensor2D, b as tf.Tensor2D), dy));
      return [klDivergence(p as tf.Tensor2D, q as tf.Tensor2D), ...tf.grads(f)([p, q])];
    },
    addonCalls: ['klDiv', 'klDivGrad'],
  },
  {
    kernel: 'CatSoftmaxCrossEntropy',
    alsoKernels: ['CatSoftmaxCrossEntropyGrad'],
    name: 'forward and gradient for logits and soft labels, batch 1 and 5',
    inputs: { z: { shape: [5, 7], range: [-5, 5] }, t: { shape: [5, 7], range: unit }, z1: { shape: [1, 3] }, t1: { shape: [1, 3], range: unit } },
    run: ({ z, t, z1, t1 }) => {
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(softmaxCrossEntropy(a as tf.Tensor2D, b as tf.Tensor2D));
      return [softmaxCrossEntropy(z as tf.Tensor2D, t as tf.Tensor2D), ...tf.grads(f)([z, t]), softmaxCrossEntropy(z1 as tf.Tensor2D, t1 as tf.Tensor2D)];
    },
    addonCalls: ['softmaxCrossEntropy', 'softmaxCrossEntropyGrad'],
  },
];
