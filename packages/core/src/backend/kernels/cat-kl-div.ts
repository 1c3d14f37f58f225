/** Per-example KL divergence `CatKlDiv` and its gradient `CatKlDivGrad` (ops/kl-div.ts) in Rust. */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { CatKlDiv, CatKlDivGrad } from '../../ops/kernel-names.js';
import { addon, cpuFallback, isFloat32, output, values, type NativeKernelArgs, outputArray } from '../kernel-helpers.js';

export const catKlDivConfig: KernelConfig = {
  kernelName: CatKlDiv,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'pLogits' | 'qLogits'>;
    const { pLogits, qLogits } = args.inputs as Record<'pLogits' | 'qLogits', TensorInfo>;
    if (!isFloat32(pLogits, qLogits) || pLogits.shape.length !== 2) return cpuFallback(CatKlDiv, args);
    const [rows, cols] = pLogits.shape;
    const out = new Float32Array(rows);
    addon().klDiv(values(args.backend, pLogits), values(args.backend, qLogits), out, rows, cols);
    return output(args.backend, [rows], out);
  },
};

export const catKlDivGradConfig: KernelConfig = {
  kernelName: CatKlDivGrad,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'dy' | 'pLogits' | 'qLogits'>;
    const { dy, pLogits, qLogits } = args.inputs as Record<'dy' | 'pLogits' | 'qLogits', TensorInfo>;
    if (!isFloat32(dy, pLogits, qLogits) || pLogits.shape.length !== 2) return cpuFallback(CatKlDivGrad, args);
    const [rows, cols] = pLogits.shape;
    const b = args.backend;
    const dp = outputArray(rows * cols);
    const dq = outputArray(rows * cols);
    addon().klDivGrad(values(b, dy), values(b, pLogits), values(b, qLogits), dp, dq, rows, cols);
    return [output(b, pLogits.shape, dp), output(b, pLogits.shape, dq)];
  },
};
