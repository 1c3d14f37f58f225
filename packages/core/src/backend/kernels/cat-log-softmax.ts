/** Row-wise log-softmax `CatLogSoftmax` and its gradient `CatLogSoftmaxGrad` (ops/log-softmax.ts) in Rust. */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { CatLogSoftmax, CatLogSoftmaxGrad } from '../../ops/kernel-names.js';
import { addon, cpuFallback, isFloat32, output, values, type NativeKernelArgs, outputArray } from '../kernel-helpers.js';

export const catLogSoftmaxConfig: KernelConfig = {
  kernelName: CatLogSoftmax,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'logits'>;
    const logits = args.inputs.logits as TensorInfo;
    if (!isFloat32(logits) || logits.shape.length !== 2) return cpuFallback(CatLogSoftmax, args);
    const [rows, cols] = logits.shape;
    const out = outputArray(rows * cols);
    addon().logSoftmax(values(args.backend, logits), out, rows, cols);
    return output(args.backend, logits.shape, out);
  },
};

export const catLogSoftmaxGradConfig: KernelConfig = {
  kernelName: CatLogSoftmaxGrad,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'dy' | 'y'>;
    const { dy, y } = args.inputs as Record<'dy' | 'y', TensorInfo>;
    if (!isFloat32(dy, y) || y.shape.length !== 2) return cpuFallback(CatLogSoftmaxGrad, args);
    const [rows, cols] = y.shape;
    const dx = outputArray(rows * cols);
    addon().logSoftmaxGrad(values(args.backend, dy), values(args.backend, y), dx, rows, cols);
    return output(args.backend, y.shape, dx);
  },
};
