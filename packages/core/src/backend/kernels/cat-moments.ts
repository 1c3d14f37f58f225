/** `CatMoments` (ops/batch-norm-train.ts): batch-norm statistics in one Rust kernel. */
import { type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { CatMoments } from '../../ops/kernel-names.js';
import { addon, output, values, type NativeKernelArgs } from '../kernel-helpers.js';

export const catMomentsConfig: KernelConfig = {
  kernelName: CatMoments,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'x'>;
    const x = args.inputs.x as TensorInfo;
    const c = x.shape[x.shape.length - 1];
    if (x.dtype !== 'float32' || x.shape.length < 2 || c === 0) {
      throw new Error(`${CatMoments}: expected float32 x of rank >= 2 with channels, got [${x.shape}] ${x.dtype}`);
    }
    const [mean, variance] = [new Float32Array(c), new Float32Array(c)];
    addon().moments(values(args.backend, x), mean, variance, util.sizeFromShape(x.shape) / c, c);
    return [output(args.backend, [c], mean), output(args.backend, [c], variance)];
  },
};
