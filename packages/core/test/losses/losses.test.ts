import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  boostedCrossEntropyPerExample,
  crossEntropy,
  crossEntropyPerExample,
  cwLoss,
  cwLossPerExample,
  klDivBatchMean,
  martLoss,
  weightedCrossEntropy,
} from '@cat/core';
import { maxRelativeError, numericalGradient } from './finite-difference.js';

// The 2x3 example; the expected numbers below were computed by hand (float64, outside tfjs):
// log-softmax of each row, then the formula of each loss.
const L = [
  [1, 2, 3],
  [0.5, -1, 2],
];
const Q = [
  [0, 1, -1],
  [2, 0, 1],
];
const Y = [2, 0];

const logits = () => tf.tensor2d(L);
const other = () => tf.tensor2d(Q);
const labels = () => tf.tensor1d(Y, 'int32');
const scalar = (t: tf.Tensor) => t.dataSync()[0];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('loss values on the 2x3 example', () => {
  it('cross-entropy per example and mean', () => {
    expect(Array.from(crossEntropyPerExample(logits(), labels()).dataSync())).toEqual([
      expect.closeTo(0.4076059644, 5),
      expect.closeTo(1.7413112967, 5),
    ]);
    expect(scalar(crossEntropy(logits(), labels()))).toBeCloseTo(1.0744586306, 5);
  });

  it('weighted cross-entropy mean_i CE_i (1 - p_y + 1e-7)', () => {
    expect(scalar(weightedCrossEntropy(logits(), labels()))).toBeCloseTo(0.7862630773, 5);
    // Detaching changes gradients only, never the value.
    expect(scalar(weightedCrossEntropy(logits(), labels(), { detachWeight: true }))).toBeCloseTo(0.7862630773, 5);
  });

  it('KL(p || q) batch mean', () => {
    expect(scalar(klDivBatchMean(logits(), other()))).toBeCloseTo(0.8227832041, 5);
    expect(scalar(klDivBatchMean(logits(), logits()))).toBeCloseTo(0, 6);
  });

  it('CW margin, summed, with the spec sign', () => {
    // kappa 2: row 1 margin 3 - 2 + 2 = 3; row 2 margin 0.5 - 2 + 2 = 0.5.
    expect(Array.from(cwLossPerExample(logits(), labels(), 2).dataSync())).toEqual([-3, -0.5]);
    expect(scalar(cwLoss(logits(), labels(), 2))).toBeCloseTo(-3.5, 6);
    // kappa 0: row 2 is already misclassified, so its term is clipped to 0.
    expect(scalar(cwLoss(logits(), labels(), 0))).toBeCloseTo(-1, 6);
  });

  it('MART boosted cross-entropy and full loss', () => {
    expect(Array.from(boostedCrossEntropyPerExample(other(), labels()).dataSync())).toEqual([
      expect.closeTo(3.5016515637, 4),
      expect.closeTo(0.6881515239, 4),
    ]);
    const terms = martLoss(logits(), other(), labels(), 6);
    expect(scalar(terms.bce)).toBeCloseTo(2.0949015438, 4);
    expect(scalar(terms.kl)).toBeCloseTo(0.4346298059, 5);
    expect(scalar(terms.loss)).toBeCloseTo(2.0949015438 + 6 * 0.4346298059, 4);
  });
});

describe('loss gradients against central finite differences', () => {
  const check = (fn: (z: tf.Tensor) => tf.Scalar, at: tf.Tensor) => {
    const analytic = tf.grad((z: tf.Tensor) => fn(z))(at).dataSync();
    expect(maxRelativeError(analytic, numericalGradient(fn, at))).toBeLessThan(2e-3);
  };
  const y = labels();

  it('cross-entropy', () => check((z) => crossEntropy(z as tf.Tensor2D, y), logits()));
  it('weighted cross-entropy (gradient through the weight)', () =>
    check((z) => weightedCrossEntropy(z as tf.Tensor2D, y), logits()));
  it('KL, both arguments', () => {
    check((z) => klDivBatchMean(z as tf.Tensor2D, other()), logits());
    check((z) => klDivBatchMean(logits(), z as tf.Tensor2D), other());
  });
  it('CW (away from the kinks)', () => check((z) => cwLoss(z as tf.Tensor2D, y, 2), logits()));
  it('MART, both arguments', () => {
    check((z) => martLoss(z as tf.Tensor2D, other(), y, 6).loss, logits());
    check((z) => martLoss(logits(), z as tf.Tensor2D, y, 6).loss, other());
  });
});

describe('detach switches', () => {
  const y = labels();
  it('detachWeight: the gradient treats (1 - p_y) as a constant', () => {
    const weights = tf.tidy(() => tf.add(tf.sub(1, tf.exp(tf.neg(crossEntropyPerExample(logits(), y)))), 1e-7));
    const constantWeighted = (z: tf.Tensor) =>
      tf.mean(tf.mul(crossEntropyPerExample(z as tf.Tensor2D, y), weights)) as tf.Scalar;
    const detached = tf.grad((z: tf.Tensor) => weightedCrossEntropy(z as tf.Tensor2D, y, { detachWeight: true }));
    expect(maxRelativeError(detached(logits()).dataSync(), numericalGradient(constantWeighted, logits()))).toBeLessThan(
      2e-3,
    );
    const attached = tf.grad((z: tf.Tensor) => weightedCrossEntropy(z as tf.Tensor2D, y)).call(null, logits());
    expect(maxRelativeError(attached.dataSync(), detached(logits()).dataSync())).toBeGreaterThan(1e-2);
  });

  it('detachTarget: no gradient reaches p, the gradient for q is unchanged', () => {
    const gp = tf.grad((p: tf.Tensor) => klDivBatchMean(p as tf.Tensor2D, other(), { detachTarget: true }))(logits());
    expect(Array.from(gp.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    const gqDetached = tf.grad((q: tf.Tensor) => klDivBatchMean(logits(), q as tf.Tensor2D, { detachTarget: true }))(
      other(),
    );
    const gq = tf.grad((q: tf.Tensor) => klDivBatchMean(logits(), q as tf.Tensor2D))(other());
    expect(maxRelativeError(gqDetached.dataSync(), gq.dataSync())).toBeLessThan(1e-6);
  });
});

describe('bad input', () => {
  it('names the problem', () => {
    expect(() => crossEntropy(tf.zeros([2, 3, 1]) as unknown as tf.Tensor2D, labels())).toThrow(/rank-2/);
    expect(() => crossEntropy(logits(), tf.tensor1d([0, 1, 2], 'int32'))).toThrow(/labels must be a rank-1/);
    expect(() => crossEntropy(logits(), tf.tensor1d([0, 1], 'float32'))).toThrow(/int32/);
    expect(() => klDivBatchMean(logits(), tf.zeros([2, 4]) as tf.Tensor2D)).toThrow(/one shape/);
    expect(() => cwLoss(logits(), labels(), -1)).toThrow(/kappa/);
  });
});
