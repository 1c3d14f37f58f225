/**
 * A leaner gradient for the `Mean` kernel, replacing tfjs's: `tile(reshape(dy) / n)` is one pass
 * over the input's shape, where tfjs's `div(mul(reshape(dy), ones(x.shape)), n)` allocates a
 * tensor of ones and makes three. Batch-norm moments (`tf.moments`, which tfjs-layers' training
 * path uses) run two Means over every activation, so each BatchNormalization layer's backward
 * pass saves four full passes. The values are identical (`dy * 1 / n` is `dy / n` exactly).
 */
import * as tf from '@tensorflow/tfjs';

/** Installs the gradient over tfjs's `Mean` gradient (idempotent); non-float32 inputs keep tfjs's. */
export function installMeanGradient(): void {
  const current = tf.getGradient(tf.Mean);
  if (current == null || (current as { catLean?: boolean }).catLean) return;
  const original = current;
  const lean: tf.GradConfig & { catLean: boolean } = {
    catLean: true,
    kernelName: tf.Mean,
    inputsToSave: ['x'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [x] = saved;
      const d = dy as tf.Tensor;
      if (x.dtype !== 'float32' || d.dtype !== 'float32' || x.rank === 0) return original.gradFunc(dy, saved, attrs);
      const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
      const kept = x.shape.map((n, i) => (axes.includes(i) ? 1 : n));
      const reps = x.shape.map((n, i) => (axes.includes(i) ? n : 1));
      const count = axes.reduce((p, i) => p * x.shape[i], 1);
      return { x: () => tf.tile(tf.div(tf.reshape(d, kept), count), reps) };
    },
  };
  tf.unregisterGradient(tf.Mean);
  tf.registerGradient(lean);
}
