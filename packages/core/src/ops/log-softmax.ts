/**
 * Row-wise log-softmax as one kernel (`CatLogSoftmax`) with a fused gradient kernel
 * (`CatLogSoftmaxGrad`, `dx = dy - exp(y) * rowSum(dy)` from the saved output `y`).
 */
import * as tf from '@tensorflow/tfjs';
import { CatLogSoftmax, CatLogSoftmaxGrad } from './kernel-names.js';
import { activeBackendHas } from './kernel-dispatch.js';
import { f32, input, maxLogSumExp, result, rowsCols, type CpuKernelArgs } from './cpu-kernel-io.js';

/**
 * Row-wise log-softmax of logits `[N, K]`; every loss goes through this one. Runs as
 * `CatLogSoftmax` when the backend has it (float32 `[N, K]`), else as tfjs's `logSoftmax`.
 */
export function logSoftmax(logits: tf.Tensor2D): tf.Tensor2D {
  if (activeBackendHas(CatLogSoftmax) && logits.rank === 2 && logits.dtype === 'float32' && logits.shape[1] > 0) {
    return tf.engine().runKernel(CatLogSoftmax, { logits }) as tf.Tensor2D;
  }
  return tf.logSoftmax(logits) as tf.Tensor2D;
}

/** Plain-JS `CatLogSoftmax`. */
export function logSoftmaxCpu(args: CpuKernelArgs): tf.TensorInfo {
  const k = CatLogSoftmax;
  const t = input(args, 'logits', k);
  const [rows, cols] = rowsCols(t, k);
  const x = f32(args, t, k);
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const [m, lse] = maxLogSumExp(x, o, cols);
    for (let j = 0; j < cols; j++) out[o + j] = x[o + j] - m - lse;
  }
  return result(args, t.shape, out);
}

/** Plain-JS `CatLogSoftmaxGrad`: inputs dy, y (the forward output); output dx. */
export function logSoftmaxGradCpu(args: CpuKernelArgs): tf.TensorInfo {
  const k = CatLogSoftmaxGrad;
  const yT = input(args, 'y', k);
  const [rows, cols] = rowsCols(yT, k);
  const y = f32(args, yT, k);
  const dy = f32(args, input(args, 'dy', k), k);
  const dx = new Float32Array(y.length);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += dy[o + j];
    for (let j = 0; j < cols; j++) dx[o + j] = dy[o + j] - Math.exp(y[o + j]) * s;
  }
  return result(args, yT.shape, dx);
}

/** Gradient of `CatLogSoftmax` through `CatLogSoftmaxGrad`. */
export const logSoftmaxGrad: tf.GradConfig = {
  kernelName: CatLogSoftmax,
  outputsToSave: [true],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [y] = saved;
    return { logits: () => tf.engine().runKernel(CatLogSoftmaxGrad, { dy: dy as tf.Tensor, y }) as tf.Tensor };
  },
};
