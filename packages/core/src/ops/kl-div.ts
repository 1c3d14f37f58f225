/**
 * KL divergence between the softmaxes of two logit matrices, per example (`CatKlDiv`) with a
 * fused gradient kernel for both arguments (`CatKlDivGrad`); the batch mean is `klDivBatchMean` in
 * losses/kl-div.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { CatKlDiv, CatKlDivGrad } from './kernel-names.js';
import { activeBackendHas, sameShapeFloat32 } from './kernel-dispatch.js';
import { f32, input, maxLogSumExp, result, rowsCols, type CpuKernelArgs } from './cpu-kernel-io.js';

function checkLogits(op: string, p: tf.Tensor, q: tf.Tensor): void {
  if (p.rank !== 2 || !tf.util.arraysEqual(p.shape, q.shape)) {
    throw new Error(`${op}: pLogits and qLogits must both be [N, K], got [${p.shape}] and [${q.shape}]`);
  }
}

/**
 * Per-example `KL(p_i || q_i) = sum_k p_ik (log p_ik - log q_ik)` with `p = softmax(pLogits)`,
 * `q = softmax(qLogits)`; logits `[N, K]`, result `[N]`. Gradients flow to both arguments
 * (detach `pLogits` with `tf.stopGradient`-style handling in the caller if wanted).
 * @throws Error when the two logit tensors are not both `[N, K]`.
 */
export function klDivergence(pLogits: tf.Tensor2D, qLogits: tf.Tensor2D): tf.Tensor1D {
  checkLogits('klDivergence', pLogits, qLogits);
  if (activeBackendHas(CatKlDiv) && sameShapeFloat32(pLogits, qLogits) && pLogits.shape[1] > 0) {
    return tf.engine().runKernel(CatKlDiv, { pLogits, qLogits }) as tf.Tensor1D;
  }
  return tf.tidy(() => {
    const lp = tf.logSoftmax(pLogits);
    const lq = tf.logSoftmax(qLogits);
    return tf.sum(tf.mul(tf.exp(lp), tf.sub(lp, lq)), 1) as tf.Tensor1D;
  });
}

/** Plain-JS `CatKlDiv`. */
export function klDivCpu(args: CpuKernelArgs): tf.TensorInfo {
  const k = CatKlDiv;
  const pT = input(args, 'pLogits', k);
  const [rows, cols] = rowsCols(pT, k);
  const p = f32(args, pT, k);
  const q = f32(args, input(args, 'qLogits', k), k);
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = rowKl(p, q, r * cols, cols);
  return result(args, [rows], out);
}

function rowKl(p: Float32Array, q: Float32Array, o: number, cols: number): number {
  const [pm, plse] = maxLogSumExp(p, o, cols);
  const [qm, qlse] = maxLogSumExp(q, o, cols);
  let kl = 0;
  for (let j = 0; j < cols; j++) {
    const lp = p[o + j] - pm - plse;
    kl += Math.exp(lp) * (lp - (q[o + j] - qm - qlse));
  }
  return kl;
}

/**
 * Plain-JS `CatKlDivGrad`: inputs dy `[N]`, pLogits, qLogits; outputs `[dp, dq]` with
 * `dq = dy (q - p)` and `dp = dy p (log p - log q - kl)` row by row.
 */
export function klDivGradCpu(args: CpuKernelArgs): tf.TensorInfo[] {
  const k = CatKlDivGrad;
  const pT = input(args, 'pLogits', k);
  const [rows, cols] = rowsCols(pT, k);
  const p = f32(args, pT, k);
  const q = f32(args, input(args, 'qLogits', k), k);
  const dy = f32(args, input(args, 'dy', k), k);
  const dp = new Float32Array(p.length);
  const dq = new Float32Array(p.length);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const [pm, plse] = maxLogSumExp(p, o, cols);
    const [qm, qlse] = maxLogSumExp(q, o, cols);
    const kl = rowKl(p, q, o, cols);
    for (let j = 0; j < cols; j++) {
      const lp = p[o + j] - pm - plse;
      const lq = q[o + j] - qm - qlse;
      const pe = Math.exp(lp);
      dq[o + j] = dy[r] * (Math.exp(lq) - pe);
      dp[o + j] = dy[r] * pe * (lp - lq - kl);
    }
  }
  return [result(args, pT.shape, dp), result(args, pT.shape, dq)];
}

/** Gradient of `CatKlDiv` through `CatKlDivGrad`. */
export const klDivGrad: tf.GradConfig = {
  kernelName: CatKlDiv,
  inputsToSave: ['pLogits', 'qLogits'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [pLogits, qLogits] = saved;
    const [dp, dq] = tf.engine().runKernel(CatKlDivGrad, { dy: dy as tf.Tensor, pLogits, qLogits }) as tf.Tensor[];
    return { pLogits: () => dp, qLogits: () => dq };
  },
};
