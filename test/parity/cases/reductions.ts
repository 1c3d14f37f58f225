/** Sum, Max, Mean over the last axis, over N,H,W (batch-norm statistics) and over H,W (global pooling), odd shapes. */
import * as tf from '@tensorflow/tfjs';
import type { ParityCase } from './types.js';

const CASES: [label: string, shape: number[], axis: number | number[], keepDims: boolean][] = [
  ['last axis of logits [7,10]', [7, 10], -1, false],
  ['last axis, batch 1, keepDims', [1, 13], 1, true],
  ['N,H,W of NHWC [3,5,7,13]', [3, 5, 7, 13], [0, 1, 2], false],
  ['N,H,W keepDims, non-square', [2, 9, 4, 6], [0, 1, 2], true],
  ['leading axis only', [11, 3, 5], 0, false],
  ['N,H,W large (parallel path)', [64, 16, 16, 20], [0, 1, 2], false],
];

/** Middle axes: the addon's reduceMiddleAxes. */
const MIDDLE_CASES: [label: string, shape: number[], axis: number | number[], keepDims: boolean][] = [
  ['H,W of NHWC (global pooling) [3,5,7,13]', [3, 5, 7, 13], [1, 2], false],
  ['H,W keepDims, batch 1', [1, 4, 4, 9], [1, 2], true],
  ['one middle axis [6,17,5]', [6, 17, 5], 1, false],
  ['H,W of a ResNet layer-4 map [128,4,4,512]', [128, 4, 4, 512], [1, 2], false],
];

const OPS: [kernel: string, op: (x: tf.Tensor, axis: number | number[], keepDims: boolean) => tf.Tensor][] = [
  ['Sum', tf.sum],
  ['Max', tf.max],
  ['Mean', tf.mean],
];

export const reductionCases: ParityCase[] = OPS.flatMap(([kernel, op]) =>
  [
    ...CASES.map((c) => [...c, 'reduce'] as const),
    ...MIDDLE_CASES.map((c) => [...c, 'reduceMiddleAxes'] as const),
  ].map(([label, shape, axis, keepDims, addonCall]): ParityCase => ({
    kernel,
    name: label,
    inputs: { x: { shape } },
    run: ({ x }) => op(x, axis, keepDims),
    addonCalls: [addonCall],
  })),
);

/** tf.moments over N,H,W, as tfjs-layers' BatchNormalization computes it in training. */
export const momentsCases: ParityCase[] = [
  {
    kernel: 'Mean',
    name: 'moments over N,H,W (mean, variance), [4,6,5,11]',
    inputs: { x: { shape: [4, 6, 5, 11] } },
    run: ({ x }) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return [mean, variance];
    },
    addonCalls: ['reduce', 'binary'],
  },
];
