/** The fused ReLU/LeakyReLU gradients @cat/core installs over tfjs's, on the cpu backend. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import '@cat/core';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const x = [-2, -0.5, 0, 0.25, 3, -1];
const dy = [1, 2, 3, 4, 5, 6];

describe('ReLU and LeakyReLU gradients', () => {
  it('are dy where x > 0 and alpha * dy elsewhere (hand-computed), as one kernel', async () => {
    const xt = tf.tensor2d(x, [2, 3]);
    const dyt = tf.tensor2d(dy, [2, 3]);
    const relu = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), dyt)))(xt);
    expect(Array.from(relu.dataSync())).toEqual([0, 0, 0, 4, 5, 0]);
    const leaky = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(v, 0.2), dyt)))(xt);
    expect(Array.from(leaky.dataSync()).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0.2, 0.4, 0.6, 4, 5, 1.2]);
    const { kernelNames } = await tf.profile(() => tf.grad((v: tf.Tensor) => tf.sum(tf.leakyRelu(v, 0.2)))(xt));
    expect(kernelNames).toContain('CatReluGrad');
    expect(kernelNames).not.toContain('Select');
  });

  it('match a tfjs-layers LeakyReLU layer gradient against finite differences', () => {
    const layer = tf.layers.leakyReLU({ alpha: 0.3 });
    const xv = [-1.5, -0.2, 0.4, 2.0];
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.square(layer.apply(v) as tf.Tensor)))(tf.tensor1d(xv)).dataSync();
    const f = (v: number) => (v > 0 ? v : 0.3 * v) ** 2;
    xv.forEach((v, i) => expect(Math.abs(g[i] - (f(v + 1e-4) - f(v - 1e-4)) / 2e-4)).toBeLessThan(1e-3));
  });

  it('keep the output, not the input, for the backward pass', () => {
    // z = relu(x + 1): the input of Relu (x + 1) is dead once Relu ran; tfjs's own gradient
    // would keep it. Count the tensors the tape keeps: inside tf.grad's function, after Relu.
    const xt = tf.tensor1d(x);
    let savedByRelu: tf.Tensor[] | undefined;
    tf.grad((v: tf.Tensor) => {
      const z = tf.relu(tf.add(v, 1));
      const tape = (tf.engine() as unknown as { state: { activeTape: { kernelName: string; saved?: tf.Tensor[] }[] } }).state.activeTape;
      savedByRelu = tape.find((n) => n.kernelName === 'Relu')?.saved;
      expect(savedByRelu?.length).toBe(1);
      expect(Array.from(savedByRelu![0].dataSync())).toEqual(Array.from(z.dataSync()));
      return tf.sum(z);
    })(xt);
  });

  it('refuse LeakyReLU with a negative alpha, whose output sign does not tell the input sign', () => {
    expect(() => tf.grad((v: tf.Tensor) => tf.sum(tf.leakyRelu(v, -0.5)))(tf.tensor1d(x))).toThrow(/alpha must be >= 0/);
  });
});
