/**
 * When a fused op can run as its custom kernel: the active backend registered it and every
 * input is float32 with the shape the kernel expects. Otherwise the op runs its composite
 * definition (any backend, any broadcast), so the ops never fail for lack of a kernel.
 */
import * as tf from '@tensorflow/tfjs';

/** True when the active backend has a kernel registered under `kernelName`. */
export function activeBackendHas(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) != null;
}

/** True when all tensors are float32 and share the first one's shape. */
export function sameShapeFloat32(...ts: tf.Tensor[]): boolean {
  const shape = ts[0].shape;
  return ts.every((t) => t.dtype === 'float32' && tf.util.arraysEqual(t.shape, shape));
}

/** Registers `config` unless a kernel of that name and backend exists (module loaded twice). */
export function registerKernelOnce(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName) == null) tf.registerKernel(config);
}

/** Registers a gradient unless one exists for the kernel name. */
export function registerGradientOnce(config: tf.GradConfig): void {
  if (tf.getGradient(config.kernelName) == null) tf.registerGradient(config);
}
