/** The one way every attack differentiates through the classifier. */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../types.js';

/** A per-example loss `[N]` on the classifier's logits `[N, K]`, to be ascended. */
export type PerExampleLoss = (logits: tf.Tensor2D) => tf.Tensor1D;

/**
 * What {@link inputGradient} returns: new tensors owned by the caller. `grad` is scoped as usual
 * (a `tf.tidy` around the call frees it); `logits` and `loss` are kept past the gradient's own
 * scope, so the caller disposes them, also inside a `tf.tidy`.
 */
export interface InputGradient {
  /** Gradient of the summed loss with respect to the input, the shape of the input. */
  grad: tf.Tensor4D;
  /** Logits of the same forward pass. */
  logits: tf.Tensor2D;
  /** The per-example loss of that pass. */
  loss: tf.Tensor1D;
}

/**
 * Gradient of `sum_i loss(model(x))_i` with respect to `x`, with the logits and the per-example
 * loss of the same forward pass (one forward, one backward). See {@link InputGradient} for who
 * frees what.
 */
export function inputGradient(model: Classifier, x: tf.Tensor4D, loss: PerExampleLoss): InputGradient {
  let logits: tf.Tensor2D | undefined;
  let perExample: tf.Tensor1D | undefined;
  const grad = tf.grad((xi: tf.Tensor) => {
    const z = model(xi as tf.Tensor4D);
    const l = loss(z);
    // Kept past the gradient's scope so callers read the predictions of this very pass.
    logits = tf.keep(z);
    perExample = tf.keep(l);
    return tf.sum(l);
  })(x) as tf.Tensor4D;
  if (logits === undefined || perExample === undefined) throw new Error('attack: the classifier produced no logits');
  return { grad, logits, loss: perExample };
}
