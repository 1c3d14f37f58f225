/** Small tensor helpers shared by the evaluation attacks. */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../types.js';

/**
 * Logits, per-example loss and the gradient of the summed loss with respect to the input, from
 * one forward and one backward pass. All three are new tensors owned by the caller.
 */
export function lossGradAndLogits(
  model: Classifier,
  x: tf.Tensor4D,
  loss: (logits: tf.Tensor2D) => tf.Tensor1D,
): { logits: tf.Tensor2D; loss: tf.Tensor1D; grad: tf.Tensor4D } {
  let logits: tf.Tensor2D | undefined;
  let perExample: tf.Tensor1D | undefined;
  const grad = tf.grad((xi: tf.Tensor) => {
    const z = model(xi as tf.Tensor4D);
    const l = loss(z);
    // Keep forward results alive past the gradient's tidy; the caller disposes them.
    logits = tf.keep(z);
    perExample = tf.keep(l);
    return tf.sum(l);
  })(x) as tf.Tensor4D;
  return { logits: logits!, loss: perExample!, grad };
}

/** Predicted class of each row of the model's logits, as a plain array. */
export function predict(model: Classifier, x: tf.Tensor4D): Int32Array {
  return tf.tidy(() => tf.argMax(model(x), 1).dataSync() as Int32Array).slice();
}

/** `[N]` boolean mask as a `[N,1,1,1]` tensor for `tf.where` over images. */
export function imageMask(mask: ArrayLike<boolean>): tf.Tensor4D {
  const n = mask.length;
  const v = new Uint8Array(n);
  for (let i = 0; i < n; i++) v[i] = mask[i] ? 1 : 0;
  return tf.tensor4d(v, [n, 1, 1, 1], 'bool');
}

/** Rows `idx` of a tensor (a new tensor). */
export function takeRows<T extends tf.Tensor>(t: T, idx: ArrayLike<number>): T {
  return tf.tidy(() => tf.gather(t, tf.tensor1d(Array.from(idx), 'int32')) as T);
}

/**
 * Writes rows `idx` of `full` with the rows of `part` (in order); returns a new tensor and
 * disposes neither input.
 */
export function scatterRows(full: tf.Tensor4D, idx: ArrayLike<number>, part: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const n = full.shape[0];
    const source = new Int32Array(n).fill(-1);
    for (let j = 0; j < idx.length; j++) source[idx[j]] = j;
    const mask = new Array<boolean>(n);
    const gatherIdx = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      mask[i] = source[i] >= 0;
      gatherIdx[i] = Math.max(source[i], 0);
    }
    if (idx.length === 0) return full.clone();
    const spread = tf.gather(part, tf.tensor1d(gatherIdx, 'int32')) as tf.Tensor4D;
    return tf.where(imageMask(mask), spread, full) as tf.Tensor4D;
  });
}

/** Projects `xAdv` onto the L-inf ball of radius `eps` around `x`, intersected with [0,1]. */
export function projectLinf(xAdv: tf.Tensor4D, x: tf.Tensor4D, eps: number): tf.Tensor4D {
  return tf.tidy(
    () => tf.clipByValue(tf.minimum(tf.maximum(xAdv, tf.sub(x, eps)), tf.add(x, eps)), 0, 1) as tf.Tensor4D,
  );
}

/** Checks the common attack arguments and throws a clear Error naming the bad one. */
export function checkAttackInput(name: string, x: tf.Tensor4D, y: tf.Tensor1D): void {
  if (x.rank !== 4) throw new Error(`${name}: x must be NHWC (rank 4), got shape [${x.shape}]`);
  if (y.rank !== 1 || y.shape[0] !== x.shape[0]) {
    throw new Error(`${name}: y must be [${x.shape[0]}] labels, got shape [${y.shape}]`);
  }
}

/** Checks that eps is a usable L-inf budget. */
export function checkEps(name: string, eps: number): void {
  if (!Number.isFinite(eps) || eps < 0 || eps > 1) {
    throw new Error(`${name}: eps must be a number in [0, 1] (pixel scale), got ${eps}`);
  }
}
