/**
 * A cat classifier's weights as the PyTorch state dict of the same network, written here
 * independently of the loader: PyTorch names (the layer name plus weight / bias / running_mean /
 * running_var), conv kernels [kh, kw, in, out] -> [out, in, kh, kw], linear kernels [in, out] ->
 * [out, in] with the features after a flatten in PyTorch's (c, h, w) order, plus a
 * `num_batches_tracked` I64 scalar per BatchNorm as PyTorch saves them.
 */
import * as tf from '@tensorflow/tfjs';
import type { SafetensorsInput } from '@cat/core';

const BN: Record<string, string> = { gamma: 'weight', beta: 'bias', moving_mean: 'running_mean', moving_variance: 'running_var' };

/** `flatten` is the [h, w, c] of the feature map before a flatten that feeds `flattenInto`. */
export function torchStateDict(model: tf.LayersModel, opts: { flattenInto?: string; flatten?: [number, number, number]; prefix?: string } = {}): SafetensorsInput[] {
  const out: SafetensorsInput[] = [];
  const prefix = opts.prefix ?? '';
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    for (const v of layer.weights) {
      const short = v.originalName.split('/').pop()!;
      const value = v.read();
      let t: tf.Tensor;
      let name: string;
      if (short === 'kernel' && cls === 'CatPaddedConv2D') {
        t = tf.transpose(value, [3, 2, 0, 1]);
        name = 'weight';
      } else if (short === 'kernel' && layer.name === opts.flattenInto) {
        const [h, w, c] = opts.flatten!;
        const units = value.shape[1];
        t = tf.tidy(() => tf.transpose(value.reshape([h, w, c, units]), [3, 2, 0, 1]).reshape([units, c * h * w]));
        name = 'weight';
      } else if (short === 'kernel') {
        t = tf.transpose(value);
        name = 'weight';
      } else {
        t = value.clone();
        name = cls === 'BatchNormalization' ? BN[short] : short;
      }
      out.push({ name: `${prefix}${layer.name}.${name}`, shape: t.shape, data: t.dataSync() as Float32Array });
      t.dispose();
    }
    if (cls === 'BatchNormalization') {
      out.push({ name: `${prefix}${layer.name}.num_batches_tracked`, shape: [], dtype: 'I64', bytes: new Uint8Array(new BigInt64Array([123n]).buffer) });
    }
  }
  return out;
}

/**
 * Gives the BatchNorm statistics and affine weights and every bias seeded values (the kernels
 * keep the seeded initialisation of the model's own seed), so a load can be told apart from a
 * fresh build and the running statistics are exercised.
 */
export function randomizeWeights(model: tf.LayersModel, seed: number): void {
  model.weights.forEach((w, i) => {
    const name = w.originalName;
    if (name.endsWith('kernel')) return;
    const positive = name.endsWith('moving_variance') || name.endsWith('gamma');
    const v = positive ? tf.randomUniform(w.shape, 0.5, 1.5, 'float32', seed + i) : tf.randomUniform(w.shape, -0.1, 0.1, 'float32', seed + i);
    w.write(v);
    v.dispose();
  });
}
