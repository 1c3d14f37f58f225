/** The fused per-channel batch-norm gradient `CatBatchNormGrad` (ops/batch-norm-grad.ts) in Rust. */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { CatBatchNormGrad } from '../../ops/kernel-names.js';
import { addon, cpuFallback, isFloat32, output, values, type NativeKernelArgs, outputArray } from '../kernel-helpers.js';

export const catBatchNormGradConfig: KernelConfig = {
  kernelName: CatBatchNormGrad,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'dy' | 'x' | 'mean' | 'variance' | 'scale'>;
    const { dy, x, mean, variance, scale } = args.inputs as Record<'dy' | 'x' | 'mean' | 'variance', TensorInfo> & { scale?: TensorInfo };
    if (!isFloat32(dy, x, mean, variance, scale)) return cpuFallback(CatBatchNormGrad, args);
    const b = args.backend;
    const c = mean.shape[0];
    const xv = values(b, x);
    const dx = outputArray(xv.length);
    const [dMean, dVar, dScale, dOffset] = [0, 1, 2, 3].map(() => new Float32Array(c));
    const eps = Number(args.attrs?.varianceEpsilon ?? 0.001);
    addon().batchNormGrad(values(b, dy), xv, values(b, mean), values(b, variance), scale ? values(b, scale) : null, dx, dMean, dVar, dScale, dOffset, eps);
    return [output(b, x.shape, dx), ...[dMean, dVar, dScale, dOffset].map((v) => output(b, [c], v))];
  },
};
