import type * as tf from '@tensorflow/tfjs';

/** Throws unless `x` is an NHWC float32 batch and `y` int32 labels of the same length. */
export function checkAttackInputs(name: string, x: tf.Tensor, y: tf.Tensor): void {
  if (x.rank !== 4) throw new Error(`${name}: x must be NHWC images (rank 4), got shape [${x.shape}]`);
  if (x.dtype !== 'float32') throw new Error(`${name}: x must be float32 in [0,1], got dtype ${x.dtype}`);
  if (y.rank !== 1 || y.shape[0] !== x.shape[0]) {
    throw new Error(`${name}: y must be labels [N] with N = ${x.shape[0]}, got shape [${y.shape}]`);
  }
  if (y.dtype !== 'int32') throw new Error(`${name}: y must be int32 class indices, got dtype ${y.dtype}`);
}
