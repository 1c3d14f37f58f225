/** Seeded, PyTorch-like initialisation. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildClassifier, buildMaskNet } from '@cat/core';

const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => w.dataSync() as Float32Array);
const byName = (m: tf.LayersModel, name: string) => {
  const w = m.weights.find((v) => v.originalName === name);
  if (!w) throw new Error(`no weight ${name}`);
  return w.read().dataSync() as Float32Array;
};
const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const std = (a: Float32Array) => {
  const mean = a.reduce((s, v) => s + v, 0) / a.length;
  return Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
};

describe('initialisation', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('the same seed gives the same weights, another seed different ones', () => {
    const a = weightsOf(buildClassifier('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 7 }));
    const b = weightsOf(buildClassifier('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 7 }));
    const c = weightsOf(buildClassifier('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 8 }));
    expect(a.length).toBe(12);
    a.forEach((w, i) => expect(Array.from(b[i])).toEqual(Array.from(w)));
    // Every randomly initialised tensor changes with the seed.
    a.forEach((w, i) => expect(Array.from(c[i])).not.toEqual(Array.from(w)));
    const g1 = weightsOf(buildMaskNet('mnist-mask', { inputShape: [28, 28, 1], seed: 1 }));
    const g2 = weightsOf(buildMaskNet('mnist-mask', { inputShape: [28, 28, 1], seed: 1 }));
    g1.forEach((w, i) => expect(Array.from(g2[i])).toEqual(Array.from(w)));
  });

  it('layers of equal shape get different draws within one model', () => {
    const f = buildClassifier('wide-resnet', { inputShape: [8, 8, 3], numClasses: 10, depth: 16, widen: 1, seed: 0 });
    expect(Array.from(byName(f, 'block1.layer.0.conv2/kernel'))).not.toEqual(Array.from(byName(f, 'block1.layer.1.conv2/kernel')));
  });

  it('conv/linear weights are uniform in ±1/sqrt(fanIn), biases too (kaiming-uniform, a = sqrt 5)', () => {
    const f = buildClassifier('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
    const cases: [string, number][] = [
      ['conv2/kernel', 9 * 32], ['conv2/bias', 9 * 32], ['fc1/kernel', 3136], ['fc1/bias', 3136], ['fc2/kernel', 100],
    ];
    for (const [name, fanIn] of cases) {
      const w = byName(f, name);
      const bound = 1 / Math.sqrt(fanIn);
      expect(maxAbs(w)).toBeLessThanOrEqual(bound);
      if (w.length >= 1000) {
        // U(-b, b): std b / sqrt(3); the sample std's relative sd is 0.45 / sqrt(n): allow 5 of those.
        expect(Math.abs(std(w) / (bound / Math.sqrt(3)) - 1)).toBeLessThan((5 * 0.45) / Math.sqrt(w.length));
        // ... and the extremes come close to the bound.
        expect(maxAbs(w)).toBeGreaterThan(0.99 * bound);
      }
    }
    f.dispose();
  });

  it('BatchNorm: gamma 1, beta 0, running stats 0/1, PyTorch momentum 0.1 (Keras 0.9), eps 1e-5', () => {
    const g = buildMaskNet('resnet18-mask', { inputShape: [8, 8, 3] });
    const bn = g.getLayer('layer2.0.bn1');
    const [gamma, beta, mean, variance] = bn.getWeights().map((w) => Array.from(w.dataSync()));
    expect(gamma.every((v) => v === 1)).toBe(true);
    expect(beta.every((v) => v === 0)).toBe(true);
    expect(mean.every((v) => v === 0)).toBe(true);
    expect(variance.every((v) => v === 1)).toBe(true);
    expect(bn.getConfig()).toMatchObject({ momentum: 0.9, epsilon: 1e-5, axis: -1 });
    g.dispose();
  });

  it('WideResNet follows TRADES: conv normal(0, sqrt(2 / (9 * out))), fc bias 0', () => {
    const f = buildClassifier('wide-resnet', { inputShape: [8, 8, 3], numClasses: 10, depth: 10, widen: 4, seed: 2 });
    const k = byName(f, 'block3.layer.0.conv2/kernel'); // 256 -> 256: 589,824 draws
    expect(std(k)).toBeCloseTo(Math.sqrt(2 / (9 * 256)), 3);
    // Untruncated normal: values beyond 2 std occur (about 4.6%); a truncated one has none.
    const s = Math.sqrt(2 / (9 * 256));
    const beyond = k.filter((v) => Math.abs(v) > 2 * s).length / k.length;
    expect(beyond).toBeGreaterThan(0.04);
    expect(beyond).toBeLessThan(0.052);
    expect(Array.from(byName(f, 'fc/bias')).every((v) => v === 0)).toBe(true);
    expect(maxAbs(byName(f, 'fc/kernel'))).toBeLessThanOrEqual(1 / Math.sqrt(256));
    f.dispose();
  });
});
