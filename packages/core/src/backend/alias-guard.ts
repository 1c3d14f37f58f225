/**
 * Some cpu kernels return an output that shares memory with an input under a different data id
 * (a simple Slice returns `subarray` views; Unpack and Split build on it). Such an input array
 * must never be reused by the buffer pool while the view lives, so every cpu kernel the native
 * backend runs is wrapped to mark both arrays as escaped when that happens. The check is a few
 * map look-ups per op; kernels that share the data id itself (Reshape, Identity) are covered by
 * tfjs's reference counts and need nothing.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { markEscaped } from './buffer-pool.js';

function bufferOf(backend: MathBackendCPU, t: TensorInfo): ArrayBufferLike | undefined {
  const v = backend.data.get(t.dataId)?.values as { buffer?: ArrayBufferLike } | undefined;
  return v?.buffer;
}

/** `kernelFunc` with aliased outputs reported to the buffer pool. */
export function guardAliasedOutputs(kernelFunc: KernelFunc): KernelFunc {
  return (args) => {
    const result = kernelFunc(args);
    const backend = args.backend as MathBackendCPU;
    const inputs = Object.values(args.inputs).filter((t): t is TensorInfo => t != null);
    if (inputs.length === 0 || !backend?.data) return result;
    for (const out of Array.isArray(result) ? result : [result]) {
      const outBuffer = bufferOf(backend, out);
      if (outBuffer === undefined) continue;
      for (const input of inputs) {
        if (input.dataId === out.dataId || bufferOf(backend, input) !== outBuffer) continue;
        markEscaped(backend.data.get(input.dataId)?.values);
        markEscaped(backend.data.get(out.dataId)?.values);
      }
    }
    return result;
  };
}
