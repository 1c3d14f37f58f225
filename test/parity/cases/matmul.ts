/** BatchMatMul and _FusedMatMul: transposes, batches, broadcasting, dense-layer sizes. */
import * as tf from '@tensorflow/tfjs';
import type { ParityCase } from './types.js';

interface MatmulShape {
  label: string;
  a: number[];
  b: number[];
  ta: boolean;
  tb: boolean;
}

const SHAPES: MatmulShape[] = [
  { label: 'dense 3136->100, batch 10', a: [10, 3136], b: [3136, 100], ta: false, tb: false },
  { label: 'transposeA (dense weight grad)', a: [37, 13], b: [37, 9], ta: true, tb: false },
  { label: 'transposeB (dense input grad)', a: [5, 11], b: [19, 11], ta: false, tb: true },
  { label: 'both transposed', a: [6, 4], b: [9, 6], ta: true, tb: true },
  { label: 'batched 3D', a: [4, 7, 5], b: [4, 5, 3], ta: false, tb: false },
  { label: 'broadcast single rhs', a: [2, 3, 7, 5], b: [5, 6], ta: false, tb: false },
  { label: 'batch 1 row', a: [1, 300], b: [300, 10], ta: false, tb: false },
  { label: 'empty inner dimension (output is all zeros)', a: [3, 0], b: [0, 4], ta: false, tb: false },
];

/** An empty batch: handed to the cpu kernel, which returns an empty result. */
export const emptyBatchMatmulCase: ParityCase = {
  kernel: 'BatchMatMul',
  name: 'empty batch falls back to cpu',
  inputs: { a: { shape: [0, 3, 4] }, b: { shape: [0, 4, 2] } },
  run: ({ a, b }) => tf.matMul(a, b),
  addonCalls: [],
};

export const matmulCases: ParityCase[] = SHAPES.flatMap((s): ParityCase[] => {
  const n = s.tb ? s.b[s.b.length - 2] : s.b[s.b.length - 1];
  return [
    {
      kernel: 'BatchMatMul',
      name: s.label,
      inputs: { a: { shape: s.a }, b: { shape: s.b } },
      run: ({ a, b }) => tf.matMul(a, b, s.ta, s.tb),
      addonCalls: ['matmul'],
    },
    {
      kernel: '_FusedMatMul',
      name: `${s.label}, bias + sigmoid`,
      inputs: { a: { shape: s.a }, b: { shape: s.b }, bias: { shape: [n] } },
      run: ({ a, b, bias }) => tf.fused.matMul({ a, b, transposeA: s.ta, transposeB: s.tb, bias, activation: 'sigmoid' }),
      addonCalls: ['matmul'],
    },
  ];
});
