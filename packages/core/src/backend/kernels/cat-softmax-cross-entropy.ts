/**
 * Per-example softmax cross-entropy `CatSoftmaxCrossEntropy` and its gradient
 * `CatSoftmaxCrossEntropyGrad` (ops/softmax-cross-entropy.ts) in Rust.
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { CatSoftmaxCrossEntropy, CatSoftmaxCrossEntropyGrad } from '../../ops/kernel-names.js';
import { addon, cpuFallback, isFloat32, output, values, type NativeKernelArgs, outputArray } from '../kernel-helpers.js';

export const catSoftmaxCrossEntropyConfig: KernelConfig = {
  kernelName: CatSoftmaxCrossEntropy,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'logits' | 'labels'>;
    const { logits, labels } = args.inputs as Record<'logits' | 'labels', TensorInfo>;
    if (!isFloat32(logits, labels) || logits.shape.length !== 2) return cpuFallback(CatSoftmaxCrossEntropy, args);
    const [rows, cols] = logits.shape;
    const out = new Float32Array(rows);
    addon().softmaxCrossEntropy(values(args.backend, logits), values(args.backend, labels), out, rows, cols);
    return output(args.backend, [rows], out);
  },
};

export const catSoftmaxCrossEntropyGradConfig: KernelConfig = {
  kernelName: CatSoftmaxCrossEntropyGrad,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'dy' | 'logits' | 'labels'>;
    const { dy, logits, labels } = args.inputs as Record<'dy' | 'logits' | 'labels', TensorInfo>;
    if (!isFloat32(dy, logits, labels) || logits.shape.length !== 2) return cpuFallback(CatSoftmaxCrossEntropyGrad, args);
    const [rows, cols] = logits.shape;
    const b = args.backend;
    const dz = outputArray(rows * cols);
    const dt = outputArray(rows * cols);
    addon().softmaxCrossEntropyGrad(values(b, dy), values(b, logits), values(b, labels), dz, dt, rows, cols);
    return [output(b, logits.shape, dz), output(b, logits.shape, dt)];
  },
};
