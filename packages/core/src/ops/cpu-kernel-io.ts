/**
 * Reading and writing tensor data inside the plain-JS (`cpu`) kernels of the fused ops. They
 * also run unchanged on any backend that extends the cpu backend's data store.
 */
import type * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

/** The arguments tfjs passes a kernel function. */
export interface CpuKernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/** The named input, which must be present. */
export function input(args: CpuKernelArgs, name: string, kernel: string): tf.TensorInfo {
  const t = args.inputs[name];
  if (t == null) throw new Error(`${kernel}: missing input '${name}'`);
  return t;
}

/** The float32 values of `t` (no copy; never write to them). */
export function f32(args: CpuKernelArgs, t: tf.TensorInfo, kernel: string): Float32Array {
  const v = (args.backend as MathBackendCPU).data.get(t.dataId)?.values;
  if (!(v instanceof Float32Array)) {
    throw new Error(`${kernel}: expected float32 input of shape [${t.shape}], got ${t.dtype}`);
  }
  return v;
}

/** Wraps a fresh array as the kernel's result tensor. */
export function result(args: CpuKernelArgs, shape: number[], values: Float32Array): tf.TensorInfo {
  return (args.backend as MathBackendCPU).makeTensorInfo(shape, 'float32', values);
}

/** Row count and length of a `[rows, cols]` tensor. */
export function rowsCols(t: tf.TensorInfo, kernel: string): [number, number] {
  if (t.shape.length !== 2) throw new Error(`${kernel}: expected a [rows, cols] tensor, got shape [${t.shape}]`);
  return [t.shape[0], t.shape[1]];
}

/** `[max, log(sum(exp(row - max)))]` of `v[start .. start + n)`, in JS doubles. */
export function maxLogSumExp(v: Float32Array, start: number, n: number): [number, number] {
  let m = -Infinity;
  for (let k = 0; k < n; k++) if (v[start + k] > m) m = v[start + k];
  let s = 0;
  for (let k = 0; k < n; k++) s += Math.exp(v[start + k] - m);
  return [m, Math.log(s)];
}
