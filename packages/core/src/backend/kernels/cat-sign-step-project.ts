/** The fused attack step `CatSignStepProject` (see ops/sign-step-project.ts) in Rust. */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { CatSignStepProject } from '../../ops/kernel-names.js';
import { addon, cpuFallback, isFloat32, output, values, type NativeKernelArgs, outputArray } from '../kernel-helpers.js';

export const catSignStepProjectConfig: KernelConfig = {
  kernelName: CatSignStepProject,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'xAdv' | 'grad' | 'x'>;
    const { xAdv, grad, x } = args.inputs as Record<'xAdv' | 'grad' | 'x', TensorInfo>;
    if (!isFloat32(xAdv, grad, x)) return cpuFallback(CatSignStepProject, args);
    const b = args.backend;
    const xv = values(b, x);
    const out = outputArray(xv.length);
    addon().signStepProject(values(b, xAdv), values(b, grad), xv, out, Number(args.attrs?.alpha), Number(args.attrs?.eps));
    return output(b, x.shape, out);
  },
};
