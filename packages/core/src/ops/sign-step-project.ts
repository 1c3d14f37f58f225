/**
 * The fused L-inf attack step `clip(clip(xAdv + alpha * sign(grad), x - eps, x + eps), 0, 1)`
 * as one kernel (`CatSignStepProject`), with its plain-JS `cpu` kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { CatSignStepProject } from './kernel-names.js';
import { activeBackendHas, sameShapeFloat32 } from './kernel-dispatch.js';
import { f32, input, result, type CpuKernelArgs } from './cpu-kernel-io.js';

/**
 * One L-inf attack step: `clip(clip(xAdv + alpha * sign(grad), x - eps, x + eps), 0, 1)`.
 * No gradient flows through it (attack iterates are constants): its registered gradient is 0.
 * Runs as the `CatSignStepProject` kernel when the backend has one and all three tensors are
 * float32 of one shape; otherwise as composite tfjs ops.
 * @throws Error when `alpha` or `eps` is not a finite number, or `eps` is negative.
 */
export function signStepProject(
  xAdv: tf.Tensor4D,
  grad: tf.Tensor4D,
  x: tf.Tensor4D,
  alpha: number,
  eps: number,
): tf.Tensor4D {
  if (!Number.isFinite(alpha)) throw new Error(`signStepProject: alpha must be a finite number, got ${alpha}`);
  if (!Number.isFinite(eps) || eps < 0) throw new Error(`signStepProject: eps must be a finite number >= 0, got ${eps}`);
  if (activeBackendHas(CatSignStepProject) && sameShapeFloat32(xAdv, grad, x)) {
    return tf.engine().runKernel(CatSignStepProject, { xAdv, grad, x }, { alpha, eps }) as tf.Tensor4D;
  }
  return tf.tidy(() => {
    const stepped = tf.add(xAdv, tf.mul(tf.sign(grad), alpha));
    const projected = tf.minimum(tf.maximum(stepped, tf.sub(x, eps)), tf.add(x, eps));
    return tf.clipByValue(projected, 0, 1) as tf.Tensor4D;
  });
}

/** Plain-JS `CatSignStepProject`. `alpha`/`eps` are rounded to float32 as the composite does. */
export function signStepProjectCpu(args: CpuKernelArgs): tf.TensorInfo {
  const k = CatSignStepProject;
  const x = input(args, 'x', k);
  const xa = f32(args, input(args, 'xAdv', k), k);
  const g = f32(args, input(args, 'grad', k), k);
  const xv = f32(args, x, k);
  const alpha = Math.fround(Number(args.attrs?.alpha));
  const eps = Math.fround(Number(args.attrs?.eps));
  const out = new Float32Array(xv.length);
  for (let i = 0; i < out.length; i++) {
    const s = g[i] > 0 ? 1 : g[i] < 0 ? -1 : 0;
    let v = Math.fround(xa[i] + alpha * s);
    const lo = Math.fround(xv[i] - eps);
    const hi = Math.fround(xv[i] + eps);
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return result(args, x.shape, out);
}

/** Attack iterates are constants: zero gradient for every input. */
export const signStepProjectGrad: tf.GradConfig = {
  kernelName: CatSignStepProject,
  inputsToSave: ['x'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
    const d = dy as tf.Tensor;
    return { xAdv: () => tf.zerosLike(d), grad: () => tf.zerosLike(d), x: () => tf.zerosLike(d) };
  },
};
