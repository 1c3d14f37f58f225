/** Softmax over the last axis. */
import * as tf from '@tensorflow/tfjs';
import type { ParityCase } from './types.js';

export const softmaxCases: ParityCase[] = [
  ['logits [7,10]', [7, 10]],
  ['batch 1, 13 classes', [1, 13]],
  ['rank 3 [3,4,5]', [3, 4, 5]],
  ['large [1000,100] (parallel path)', [1000, 100]],
].map(([label, shape]) => ({
  kernel: 'Softmax',
  name: label as string,
  inputs: { x: { shape: shape as number[], range: [-8, 8] as [number, number] } },
  run: ({ x }) => tf.softmax(x),
  addonCalls: ['softmax'],
}));
