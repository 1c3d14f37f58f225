/**
 * Per-example bookkeeping of the attacks that work on a shrinking set of examples (APGD, FAB,
 * AutoAttack): predictions, row gathers and scatters, and per-example selects.
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../types.js';

/** Predicted class of each row of the model's logits, as a plain array. */
export function predict(model: Classifier, x: tf.Tensor4D): Int32Array {
  return tf.tidy(() => tf.argMax(model(x), 1).dataSync() as Int32Array).slice();
}

/** The indices `i` where `mask[i]` holds, in order (the examples still to attack). */
export function indicesWhere(mask: ArrayLike<boolean>): number[] {
  const idx: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) idx.push(i);
  return idx;
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

/** `where(mask, source, target)` per example; disposes the old `target` and returns the new one. */
export function replaceWhere(target: tf.Tensor4D, mask: boolean[], source: tf.Tensor4D): tf.Tensor4D {
  const next = tf.tidy(() => tf.where(imageMask(mask), source, target) as tf.Tensor4D);
  target.dispose();
  return next;
}
