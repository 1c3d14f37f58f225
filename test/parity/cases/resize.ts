/** ResizeNearestNeighbor and its gradient: the mask nets' 14->28 and 4->32, odd shapes, flags. */
import * as tf from '@tensorflow/tfjs';
import type { ParityCase } from './types.js';

const CASES: [label: string, x: [number, number, number, number], size: [number, number], alignCorners: boolean, halfPixel: boolean][] = [
  ['MNIST mask net 14->28, channels 3', [2, 14, 14, 3], [28, 28], false, false],
  ['CIFAR mask net 4->32, batch 1, channels 5', [1, 4, 4, 5], [32, 32], false, false],
  ['non-square 5x7->11x6, alignCorners', [3, 5, 7, 2], [11, 6], true, false],
  ['downsample 9x6->4x3, halfPixelCenters', [1, 9, 6, 7], [4, 3], false, true],
];

const outShape = (x: number[], size: [number, number]) => [x[0], size[0], size[1], x[3]];

export const resizeCases: ParityCase[] = CASES.flatMap(([label, x, size, ac, hp]): ParityCase[] => [
  {
    kernel: 'ResizeNearestNeighbor',
    name: label,
    inputs: { x: { shape: x } },
    run: ({ x: v }) => tf.image.resizeNearestNeighbor(v as tf.Tensor4D, size, ac, hp),
    addonCalls: ['resizeNearest'],
  },
  {
    kernel: 'ResizeNearestNeighborGrad',
    name: label,
    inputs: { x: { shape: x }, dy: { shape: outShape(x, size) } },
    run: ({ x: v, dy }) => tf.grad((u: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(u as tf.Tensor4D, size, ac, hp), dy)))(v),
    addonCalls: ['resizeNearestGrad'],
  },
]);
