/** Softmax over the last axis on the native backend (float32). */
import { type KernelConfig, Softmax, type TensorInfo } from '@tensorflow/tfjs-core';
import { addon, cpuFallback, isFloat32, output, values, type NativeKernelArgs, outputArray } from '../kernel-helpers.js';

export const softmaxConfig: KernelConfig = {
  kernelName: Softmax,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'logits'>;
    const logits = args.inputs.logits as TensorInfo;
    const rank = logits.shape.length;
    const dim = Number(args.attrs?.dim ?? -1);
    const cols = logits.shape[rank - 1];
    if (!isFloat32(logits) || rank === 0 || (dim !== -1 && dim !== rank - 1) || !(cols > 0)) return cpuFallback(Softmax, args);
    const xv = values(args.backend, logits);
    const out = outputArray(xv.length);
    addon().softmax(xv, out, xv.length / cols, cols);
    return output(args.backend, logits.shape, out);
  },
};
