/**
 * Fused gradients of ReLU and LeakyReLU (`CatReluGrad`: `dx = y > 0 ? dy : alpha * dy`), which
 * replace tfjs's registered gradients for the `Relu` and `LeakyRelu` kernels. tfjs computes them
 * as `dy * step(x)` and `where(x > 0, dy, dy * alpha)`: two and three passes over an activation
 * (the mask net's LeakyReLU gradient alone took a tenth of a CAT step). On a backend without a
 * `CatReluGrad` kernel the replacement runs the same composite on the output.
 *
 * The gradients save the kernel's output `y`, not its input `x` (as PyTorch's ReLU does): the
 * output is kept anyway by the layer that consumes it (a conv saves its input), while the input
 * (a batch-norm or conv output) would otherwise stay alive only for this gradient, one more
 * full-size activation per layer. For alpha >= 0, `y > 0` exactly when `x > 0`, so the values are
 * unchanged. Deviations: for NaN activations ReLU's gradient is 0 here instead of NaN; LeakyReLU
 * with a negative alpha (where the sign of `y` no longer tells that of `x`) has no gradient here
 * and says so.
 */
import * as tf from '@tensorflow/tfjs';
import { CatReluGrad } from './kernel-names.js';
import { activeBackendHas, sameShapeFloat32 } from './kernel-dispatch.js';
import { f32, input, result, type CpuKernelArgs } from './cpu-kernel-io.js';
import { reluGradientApplied } from './conv-relu-grad.js';

/**
 * `y > 0 ? dy : alpha * dy` as one kernel where the backend has it, else tfjs's composite (on
 * `y`, which has the sign of `x` for alpha >= 0). The kernel's input is named `x`: it only tests
 * the sign, so it serves inputs and outputs alike.
 */
function reluGrad(dy: tf.Tensor, y: tf.Tensor, alpha: number, leaky: boolean): tf.Tensor {
  if (leaky && !(alpha >= 0)) {
    throw new Error(`LeakyRelu gradient: alpha must be >= 0 (the gradient is taken from the output's sign), got ${alpha}`);
  }
  if (activeBackendHas(CatReluGrad) && sameShapeFloat32(dy, y)) {
    return tf.engine().runKernel(CatReluGrad, { dy, x: y }, { alpha });
  }
  return leaky ? tf.where(tf.greater(y, 0), dy, tf.mul(dy, alpha)) : tf.mul(dy, tf.cast(tf.step(y), 'float32'));
}

/** Plain-JS `CatReluGrad`: inputs dy, x; attr alpha. */
export function reluGradCpu(args: CpuKernelArgs): tf.TensorInfo {
  const xT = input(args, 'x', CatReluGrad);
  const x = f32(args, xT, CatReluGrad);
  const dy = f32(args, input(args, 'dy', CatReluGrad), CatReluGrad);
  const alpha = Math.fround(Number(args.attrs?.alpha ?? 0));
  const dx = new Float32Array(x.length);
  for (let i = 0; i < dx.length; i++) dx[i] = x[i] > 0 ? dy[i] : alpha * dy[i];
  return result(args, xT.shape, dx);
}

/** Replacement gradient of `Relu`. */
export const reluGradConfig: tf.GradConfig = {
  kernelName: tf.Relu,
  outputsToSave: [true],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => ({
    // A conv's input gradient may already carry this mask (conv-relu-grad.ts).
    x: () => (reluGradientApplied(dy as tf.Tensor, saved[0]) ? tf.clone(dy as tf.Tensor) : reluGrad(dy as tf.Tensor, saved[0], 0, false)),
  }),
};

/** Replacement gradient of `LeakyRelu`. */
export const leakyReluGradConfig: tf.GradConfig = {
  kernelName: tf.LeakyRelu,
  outputsToSave: [true],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => ({
    x: () => reluGrad(dy as tf.Tensor, saved[0], Number(attrs.alpha), true),
  }),
};

/** Installs the replacement gradients over tfjs's own (idempotent). */
export function installReluGradients(): void {
  for (const g of [reluGradConfig, leakyReluGradConfig]) {
    if (tf.getGradient(g.kernelName)?.gradFunc === g.gradFunc) continue;
    if (tf.getGradient(g.kernelName)) tf.unregisterGradient(g.kernelName);
    tf.registerGradient(g);
  }
}
