/**
 * A fused gradient for per-channel batch normalisation (`CatBatchNormGrad`), replacing tfjs's
 * registered `FusedBatchNorm` gradient for the case tfjs-layers' BatchNormalization produces:
 * `[C]` mean/variance/scale on an input whose last axis is C. tfjs's composite runs about a dozen
 * tensor ops over the activation per layer (the largest share of element-wise time in a ResNet
 * CAT step); the fused kernel makes two passes. The formulas are tfjs's, gradients to `mean` and
 * `variance` included (the training-mode moments are differentiated through them). Every other
 * case, and backends without the kernel, run tfjs's original gradient unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { CatBatchNormGrad } from './kernel-names.js';
import { activeBackendHas } from './kernel-dispatch.js';
import { f32, input, result, type CpuKernelArgs } from './cpu-kernel-io.js';

/** Plain-JS `CatBatchNormGrad`: inputs dy, x, mean, variance, scale?; outputs [dx, dMean, dVariance, dScale, dOffset]. */
export function batchNormGradCpu(args: CpuKernelArgs): tf.TensorInfo[] {
  const k = CatBatchNormGrad;
  const xT = input(args, 'x', k);
  const x = f32(args, xT, k);
  const dy = f32(args, input(args, 'dy', k), k);
  const mean = f32(args, input(args, 'mean', k), k);
  const variance = f32(args, input(args, 'variance', k), k);
  const scaleT = args.inputs.scale;
  const scale = scaleT ? f32(args, scaleT, k) : null;
  const eps = Number(args.attrs?.varianceEpsilon ?? 0.001);
  const c = mean.length;
  const sdy = new Float64Array(c);
  const sdyx = new Float64Array(c);
  for (let i = 0; i < x.length; i++) {
    const j = i % c;
    sdy[j] += dy[i];
    sdyx[j] += dy[i] * Math.fround(x[i] - mean[j]);
  }
  const [dMean, dVar, dScale, dOffset] = [0, 1, 2, 3].map(() => new Float32Array(c));
  const factor = new Float32Array(c);
  for (let j = 0; j < c; j++) {
    const s = scale ? scale[j] : 1;
    const r = 1 / Math.sqrt(variance[j] + eps);
    dMean[j] = -s * r * sdy[j];
    dVar[j] = -0.5 * s * r * r * r * sdyx[j];
    dScale[j] = r * sdyx[j];
    dOffset[j] = sdy[j];
    factor[j] = s * r;
  }
  const dx = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) dx[i] = dy[i] * factor[i % c];
  return [result(args, xT.shape, dx), ...[dMean, dVar, dScale, dOffset].map((v) => result(args, [c], v))];
}

/** True when the saved tensors are the per-channel case the fused kernel covers. */
function perChannel(dy: tf.Tensor, x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, scale: tf.Tensor | undefined): boolean {
  const c = x.shape[x.rank - 1];
  const isC = (t: tf.Tensor) => t.rank === 1 && t.shape[0] === c && t.dtype === 'float32';
  return (
    x.rank >= 1 &&
    c > 0 &&
    x.dtype === 'float32' &&
    dy.dtype === 'float32' &&
    tf.util.arraysEqual(dy.shape, x.shape) &&
    isC(mean) &&
    isC(variance) &&
    (scale == null || isC(scale))
  );
}

/**
 * Installs the fused gradient over tfjs's `FusedBatchNorm` gradient (idempotent); the original
 * stays in use for every case the fused kernel does not cover.
 */
export function installBatchNormGradient(): void {
  const current = tf.getGradient(tf.FusedBatchNorm);
  if (current == null || (current as { catFused?: boolean }).catFused) return;
  const original = current;
  const fused: tf.GradConfig & { catFused: boolean } = {
    catFused: true,
    kernelName: tf.FusedBatchNorm,
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [x, mean, variance, scale] = saved;
      const d = dy as tf.Tensor;
      if (!activeBackendHas(CatBatchNormGrad) || !perChannel(d, x, mean, variance, scale)) {
        return original.gradFunc(dy, saved, attrs);
      }
      const inputs: tf.NamedTensorMap = { dy: d, x, mean, variance };
      if (scale) inputs.scale = scale;
      const eps = attrs.varianceEpsilon == null ? 0.001 : Number(attrs.varianceEpsilon);
      const [dx, dMean, dVar, dScale, dOffset] = tf.engine().runKernel(CatBatchNormGrad, inputs, { varianceEpsilon: eps }) as tf.Tensor[];
      return { x: () => dx, mean: () => dMean, variance: () => dVar, scale: () => dScale, offset: () => dOffset };
    },
  };
  tf.unregisterGradient(tf.FusedBatchNorm);
  tf.registerGradient(fused);
}
