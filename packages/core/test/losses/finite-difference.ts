import * as tf from '@tensorflow/tfjs';

/**
 * Central finite differences of a scalar function of one tensor, evaluated in float32 by tfjs.
 * Returns the numerical gradient as a flat array, one entry per element of `x`.
 */
export function numericalGradient(fn: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, h = 1e-2): Float32Array {
  const base = Float32Array.from(x.dataSync());
  const out = new Float32Array(base.length);
  const evalAt = (values: Float32Array) =>
    tf.tidy(() => fn(tf.tensor(values, x.shape, 'float32')).dataSync()[0]);
  for (let i = 0; i < base.length; i++) {
    const plus = base.slice();
    plus[i] += h;
    const minus = base.slice();
    minus[i] -= h;
    out[i] = (evalAt(plus) - evalAt(minus)) / (2 * h);
  }
  return out;
}

/** Largest absolute difference between two arrays, relative to max(1, |reference|). */
export function maxRelativeError(actual: ArrayLike<number>, reference: ArrayLike<number>): number {
  if (actual.length !== reference.length) throw new Error('maxRelativeError: length mismatch');
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - reference[i]) / Math.max(1, Math.abs(reference[i]));
    worst = Math.max(worst, err);
  }
  return worst;
}
