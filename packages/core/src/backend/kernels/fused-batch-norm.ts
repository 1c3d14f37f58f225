/**
 * FusedBatchNorm on the native backend (inference, and the normalisation step of tfjs-layers'
 * training path, whose moments run on the native Mean/SquaredDifference kernels and whose
 * gradient is tfjs's composite over the native element-wise and reduction kernels).
 */
import { FusedBatchNorm, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { addon, cpuFallback, isFloat32, output, values, type NativeKernelArgs, outputArray } from '../kernel-helpers.js';

export const fusedBatchNormConfig: KernelConfig = {
  kernelName: FusedBatchNorm,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'x' | 'mean' | 'variance' | 'scale' | 'offset'>;
    const { x, mean, variance, scale, offset } = args.inputs;
    if (!x || !mean || !variance || !isFloat32(x, mean, variance, scale, offset)) return cpuFallback(FusedBatchNorm, args);
    const b = args.backend;
    const xv = values(b, x);
    const sizes = [mean, variance, scale, offset].filter((t): t is TensorInfo => t != null).map((t) => values(b, t).length);
    if (sizes.some((s) => s === 0) || xv.length === 0) return cpuFallback(FusedBatchNorm, args);
    const eps = args.attrs?.varianceEpsilon == null ? 0.001 : Number(args.attrs.varianceEpsilon);
    const out = outputArray(xv.length);
    addon().batchNorm(xv, values(b, mean), values(b, variance), scale ? values(b, scale) : null, offset ? values(b, offset) : null, out, eps);
    return output(b, x.shape, out);
  },
};
