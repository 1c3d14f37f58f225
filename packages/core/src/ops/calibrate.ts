/**
 * CAT's calibration `clip(x + mask * delta, 0, 1)` as one kernel (`CatCalibrate`) with a fused
 * gradient kernel (`CatCalibrateGrad`), and their plain-JS `cpu` kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { CatCalibrate, CatCalibrateGrad } from './kernel-names.js';
import { activeBackendHas, sameShapeFloat32 } from './kernel-dispatch.js';
import { f32, input, result, type CpuKernelArgs } from './cpu-kernel-io.js';

/**
 * Calibrated adversarial example: `clip(x + mask * delta, 0, 1)`. Differentiable with respect to
 * `mask` (the mask network learns through it), `delta` and `x`; as with tfjs's clipByValue the
 * gradient passes where `0 <= x + mask * delta <= 1`, bounds included. Runs as `CatCalibrate`
 * when the backend has it and all three tensors are float32 of one shape; a broadcast mask (for
 * example `[N, H, W, 1]` or a scalar 1 for the ablation without mask) takes the composite path.
 */
export function calibrate(x: tf.Tensor4D, delta: tf.Tensor4D, mask: tf.Tensor4D): tf.Tensor4D {
  if (activeBackendHas(CatCalibrate) && sameShapeFloat32(x, delta, mask)) {
    return tf.engine().runKernel(CatCalibrate, { x, delta, mask }) as tf.Tensor4D;
  }
  return tf.tidy(() => tf.clipByValue(tf.add(x, tf.mul(mask, delta)), 0, 1) as tf.Tensor4D);
}

/** Plain-JS `CatCalibrate`. */
export function calibrateCpu(args: CpuKernelArgs): tf.TensorInfo {
  const k = CatCalibrate;
  const x = input(args, 'x', k);
  const xv = f32(args, x, k);
  const d = f32(args, input(args, 'delta', k), k);
  const m = f32(args, input(args, 'mask', k), k);
  const out = new Float32Array(xv.length);
  for (let i = 0; i < out.length; i++) {
    const v = Math.fround(xv[i] + Math.fround(m[i] * d[i]));
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return result(args, x.shape, out);
}

/** Plain-JS `CatCalibrateGrad`: inputs dy, x, delta, mask; outputs [dx, dDelta, dMask]. */
export function calibrateGradCpu(args: CpuKernelArgs): tf.TensorInfo[] {
  const k = CatCalibrateGrad;
  const dyT = input(args, 'dy', k);
  const dy = f32(args, dyT, k);
  const xv = f32(args, input(args, 'x', k), k);
  const d = f32(args, input(args, 'delta', k), k);
  const m = f32(args, input(args, 'mask', k), k);
  const n = dy.length;
  const dx = new Float32Array(n);
  const dd = new Float32Array(n);
  const dm = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = Math.fround(xv[i] + Math.fround(m[i] * d[i]));
    if (v >= 0 && v <= 1) {
      dx[i] = dy[i];
      dd[i] = dy[i] * m[i];
      dm[i] = dy[i] * d[i];
    }
  }
  return [result(args, dyT.shape, dx), result(args, dyT.shape, dd), result(args, dyT.shape, dm)];
}

/** Gradient of `CatCalibrate` through the fused `CatCalibrateGrad` kernel. */
export const calibrateGrad: tf.GradConfig = {
  kernelName: CatCalibrate,
  inputsToSave: ['x', 'delta', 'mask'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [x, delta, mask] = saved;
    const [dx, dd, dm] = tf.engine().runKernel(CatCalibrateGrad, { dy: dy as tf.Tensor, x, delta, mask }) as tf.Tensor[];
    return { x: () => dx, delta: () => dd, mask: () => dm };
  },
};
