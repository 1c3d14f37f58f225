import * as tf from '@tensorflow/tfjs';
import { logSoftmax } from '../ops/index.js';
import { checkLogitsAndLabels, checkSameLogits } from './checks.js';
import { crossEntropyPerExample } from './cross-entropy.js';
import { klDivPerExample } from './kl-div.js';

/**
 * MART's boosted cross-entropy per example `[N]`:
 * `-log p_y(x') - log(1.0001 - max_{k != y} p_k(x') + 1e-12)`. The SPEC writes
 * `-log(1 - max p_k)`; the two small constants are those of the MART reference code and keep
 * the logarithm finite when the wrong class takes all the mass.
 */
export function boostedCrossEntropyPerExample(advLogits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  checkLogitsAndLabels('boostedCrossEntropyPerExample', advLogits, labels);
  return tf.tidy(() => {
    const probs = tf.exp(logSoftmax(advLogits));
    const isTrue = tf.cast(tf.oneHot(labels, advLogits.shape[1]), 'bool');
    const maxOther = tf.max(tf.where(isTrue, tf.zerosLike(probs), probs), 1);
    const margin = tf.neg(tf.log(tf.add(tf.sub(1.0001, maxOther), 1e-12)));
    return tf.add(crossEntropyPerExample(advLogits, labels), margin) as tf.Tensor1D;
  });
}

/** The terms of {@link martLoss}, all scalars. */
export interface MartLossTerms {
  /** `bce + lambda * kl`, what MART minimises. */
  loss: tf.Scalar;
  /** Mean boosted cross-entropy on the adversarial examples. */
  bce: tf.Scalar;
  /** `mean_i KL(p(x_i) || p(x'_i)) * (1.0000001 - p_y(x_i))`. */
  kl: tf.Scalar;
}

/**
 * MART (Wang et al. 2020): `BCE(p(x'), y) + lambda * mean_i KL(p(x_i) || p(x'_i)) * (1 - p_y(x_i))`.
 * Gradients flow through the natural probabilities as in the reference code; the reference's
 * `log(p' + 1e-12)` is replaced by an exact log-softmax (no difference above 1e-12).
 */
export function martLoss(
  naturalLogits: tf.Tensor2D,
  advLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
  lambda: number,
): MartLossTerms {
  checkSameLogits('martLoss', naturalLogits, advLogits);
  checkLogitsAndLabels('martLoss', advLogits, labels);
  if (!Number.isFinite(lambda) || lambda < 0) {
    throw new Error(`martLoss: lambda must be a finite number >= 0, got ${lambda}`);
  }
  const bce = tf.tidy(() => tf.mean(boostedCrossEntropyPerExample(advLogits, labels)) as tf.Scalar);
  const kl = tf.tidy(() => {
    const pTrue = tf.exp(tf.neg(crossEntropyPerExample(naturalLogits, labels)));
    const weight = tf.sub(1.0000001, pTrue);
    return tf.mean(tf.mul(klDivPerExample(naturalLogits, advLogits), weight)) as tf.Scalar;
  });
  const loss = tf.tidy(() => tf.add(bce, tf.mul(kl, lambda)) as tf.Scalar);
  return { loss, bce, kl };
}
