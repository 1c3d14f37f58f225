import * as tf from '@tensorflow/tfjs';
import { checkLogitsAndLabels } from './checks.js';
import { crossEntropyPerExample } from './cross-entropy.js';
import { stopGradient } from './stop-gradient.js';

/** Options of {@link weightedCrossEntropy}. */
export interface WeightedCrossEntropyOptions {
  /**
   * Treat the weight `1 - p_y` as a constant. Default false: as in the authors' scripts, the
   * gradient also flows through the weight.
   */
  detachWeight?: boolean;
}

/**
 * CAT's weighted cross-entropy (SPEC step 3): `mean_i CE_i * (1 - p_{y_i} + 1e-7)`, so that
 * misclassified natural examples weigh more. `p_y = exp(-CE)` is the softmax probability of the
 * true class.
 */
export function weightedCrossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  options: WeightedCrossEntropyOptions = {},
): tf.Scalar {
  checkLogitsAndLabels('weightedCrossEntropy', logits, labels);
  return tf.tidy(() => {
    const ce = crossEntropyPerExample(logits, labels);
    let weight: tf.Tensor1D = tf.add(tf.sub(1, tf.exp(tf.neg(ce))), 1e-7);
    if (options.detachWeight) weight = stopGradient(weight);
    return tf.mean(tf.mul(ce, weight)) as tf.Scalar;
  });
}
