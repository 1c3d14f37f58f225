/**
 * Training-mode batch normalisation over every axis but the last (NHWC, per channel) as one op
 * with its own gradient, for the models' batch-norm layer. tfjs-layers computes it as
 * `moments` + `batchNorm`, whose tape keeps `x - mean` (saved by Square) beside `x` and `y`: one
 * more full-size activation per layer until the gradient ends, and the gradient walks a dozen
 * composite ops. PyTorch's BatchNorm saves `x` and the statistics only; so does this op
 * (`x`, mean, variance, gamma). The forward computes the same values as tfjs-layers (its ops,
 * or on the native backend the `CatMoments` kernel, bit for bit the same statistics); the
 * gradient is the fused `CatBatchNormGrad` kernel plus the moments' terms, in closed form:
 * `dx = gamma r dy + dMean / n + dVar 2 (x - mean) / n`, r = 1/sqrt(var + eps). It differs
 * from the composite's gradient only by rounding (the composite also carries the term
 * `-sum(2 (x - mean) dVar / n) / n`, zero in exact arithmetic).
 */
import * as tf from '@tensorflow/tfjs';
import { CatBatchNormGrad, CatMoments } from './kernel-names.js';
import { activeBackendHas } from './kernel-dispatch.js';

/** What {@link batchNormTraining} returns: the output and the batch statistics (constants). */
export interface BatchNormTrainingResult {
  y: tf.Tensor;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * `tf.moments(x, axes)` over every axis but the last, as one kernel where the backend has it
 * (`CatMoments`: the same values from two reads of x instead of tfjs's Mean, Sub, Square, Mean
 * passes and their two activation-sized temporaries), else tfjs's own.
 */
function moments(x: tf.Tensor, axes: number[]): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  if (activeBackendHas(CatMoments) && x.dtype === 'float32' && x.size > 0) {
    const [mean, variance] = tf.engine().runKernel(CatMoments, { x }, {}) as tf.Tensor1D[];
    return { mean, variance };
  }
  return tf.tidy(() => tf.moments(x, axes)) as { mean: tf.Tensor1D; variance: tf.Tensor1D };
}

/** `[dx through y only, dMean, dVariance, dGamma, dBeta]`, by the fused kernel when present. */
function partialGrads(dy: tf.Tensor, x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, gamma: tf.Tensor, eps: number): tf.Tensor[] {
  if (activeBackendHas(CatBatchNormGrad)) {
    return tf.engine().runKernel(CatBatchNormGrad, { dy, x, mean, variance, scale: gamma }, { varianceEpsilon: eps }) as tf.Tensor[];
  }
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const r = tf.rsqrt(tf.add(variance, eps));
  const sdy = tf.sum(dy, axes);
  const sdyx = tf.sum(tf.mul(dy, tf.sub(x, mean)), axes);
  return [
    tf.mul(dy, tf.mul(gamma, r)),
    tf.neg(tf.mul(tf.mul(gamma, r), sdy)),
    tf.mul(tf.mul(-0.5, tf.mul(gamma, tf.pow(r, 3))), sdyx),
    tf.mul(r, sdyx),
    sdy,
  ];
}

/**
 * Batch-normalises `x` (float32, channels last) with its own batch statistics:
 * `y = gamma (x - mean) / sqrt(variance + eps) + beta`, mean and (biased) variance over every
 * axis but the last. Differentiable in `x`, `gamma` and `beta`; `mean` and `variance` are
 * returned for the moving averages and carry no gradient; they are kept out of every `tidy`
 * scope, so the caller disposes them.
 */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchNormTrainingResult {
  const c = x.shape[x.rank - 1];
  if (x.rank < 2 || x.dtype !== 'float32' || gamma.shape[0] !== c || beta.shape[0] !== c) {
    throw new Error(
      `batchNormTraining: expected float32 x of rank >= 2 and gamma/beta of its last dimension, got x [${x.shape}] ${x.dtype}, gamma [${gamma.shape}], beta [${beta.shape}]`,
    );
  }
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const n = x.size / c;
  let stats: { mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, g, b] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    // customGrad's forward runs in a tidy that keeps only `value` (and the saved clones): keep
    // the statistics for the caller, which disposes them.
    const { mean, variance } = moments(xIn, axes);
    const value = tf.batchNorm(xIn, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, epsilon);
    stats = { mean: tf.keep(mean), variance: tf.keep(variance) };
    save([xIn, mean, variance, g]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, m, v, gs] = saved;
          const [dxPartial, dMean, dVar, dGamma, dBeta] = partialGrads(dy, xs, m, v, gs, epsilon);
          // The moments' gradients: mean = sum(x)/n, variance = sum((x - mean)^2)/n.
          const dx = tf.add(dxPartial, tf.add(tf.mul(tf.sub(xs, m), tf.mul(dVar, 2 / n)), tf.div(dMean, n)));
          return [dx, dGamma, dBeta];
        }),
    };
  });
  const y = op(x, gamma, beta);
  const { mean, variance } = stats as { mean: tf.Tensor1D; variance: tf.Tensor1D };
  return { y, mean, variance };
}
