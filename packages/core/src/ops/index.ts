/**
 * Fused operations of the attacks and of calibration. Each is one tfjs op, so a backend can run
 * it as one kernel (the native backend does; see backend/), and every other backend runs the
 * composite definition here. Attacks and methods call these, never the composite by hand.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * One L-inf attack step: `clip(clip(xAdv + alpha * sign(grad), x - eps, x + eps), 0, 1)`.
 * No gradient flows through it (attack iterates are constants).
 */
export function signStepProject(
  xAdv: tf.Tensor4D,
  grad: tf.Tensor4D,
  x: tf.Tensor4D,
  alpha: number,
  eps: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const stepped = tf.add(xAdv, tf.mul(tf.sign(grad), alpha));
    const projected = tf.minimum(tf.maximum(stepped, tf.sub(x, eps)), tf.add(x, eps));
    return tf.clipByValue(projected, 0, 1) as tf.Tensor4D;
  });
}

/**
 * Calibrated adversarial example: `clip(x + mask * delta, 0, 1)`. Differentiable with respect to
 * `mask` (the mask network learns through it) and `delta`.
 */
export function calibrate(x: tf.Tensor4D, delta: tf.Tensor4D, mask: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.clipByValue(tf.add(x, tf.mul(mask, delta)), 0, 1) as tf.Tensor4D);
}

/** Row-wise log-softmax of logits `[N, K]`; every loss goes through this one. */
export function logSoftmax(logits: tf.Tensor2D): tf.Tensor2D {
  return tf.logSoftmax(logits) as tf.Tensor2D;
}
