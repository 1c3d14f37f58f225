/**
 * Leaner gradients for the `Sum` and `Mean` kernels, replacing tfjs's: `tile(reshape(dy) / n)`
 * (no division for Sum) is one pass over the input's shape, where tfjs's
 * `div(mul(reshape(dy), ones(x.shape)), n)` allocates a tensor of ones and makes two or three.
 * Batch-norm moments (`tf.moments`, used by tfjs-layers' training path) run two Means over every
 * activation, and every loss ends in a Sum or Mean. The values are identical (`dy * 1` is `dy`).
 */
import * as tf from '@tensorflow/tfjs';

type Tagged = tf.GradConfig & { catLean?: boolean };

function leanGradient(kernelName: typeof tf.Sum | typeof tf.Mean, original: tf.GradConfig): Tagged {
  return {
    catLean: true,
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [x] = saved;
      const d = dy as tf.Tensor;
      if (x.dtype !== 'float32' || d.dtype !== 'float32' || x.rank === 0) return original.gradFunc(dy, saved, attrs);
      const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
      const kept = x.shape.map((n, i) => (axes.includes(i) ? 1 : n));
      const reps = x.shape.map((n, i) => (axes.includes(i) ? n : 1));
      const count = axes.reduce((p, i) => p * x.shape[i], 1);
      return {
        x: () => {
          const expanded = tf.reshape(d, kept);
          return tf.tile(kernelName === tf.Mean ? tf.div(expanded, count) : expanded, reps);
        },
      };
    },
  };
}

/** Installs both gradients over tfjs's (idempotent); non-float32 inputs keep tfjs's. */
export function installReduceGradients(): void {
  for (const name of [tf.Sum, tf.Mean] as const) {
    const current = tf.getGradient(name) as Tagged | undefined;
    if (current == null || current.catLean) continue;
    tf.unregisterGradient(name);
    tf.registerGradient(leanGradient(name, current));
  }
}
