/** The normalisation layer every classifier starts with. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Normalize, buildClassifier } from '@cat/core';

describe('Normalize layer', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('computes (x - mean) / std per channel (hand-computed)', () => {
    const layer = new Normalize({ mean: [0.5, 0.25], std: [0.5, 2] });
    const x = tf.tensor4d([0, 1, 1, 0.25], [1, 1, 2, 2]); // pixels (0, 1) and (1, 0.25)
    const y = layer.apply(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([-1, 0.375, 1, 0]);
    tf.dispose([x, y]);
  });

  it('is the identity with mean 0 / std 1, and is the first layer of the MNIST CNN', () => {
    const f = buildClassifier('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10 });
    const norm = f.layers[1] as Normalize;
    expect(norm).toBeInstanceOf(Normalize);
    expect(norm.isIdentity).toBe(true);
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 1);
    const y = norm.apply(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, y]);
    f.dispose();
  });

  it('carries the CIFAR mean/std given to buildClassifier and changes the logits accordingly', () => {
    const mean = [0.4914, 0.4822, 0.4465];
    const std = [0.2471, 0.2435, 0.2616];
    const opts = { inputShape: [8, 8, 3] as [number, number, number], numClasses: 10, depth: 10, widen: 1, seed: 4 };
    const withNorm = buildClassifier('wide-resnet', { ...opts, mean, std });
    const plain = buildClassifier('wide-resnet', opts);
    const norm = withNorm.getLayer('normalize') as Normalize;
    expect(norm.mean).toEqual(mean);
    expect(norm.std).toEqual(std);
    // Same seed, so feeding the normalised image to the plain model gives the same logits.
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 3);
    const xn = tf.div(tf.sub(x, mean), std);
    const a = withNorm.predict(x) as tf.Tensor;
    const b = plain.predict(xn) as tf.Tensor;
    const c = plain.predict(x) as tf.Tensor;
    const ad = a.dataSync(), bd = b.dataSync(), cd = c.dataSync();
    for (let i = 0; i < ad.length; i++) expect(ad[i]).toBeCloseTo(bd[i], 4);
    expect(Math.max(...Array.from(ad, (v, i) => Math.abs(v - cd[i])))).toBeGreaterThan(1e-3);
    tf.dispose([x, xn, a, b, c]);
  });

  it('a single mean/std value is broadcast to every channel', () => {
    const f = buildClassifier('mnist-cnn', { inputShape: [28, 28, 3], numClasses: 10, mean: [0.5], std: [0.25] });
    expect((f.getLayer('normalize') as Normalize).mean).toEqual([0.5, 0.5, 0.5]);
  });

  it('rejects bad mean/std clearly', () => {
    const shape: [number, number, number] = [32, 32, 3];
    expect(() => buildClassifier('mnist-cnn', { inputShape: shape, numClasses: 10, mean: [0.1, 0.2] })).toThrow(/mean must have 3 values/);
    expect(() => new Normalize({ mean: [0], std: [0] })).toThrow(/std finite and > 0/);
    expect(() => new Normalize({ mean: [0, 1], std: [1] })).toThrow(/equal length/);
  });
});
