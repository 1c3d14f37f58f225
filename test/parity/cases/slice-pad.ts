/** Slice, PadV2 (zeroPadding2d forward and, through Slice, backward) and Tile. */
import * as tf from '@tensorflow/tfjs';
import type { ParityCase } from './types.js';

const SLICES: [label: string, shape: number[], begin: number[], size: number[]][] = [
  ['interior of padded NHWC, channels 1', [2, 30, 30, 1], [0, 1, 1, 0], [2, 28, 28, 1]],
  ['odd box, channels 13', [3, 5, 7, 13], [1, 0, 2, 3], [2, 5, 4, 9]],
  ['size -1 to the end, rank 2', [6, 10], [2, 3], [-1, -1]],
  ['large (parallel path)', [20, 16, 16, 32], [0, 1, 1, 0], [20, 14, 14, 32]],
];

export const sliceCases: ParityCase[] = SLICES.map(([label, shape, begin, size]) => ({
  kernel: 'Slice',
  name: label,
  inputs: { x: { shape } },
  run: ({ x }) => tf.slice(x, begin, size),
  addonCalls: ['slice'],
}));

export const padCases: ParityCase[] = [
  {
    kernel: 'PadV2',
    name: 'zeroPadding2d of NHWC, batch 1, non-square, channels 5',
    inputs: { x: { shape: [1, 9, 6, 5] } },
    run: ({ x }) => tf.pad(x, [[0, 0], [1, 1], [2, 1], [0, 0]]),
    addonCalls: ['pad'],
  },
  {
    kernel: 'PadV2',
    name: 'constant 0.5 on every axis, rank 3',
    inputs: { x: { shape: [3, 4, 7] } },
    run: ({ x }) => tf.pad(x, [[1, 0], [0, 2], [3, 1]], 0.5),
    addonCalls: ['pad'],
  },
  {
    kernel: 'PadV2',
    name: 'gradient through zeroPadding2d + valid conv (Slice backward)',
    inputs: { x: { shape: [2, 8, 8, 3] }, w: { shape: [3, 3, 3, 4] } },
    run: ({ x, w }) => {
      const layer = tf.layers.zeroPadding2d({ padding: 1 });
      const f = (v: tf.Tensor) => tf.sum(tf.square(tf.conv2d(layer.apply(v) as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid')));
      return tf.grad(f)(x);
    },
    addonCalls: ['pad', 'slice'],
  },
];

export const tileCases: ParityCase[] = [
  ['batch-norm factor [1,1,1,13] to [4,6,5,13]', [1, 1, 1, 13], [4, 6, 5, 1]],
  ['mixed reps, rank 3', [2, 3, 5], [3, 1, 2]],
  ['large (parallel path)', [1, 1, 1, 64], [32, 16, 16, 1]],
].map(([label, shape, reps]) => ({
  kernel: 'Tile',
  name: label as string,
  inputs: { x: { shape: shape as number[] } },
  run: ({ x }) => tf.tile(x, reps as number[]),
  addonCalls: ['tile'],
}));
