/**
 * Deterministic "random" weights and images from an integer hash that Python reproduces exactly
 * (reference/torch_reference.py), for comparisons with PyTorch.
 */
import * as tf from '@tensorflow/tfjs';

/** `n` values in [0,1): `((i * 2654435761 + j * 40503) mod 2^32) / 2^32` (exact in doubles). */
export function hashUniform(n: number, j: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = ((i * 2654435761 + j * 40503) % 4294967296) / 4294967296;
  return out;
}

/**
 * Overwrites every weight of `model` (in `model.weights` order, index j): kernels (rank > 1)
 * with `(u - 0.5) * sqrt(24 / fanIn)`; BatchNorm gamma and running variance with `0.5 + u`
 * (positive); other vectors (biases, beta, running mean) with `0.2 * (u - 0.5)`.
 */
export function setPatternWeights(model: tf.LayersModel): void {
  model.weights.forEach((w, j) => {
    const shape = w.shape as number[];
    const n = shape.reduce((a, d) => a * d, 1);
    const u = hashUniform(n, j);
    const fanIn = shape.slice(0, -1).reduce((a, d) => a * d, 1);
    const positive = /\/(gamma|moving_variance)$/.test(w.originalName);
    const value = (v: number) => (shape.length > 1 ? (v - 0.5) * Math.sqrt(24 / fanIn) : positive ? 0.5 + v : 0.2 * (v - 0.5));
    const t = tf.tensor(Float32Array.from(u, value), shape);
    w.write(t);
    t.dispose();
  });
}

/** A batch of hash images in [0,1), NHWC. */
export function patternImages(shape: [number, number, number, number], j = 1000): tf.Tensor4D {
  const n = shape.reduce((a, d) => a * d, 1);
  return tf.tensor4d(Float32Array.from(hashUniform(n, j)), shape);
}
