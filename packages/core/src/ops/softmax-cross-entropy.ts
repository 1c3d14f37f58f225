/**
 * Per-example softmax cross-entropy (`CatSoftmaxCrossEntropy`) with a fused gradient kernel for
 * logits and labels (`CatSoftmaxCrossEntropyGrad`).
 */
import * as tf from '@tensorflow/tfjs';
import { CatSoftmaxCrossEntropy, CatSoftmaxCrossEntropyGrad } from './kernel-names.js';
import { activeBackendHas, sameShapeFloat32 } from './kernel-dispatch.js';
import { f32, input, maxLogSumExp, result, rowsCols, type CpuKernelArgs } from './cpu-kernel-io.js';

/**
 * Per-example cross-entropy `ce_i = -sum_k labels_ik log softmax(logits_i)_k`, result `[N]`.
 * `labels` is either `[N, K]` (one-hot or soft labels, any float; differentiable) or `[N]` class
 * indices (int32; turned into one-hot rows, no gradient). Take `tf.mean` of the result for the
 * usual mean loss. Gradients: `dlogits = dy (softmax * sum_k labels - labels)`,
 * `dlabels = -dy logSoftmax`.
 * @throws Error when the shapes do not fit (`logits` must be `[N, K]`).
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor2D | tf.Tensor1D): tf.Tensor1D {
  if (logits.rank !== 2) throw new Error(`softmaxCrossEntropy: logits must be [N, K], got [${logits.shape}]`);
  const [n, k] = logits.shape;
  if (labels.rank === 1) {
    if (labels.shape[0] !== n) throw new Error(`softmaxCrossEntropy: ${n} logit rows but ${labels.shape[0]} class labels`);
    return tf.tidy(() => softmaxCrossEntropy(logits, tf.oneHot(tf.cast(labels, 'int32'), k).toFloat() as tf.Tensor2D));
  }
  if (!tf.util.arraysEqual(labels.shape, logits.shape)) {
    throw new Error(`softmaxCrossEntropy: labels must be [${logits.shape}] or [${n}], got [${labels.shape}]`);
  }
  if (labels.dtype !== 'float32') {
    return tf.tidy(() => softmaxCrossEntropy(logits, tf.cast(labels, 'float32') as tf.Tensor2D));
  }
  if (activeBackendHas(CatSoftmaxCrossEntropy) && sameShapeFloat32(logits, labels) && k > 0) {
    return tf.engine().runKernel(CatSoftmaxCrossEntropy, { logits, labels }) as tf.Tensor1D;
  }
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), 1)) as tf.Tensor1D);
}

/** Plain-JS `CatSoftmaxCrossEntropy`. */
export function softmaxCrossEntropyCpu(args: CpuKernelArgs): tf.TensorInfo {
  const name = CatSoftmaxCrossEntropy;
  const zT = input(args, 'logits', name);
  const [rows, cols] = rowsCols(zT, name);
  const z = f32(args, zT, name);
  const t = f32(args, input(args, 'labels', name), name);
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const [m, lse] = maxLogSumExp(z, o, cols);
    let ce = 0;
    for (let j = 0; j < cols; j++) ce -= t[o + j] * (z[o + j] - m - lse);
    out[r] = ce;
  }
  return result(args, [rows], out);
}

/** Plain-JS `CatSoftmaxCrossEntropyGrad`: inputs dy `[N]`, logits, labels; outputs `[dLogits, dLabels]`. */
export function softmaxCrossEntropyGradCpu(args: CpuKernelArgs): tf.TensorInfo[] {
  const name = CatSoftmaxCrossEntropyGrad;
  const zT = input(args, 'logits', name);
  const [rows, cols] = rowsCols(zT, name);
  const z = f32(args, zT, name);
  const t = f32(args, input(args, 'labels', name), name);
  const dy = f32(args, input(args, 'dy', name), name);
  const dz = new Float32Array(z.length);
  const dt = new Float32Array(z.length);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const [m, lse] = maxLogSumExp(z, o, cols);
    let tsum = 0;
    for (let j = 0; j < cols; j++) tsum += t[o + j];
    for (let j = 0; j < cols; j++) {
      const ls = z[o + j] - m - lse;
      dz[o + j] = dy[r] * (Math.exp(ls) * tsum - t[o + j]);
      dt[o + j] = -dy[r] * ls;
    }
  }
  return [result(args, zT.shape, dz), result(args, zT.shape, dt)];
}

/** Gradient of `CatSoftmaxCrossEntropy` through `CatSoftmaxCrossEntropyGrad`. */
export const softmaxCrossEntropyGrad: tf.GradConfig = {
  kernelName: CatSoftmaxCrossEntropy,
  inputsToSave: ['logits', 'labels'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [logits, labels] = saved;
    const [dz, dt] = tf.engine().runKernel(CatSoftmaxCrossEntropyGrad, { dy: dy as tf.Tensor, logits, labels }) as tf.Tensor[];
    return { logits: () => dz, labels: () => dt };
  },
};
