import * as tf from '@tensorflow/tfjs';
import { checkLogitsAndLabels } from './checks.js';

/** Largest logit among the wrong classes, `max_{j != y} z_j`, shape `[N]`. */
export function maxOtherLogit(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const isTrue = tf.cast(tf.oneHot(labels, logits.shape[1]), 'bool');
    const others = tf.where(isTrue, tf.fill(logits.shape, -Infinity), logits);
    return tf.max(others, 1) as tf.Tensor1D;
  });
}

/**
 * The classification margin `z_y - max_{j != y} z_j` per example `[N]`: negative means
 * misclassified. The CW loss, the DLR loss and Square's objective are built on it.
 */
export function marginPerExample(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  checkLogitsAndLabels('marginPerExample', logits, labels);
  return tf.tidy(() => {
    const trueLogit = tf.sum(tf.mul(logits, tf.oneHot(labels, logits.shape[1])), 1);
    return tf.sub(trueLogit, maxOtherLogit(logits, labels)) as tf.Tensor1D;
  });
}

/** `-max(z_y - max_{j != y} z_j + kappa, 0)` per example `[N]` (the SPEC's CW term). */
export function cwLossPerExample(logits: tf.Tensor2D, labels: tf.Tensor1D, kappa: number): tf.Tensor1D {
  checkLogitsAndLabels('cwLossPerExample', logits, labels);
  if (!Number.isFinite(kappa) || kappa < 0) {
    throw new Error(`cwLoss: kappa must be a finite number >= 0, got ${kappa}`);
  }
  return tf.tidy(() => tf.neg(tf.relu(tf.add(marginPerExample(logits, labels), kappa))) as tf.Tensor1D);
}

/**
 * The CW margin loss of the SPEC: `sum_i -max(z_y - max_{j != y} z_j + kappa, 0)`, summed over
 * the batch (attacks ascend it, which pushes the true logit below the best wrong one).
 */
export function cwLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, kappa: number): tf.Scalar {
  return tf.tidy(() => tf.sum(cwLossPerExample(logits, labels, kappa)) as tf.Scalar);
}
