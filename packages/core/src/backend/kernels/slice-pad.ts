/**
 * Slice and PadV2 on the native backend (float32). tfjs-layers' zeroPadding2d, which the models
 * use for PyTorch-style padding of stride-2 convs, runs PadV2 forward and Slice backward; tfjs's
 * cpu Slice copies non-contiguous slices element by element and dominated a CAT step's profile.
 */
import { type KernelConfig, PadV2, Slice, slice_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { addon, cpuFallback, isFloat32, output, values, type NativeKernelArgs, outputArray } from '../kernel-helpers.js';

export const sliceConfig: KernelConfig = {
  kernelName: Slice,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'x'>;
    const x = args.inputs.x as TensorInfo;
    const { begin, size } = args.attrs as { begin: number | number[]; size: number | number[] };
    if (!isFloat32(x) || x.shape.length === 0) return cpuFallback(Slice, args);
    const [b, s] = slice_util.parseSliceParams(x as never, begin, size);
    slice_util.assertParamsValid(x as never, b, s);
    const n = s.reduce((p, q) => p * q, 1);
    if (n === 0) return cpuFallback(Slice, args);
    const out = outputArray(n);
    addon().slice(values(args.backend, x), out, x.shape.length, x.shape, b, s);
    return output(args.backend, s, out);
  },
};

export const padV2Config: KernelConfig = {
  kernelName: PadV2,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'x'>;
    const x = args.inputs.x as TensorInfo;
    const { paddings, constantValue } = args.attrs as { paddings: [number, number][]; constantValue: number };
    if (!isFloat32(x) || x.shape.length === 0 || paddings.length !== x.shape.length) return cpuFallback(PadV2, args);
    const outShape = x.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
    const out = new Float32Array(outShape.reduce((p, q) => p * q, 1));
    addon().pad(values(args.backend, x), out, x.shape.length, x.shape, paddings.map((p) => p[0]), paddings.map((p) => p[1]), Number(constantValue ?? 0));
    return output(args.backend, outShape, out);
  },
};
