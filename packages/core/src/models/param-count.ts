/** Parameter counting comparable with PyTorch's. */
import type * as tf from '@tensorflow/tfjs';

/**
 * Number of scalar weights. `'trainable'` (default) matches PyTorch's
 * `sum(p.numel() for p in model.parameters())`, which leaves BatchNorm's running mean and
 * variance out (buffers there, non-trainable weights here); `'all'` counts those too.
 */
export function paramCount(model: tf.LayersModel, which: 'trainable' | 'all' = 'trainable'): number {
  const weights = which === 'all' ? model.weights : model.trainableWeights;
  let n = 0;
  for (const w of weights) n += w.shape.reduce((a: number, d) => a * (d ?? 1), 1);
  return n;
}
