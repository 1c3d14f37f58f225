/** The fused ReLU/LeakyReLU gradient `CatReluGrad` (ops/relu-grad.ts) in Rust. */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { CatReluGrad } from '../../ops/kernel-names.js';
import { addon, cpuFallback, isFloat32, output, values, type NativeKernelArgs, outputArray } from '../kernel-helpers.js';

export const catReluGradConfig: KernelConfig = {
  kernelName: CatReluGrad,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'dy' | 'x'>;
    const { dy, x } = args.inputs as Record<'dy' | 'x', TensorInfo>;
    if (!isFloat32(dy, x)) return cpuFallback(CatReluGrad, args);
    const xv = values(args.backend, x);
    const dx = outputArray(xv.length);
    addon().reluGrad(values(args.backend, dy), xv, dx, Number(args.attrs?.alpha ?? 0));
    return output(args.backend, x.shape, dx);
  },
};
