/** Element-wise binary and unary kernels over the broadcasts the models produce, odd shapes. */
import * as tf from '@tensorflow/tfjs';
import type { InputSpec, ParityCase } from './types.js';

const BINARY: [kernel: string, op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
  ['Add', tf.add],
  ['Sub', tf.sub],
  ['Multiply', tf.mul],
  ['RealDiv', tf.div],
  ['Maximum', tf.maximum],
  ['Minimum', tf.minimum],
  ['SquaredDifference', tf.squaredDifference],
];

/** Operand shapes: same shape, per-channel [C] on NHWC, scalar both sides, [R,1] on [R,K]. */
const BROADCASTS: [label: string, a: number[], b: number[]][] = [
  ['same shape, channels 13', [3, 5, 7, 13], [3, 5, 7, 13]],
  ['per-channel [C] on NHWC, batch 1', [1, 6, 9, 5], [5]],
  ['[1,1,1,C] on NHWC', [2, 4, 3, 7], [1, 1, 1, 7]],
  ['scalar on the right', [2, 9, 11], []],
  ['scalar on the left', [], [4, 10]],
  ['row [R,1] on [R,K]', [6, 10], [6, 1]],
  ['column on the left ([R,1] op [R,K])', [5, 1], [5, 3]],
  ['large (parallel path)', [4, 32, 32, 24], [24]],
];

// Divisors stay away from zero so RealDiv's relative error measures the kernel, not 1/0.
const positive: [number, number] = [0.5, 2];

export const binaryCases: ParityCase[] = BINARY.flatMap(([kernel, op]) =>
  BROADCASTS.map(([label, a, b]): ParityCase => ({
    kernel,
    name: label,
    inputs: { a: { shape: a }, b: { shape: b, range: kernel === 'RealDiv' ? positive : undefined } },
    run: ({ a: x, b: y }) => op(x, y),
    addonCalls: ['binary'],
  })),
);

const UNARY: [kernel: string, op: (x: tf.Tensor) => tf.Tensor, range?: [number, number]][] = [
  ['Relu', tf.relu],
  ['LeakyRelu', (x) => tf.leakyRelu(x, 0.2)],
  ['Sigmoid', tf.sigmoid, [-6, 6]],
  ['Step', (x) => tf.step(x, 0.3)],
  ['Sign', tf.sign],
  ['Exp', tf.exp, [-5, 5]],
  ['Log', tf.log, [0.05, 3]],
  ['Neg', tf.neg],
  ['Square', tf.square],
  ['Sqrt', tf.sqrt, [0.05, 3]],
  ['Rsqrt', tf.rsqrt, [0.05, 3]],
  ['Abs', tf.abs],
  ['ClipByValue', (x) => tf.clipByValue(x, -0.3, 0.6)],
];

const UNARY_SHAPES: [label: string, shape: number[]][] = [
  ['batch 1, channels 13', [1, 7, 5, 13]],
  ['large (parallel path)', [3, 28, 28, 32]],
];

export const unaryCases: ParityCase[] = UNARY.flatMap(([kernel, op, range]) =>
  UNARY_SHAPES.map(([label, shape]): ParityCase => ({
    kernel,
    name: label,
    inputs: { x: { shape, range } as InputSpec },
    run: ({ x }) => op(x),
    addonCalls: ['unary'],
  })),
);

/** Activation gradients: ReLU/LeakyReLU through @cat/core's fused CatReluGrad, Sigmoid's composite. */
export const activationGradCases: ParityCase[] = (
  [
    ['Relu', tf.relu, ['unary', 'reluGrad'], ['CatReluGrad']],
    ['LeakyRelu', (x: tf.Tensor) => tf.leakyRelu(x, 0.2), ['unary', 'reluGrad'], ['CatReluGrad']],
    ['Sigmoid', tf.sigmoid, ['unary', 'binary'], []],
  ] as const
).map(([kernel, f, calls, also]) => ({
  kernel,
  alsoKernels: [...also],
  name: 'gradient, [2,9,7,5]',
  inputs: { x: { shape: [2, 9, 7, 5] }, dy: { shape: [2, 9, 7, 5] } },
  run: ({ x, dy }) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), dy)))(x),
  addonCalls: [...calls],
}));
