/**
 * What every native kernel file needs: zero-copy access to tensor data, wrapping a result
 * array as a tensor, the addon, and delegation to the cpu kernel for cases not covered natively.
 */
import { getKernel, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { loadNativeAddon, type NativeAddon } from './native-addon.js';
import { takeArray } from './buffer-pool.js';
import { guardAliasedOutputs } from './alias-guard.js';

/** The arguments tfjs passes to a kernel function, typed for the native backend. */
export interface NativeKernelArgs<I extends string = string> {
  inputs: Partial<Record<I, TensorInfo>>;
  backend: MathBackendCPU;
  attrs?: NamedAttrMap;
}

/** The loaded addon (kernels only run once the backend is registered, so it is there). */
export function addon(): NativeAddon {
  return loadNativeAddon();
}

/** True when every given tensor is float32 (what the native kernels handle). */
export function isFloat32(...tensors: (TensorInfo | undefined | null)[]): boolean {
  return tensors.every((t) => t == null || t.dtype === 'float32');
}

/**
 * The tensor's values as the Float32Array tfjs stores, without copying. Never write to it
 * (tfjs tensors are immutable and may share data).
 */
export function values(backend: MathBackendCPU, t: TensorInfo): Float32Array {
  const v = backend.data.get(t.dataId)?.values;
  // tfjs's cpu Cast from int32/bool to float32 keeps the integer array and only relabels the
  // dtype (no precision is lost), so a float32 tensor may hold an Int32Array/Uint8Array: convert
  // those once (a copy, rare and small: labels and one-hot targets).
  if (t.dtype === 'float32' && (v instanceof Int32Array || v instanceof Uint8Array)) {
    return Float32Array.from(v);
  }
  if (!(v instanceof Float32Array)) {
    throw new Error(`native backend: expected float32 data for a tensor of shape [${t.shape}], got ${t.dtype}`);
  }
  return v;
}

/**
 * A Float32Array for a kernel output that the native kernel fully overwrites (the addon
 * convention). Large ones are NOT zero-filled and may be reused arrays from disposed tensors
 * (buffer-pool.ts): fresh zeroed pages cost ~1.5 CPU-ms per 10 MB, and fresh ArrayBuffers drive
 * V8 into frequent full GCs. Never use it for an array the kernel only partly writes.
 */
export function outputArray(size: number): Float32Array {
  return takeArray(size);
}

/** Wraps `out` (a fresh array no one else holds) as the kernel's result, without copying. */
export function output(backend: MathBackendCPU, shape: number[], out: Float32Array): TensorInfo {
  return backend.makeTensorInfo(shape, 'float32', out);
}

/** Runs the cpu backend's kernel `kernelName` on the same (cpu-compatible) backend. */
export function cpuFallback(kernelName: string, args: NativeKernelArgs): TensorInfo | TensorInfo[] {
  const k = getKernel(kernelName, 'cpu');
  if (!k) throw new Error(`native backend: no cpu kernel '${kernelName}' to fall back to`);
  return guardAliasedOutputs(k.kernelFunc as KernelFunc)(args as unknown as Parameters<KernelFunc>[0]);
}

/** tfjs fused activations the native kernels fuse; `prelu` (it has weights) falls back. */
const FUSABLE = new Set(['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid', 'elu']);

/** The activation name for the addon, or null when it must fall back to the cpu kernel. */
export function nativeActivation(activation: unknown): 'linear' | 'relu' | 'relu6' | 'leakyrelu' | 'sigmoid' | 'elu' | null {
  const name = activation == null ? 'linear' : String(activation);
  return FUSABLE.has(name) ? (name as 'linear') : null;
}

/** True when `bias` is absent or holds exactly one value per output channel. */
export function biasFitsChannels(bias: TensorInfo | undefined, channels: number): boolean {
  if (!bias) return true;
  const size = bias.shape.reduce((a, b) => a * b, 1);
  return size === channels && bias.shape.slice(0, -1).every((d) => d === 1);
}
