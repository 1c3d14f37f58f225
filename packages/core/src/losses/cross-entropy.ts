import * as tf from '@tensorflow/tfjs';
import { softmaxCrossEntropy } from '../ops/index.js';
import { checkLogitsAndLabels } from './checks.js';

/**
 * Cross-entropy of logits `[N, K]` against int32 labels `[N]`, one value per example `[N]`
 * (the fused `ops.softmaxCrossEntropy`).
 */
export function crossEntropyPerExample(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  checkLogitsAndLabels('crossEntropyPerExample', logits, labels);
  return softmaxCrossEntropy(logits, labels);
}

/** Mean cross-entropy over the batch (a scalar). */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  checkLogitsAndLabels('crossEntropy', logits, labels);
  return tf.tidy(() => tf.mean(crossEntropyPerExample(logits, labels)) as tf.Scalar);
}
