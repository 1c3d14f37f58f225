/** BatchMatMul on the native backend (dense layers' products and their gradients). */
import { BatchMatMul, type BatchMatMulAttrs, type KernelConfig, util } from '@tensorflow/tfjs-core';
import { addon, cpuFallback, isFloat32, output, outputArray, values, type NativeKernelArgs } from '../kernel-helpers.js';
import { matmulShape } from './matmul-shape.js';

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'a' | 'b'>;
    const { a, b } = args.inputs as Required<typeof args.inputs>;
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    const shape = isFloat32(a, b) ? matmulShape(a, b, transposeA, transposeB) : null;
    if (!shape) return cpuFallback(BatchMatMul, args);
    const be = args.backend;
    const out = outputArray(util.sizeFromShape(shape.outShape));
    addon().matmul(values(be, a), values(be, b), null, out, shape.dims, transposeA, transposeB, 'linear', 0);
    return output(be, shape.outShape, out);
  },
};
