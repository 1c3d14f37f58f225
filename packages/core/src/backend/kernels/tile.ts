/**
 * Tile on the native backend (float32). tfjs's batch-norm gradient tiles a per-channel factor to
 * the activation's shape; the cpu Tile walks elements through index arrays.
 */
import { type KernelConfig, type TensorInfo, Tile } from '@tensorflow/tfjs-core';
import { addon, cpuFallback, isFloat32, output, values, type NativeKernelArgs, outputArray } from '../kernel-helpers.js';

export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'x'>;
    const x = args.inputs.x as TensorInfo;
    const { reps } = args.attrs as { reps: number[] };
    const outShape = x.shape.map((d, i) => d * reps[i]);
    const n = outShape.reduce((p, q) => p * q, 1);
    if (!isFloat32(x) || x.shape.length === 0 || reps.length !== x.shape.length || n === 0) return cpuFallback(Tile, args);
    const out = outputArray(n);
    addon().tile(values(args.backend, x), out, x.shape.length, x.shape, reps);
    return output(args.backend, outShape, out);
  },
};
