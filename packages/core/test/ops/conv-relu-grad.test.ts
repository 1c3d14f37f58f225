/**
 * ReLU's gradient folded into the conv input gradient (conv-relu-grad.ts), on the cpu backend
 * (the native kernel is compared with this one in test/parity): the same gradients as tfjs's own
 * pass bit for bit, the fused kernel used and the ReLU gradient kernel skipped where it is safe,
 * and never a masked gradient handed to a caller who asked for the gradient at a ReLU output.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import '@cat/core';
import { seeded } from './reference.js';

type GradientsFn = (f: () => tf.Tensor, xs: tf.Tensor[]) => { value: tf.Tensor; grads: tf.Tensor[] };

/** tfjs's own gradients (the Engine prototype's method): no folding. */
function tfjsGradients(f: () => tf.Tensor, xs: tf.Tensor[]): { value: tf.Tensor; grads: tf.Tensor[] } {
  const e = tf.engine();
  return (Object.getPrototypeOf(e) as { gradients: GradientsFn }).gradients.call(e, f, xs);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const x = tf.tensor4d(seeded(2 * 7 * 6 * 3, 11), [2, 7, 6, 3]);
const w1 = tf.tensor4d(seeded(3 * 3 * 3 * 5, 12), [3, 3, 3, 5]);
const w2 = tf.tensor4d(seeded(3 * 3 * 5 * 4, 13), [3, 3, 5, 4]);
const w3 = tf.tensor4d(seeded(1 * 1 * 5 * 4, 14), [1, 1, 5, 4]);

describe('conv input gradient folded with ReLU', () => {
  it('gives tfjs its gradients bit for bit, with the fused kernel in place of the ReLU gradient', async () => {
    // relu(conv(x)) feeds one conv only: foldable. The input x gets its gradient too.
    const f = () => tf.sum(tf.square(tf.conv2d(tf.relu(tf.conv2d(x, w1, 1, 'same')), w2, 2, 'same')));
    const lean = tf.grads(f as unknown as (...a: tf.Tensor[]) => tf.Tensor)([x, w1, w2]);
    const ref = tfjsGradients(f, [x, w1, w2]);
    lean.forEach((g, i) => expect(Array.from(g.dataSync())).toEqual(Array.from(ref.grads[i].dataSync())));
    const { kernelNames } = await tf.profile(() => tf.grads(f as unknown as (...a: tf.Tensor[]) => tf.Tensor)([x, w1, w2]));
    expect(kernelNames).toContain('CatConv2DBackpropInputRelu');
    expect(kernelNames).not.toContain('CatReluGrad');
  });

  it('stays exact when the ReLU output has a second consumer (the ReLU gradient masks the sum)', async () => {
    const f = () => {
      const h = tf.relu(tf.conv2d(x, w1, 1, 'same'));
      return tf.add(tf.sum(tf.square(tf.conv2d(h, w2, 1, 'same'))), tf.sum(tf.mul(tf.conv2d(h, w3, 1, 'same'), 0.5)));
    };
    const lean = tf.grads(f as unknown as (...a: tf.Tensor[]) => tf.Tensor)([x, w1]);
    const ref = tfjsGradients(f, [x, w1]);
    lean.forEach((g, i) => expect(Array.from(g.dataSync())).toEqual(Array.from(ref.grads[i].dataSync())));
    const { kernelNames } = await tf.profile(() => tf.grads(f as unknown as (...a: tf.Tensor[]) => tf.Tensor)([x, w1]));
    expect(kernelNames).toContain('CatReluGrad');
  });

  it('never masks the gradient at a ReLU output the caller asked for', () => {
    // h is a ReLU output made outside the differentiated function: d sum(conv(h)) / dh is the
    // plain input gradient, with nonzero values where h is 0.
    const h = tf.relu(tf.conv2d(x, w1, 1, 'same'));
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.conv2d(v as tf.Tensor4D, w2, 1, 'same')))(h);
    const plain = tf.conv2dTranspose(tf.onesLike(tf.conv2d(h, w2, 1, 'same')), w2, h.shape as [number, number, number, number], 1, 'same');
    expect(Array.from(g.dataSync())).toEqual(Array.from(plain.dataSync()));
    const hv = h.dataSync();
    const gv = g.dataSync();
    expect(gv.some((v, i) => hv[i] === 0 && v !== 0)).toBe(true);
  });
});
