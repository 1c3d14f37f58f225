/** BatchNorm's two modes through asClassifier / asMaskNet, and the adapters' checks. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { asClassifier, asMaskNet, buildClassifier, buildMaskNet } from '@cat/core';

const small = () => buildClassifier('wide-resnet', { inputShape: [8, 8, 3], numClasses: 10, depth: 10, widen: 1, seed: 5 });

describe('BatchNorm modes and adapters', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('training and inference mode give different logits; inference is repeatable', () => {
    const f = small();
    const x = tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const infer = asClassifier(f);
    const a = infer(x);
    const b = infer(x);
    const t = asClassifier(f, true)(x);
    expect(a.shape).toEqual([4, 10]);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    const diff = tf.sub(a, t).abs().max().dataSync()[0];
    expect(diff).toBeGreaterThan(1e-3);
    tf.dispose([x, a, b, t]);
    f.dispose();
  });

  it('training mode updates the running stats: new = 0.9 old + 0.1 batch (biased variance)', () => {
    const f = small();
    const x = tf.randomUniform([3, 8, 8, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    // block1.layer.0.bn1 sees conv1's output: compute its batch moments independently.
    const conv1 = tf.model({ inputs: f.inputs, outputs: f.getLayer('conv1').output as tf.SymbolicTensor });
    const h = conv1.predict(x) as tf.Tensor4D;
    const flat = h.reshape([-1, 16]).arraySync() as number[][];
    const n = flat.length;
    const mean = Array.from({ length: 16 }, (_, c) => flat.reduce((s, r) => s + r[c], 0) / n);
    const variance = mean.map((m, c) => flat.reduce((s, r) => s + (r[c] - m) ** 2, 0) / n);
    const y = asClassifier(f, true)(x);
    const [, , movingMean, movingVar] = f.getLayer('block1.layer.0.bn1').getWeights().map((w) => Array.from(w.dataSync()));
    mean.forEach((m, c) => expect(movingMean[c]).toBeCloseTo(0.1 * m, 5));
    variance.forEach((v, c) => expect(movingVar[c]).toBeCloseTo(0.9 + 0.1 * v, 5));
    tf.dispose([x, h, y]);
    f.dispose();
  });

  it('an optimiser step through the training-mode classifier moves the weights and leaks no tensors', () => {
    const f = small();
    const clf = asClassifier(f, true);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const y = tf.oneHot(tf.tensor1d([1, 7], 'int32'), 10);
    const opt = tf.train.sgd(0.1);
    const step = () => opt.minimize(() => tf.losses.softmaxCrossEntropy(y, clf(x)) as tf.Scalar);
    tf.dispose(step() ?? []); // the first step creates SGD's learning-rate scalar: count after it
    const before = f.getLayer('fc').getWeights()[0].dataSync().slice();
    const count = tf.memory().numTensors;
    tf.dispose(step() ?? []);
    expect(tf.memory().numTensors).toBe(count);
    const after = f.getLayer('fc').getWeights()[0].dataSync();
    expect(after.some((v, i) => v !== before[i])).toBe(true);
    tf.tidy(() => {
      asClassifier(f)(x);
    });
    expect(tf.memory().numTensors).toBe(count);
    tf.dispose([x, y]);
    f.dispose();
  });

  it('asMaskNet returns the mask; gradients flow to the input through both adapters', () => {
    const g = buildMaskNet('mnist-mask', { inputShape: [8, 8, 1] });
    const f = buildClassifier('mnist-cnn', { inputShape: [8, 8, 1], numClasses: 3 });
    const mask = asMaskNet(g);
    const clf = asClassifier(f);
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const m = mask(x);
    expect(m.shape).toEqual([2, 8, 8, 1]);
    const grad = tf.grad((z) => clf(tf.mul(mask(z as tf.Tensor4D), z) as tf.Tensor4D).sum())(x);
    expect(grad.shape).toEqual([2, 8, 8, 1]);
    expect(grad.abs().sum().dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([x, m, grad]);
  });

  it('refuses a model of the wrong kind', () => {
    const g = buildMaskNet('mnist-mask', { inputShape: [8, 8, 1] });
    const f = buildClassifier('mnist-cnn', { inputShape: [8, 8, 1], numClasses: 3 });
    expect(() => asClassifier(g)).toThrow(/outputs rank 4, expected logits/);
    expect(() => asMaskNet(f)).toThrow(/outputs rank 2, expected a mask/);
  });
});
