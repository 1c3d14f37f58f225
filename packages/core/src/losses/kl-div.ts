import * as tf from '@tensorflow/tfjs';
import { klDivergence } from '../ops/index.js';
import { checkSameLogits } from './checks.js';
import { stopGradient } from './stop-gradient.js';

/** Options of {@link klDivBatchMean}. */
export interface KlDivOptions {
  /**
   * Treat the target distribution `p` as a constant. Default false: gradients flow through both
   * arguments, as in the TRADES and CAT scripts.
   */
  detachTarget?: boolean;
}

/**
 * `KL(p || q) = sum_k p_k (log p_k - log q_k)` per example `[N]`, `p`, `q` given as logits
 * `[N, K]`; the fused `ops.klDivergence` with an optional detached target.
 */
export function klDivPerExample(
  pLogits: tf.Tensor2D,
  qLogits: tf.Tensor2D,
  options: KlDivOptions = {},
): tf.Tensor1D {
  checkSameLogits('klDivPerExample', pLogits, qLogits);
  return tf.tidy(() => klDivergence(options.detachTarget ? stopGradient(pLogits) : pLogits, qLogits));
}

/**
 * `KL(p || q)` averaged over the batch ("batchmean"), `p`, `q` given as logits `[N, K]`, with an
 * optional detached target (the one batch-mean KL of @cat/core).
 */
export function klDivBatchMean(
  pLogits: tf.Tensor2D,
  qLogits: tf.Tensor2D,
  options: KlDivOptions = {},
): tf.Scalar {
  checkSameLogits('klDivBatchMean', pLogits, qLogits);
  return tf.tidy(() => tf.mean(klDivPerExample(pLogits, qLogits, options)) as tf.Scalar);
}
