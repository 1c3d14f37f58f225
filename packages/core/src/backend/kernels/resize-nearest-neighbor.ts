/**
 * ResizeNearestNeighbor and its gradient on the native backend (NHWC float32). The gradient is
 * the exact adjoint of the forward pass, like the corrected cpu kernel @cat/core registers (see
 * ops/fix-cpu-resize-nearest-grad.ts for tfjs 4.22's bug).
 */
import {
  type KernelConfig,
  ResizeNearestNeighbor,
  ResizeNearestNeighborGrad,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { addon, cpuFallback, isFloat32, output, values, type NativeKernelArgs, outputArray } from '../kernel-helpers.js';

const positive = (dims: number[]) => dims.every((d) => d > 0);

export const resizeNearestNeighborConfig: KernelConfig = {
  kernelName: ResizeNearestNeighbor,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'images'>;
    const images = args.inputs.images as TensorInfo;
    const { alignCorners, halfPixelCenters, size } = args.attrs as { alignCorners: boolean; halfPixelCenters: boolean; size: [number, number] };
    if (!isFloat32(images) || images.shape.length !== 4 || !positive([...images.shape, ...size])) {
      return cpuFallback(ResizeNearestNeighbor, args);
    }
    const [batch, inH, inW, c] = images.shape;
    const [outH, outW] = size;
    const out = outputArray(batch * outH * outW * c);
    addon().resizeNearest(values(args.backend, images), out, [batch, inH, inW, outH, outW, c], !!alignCorners, !!halfPixelCenters);
    return output(args.backend, [batch, outH, outW, c], out);
  },
};

export const resizeNearestNeighborGradConfig: KernelConfig = {
  kernelName: ResizeNearestNeighborGrad,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'images' | 'dy'>;
    const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
    const { alignCorners, halfPixelCenters } = args.attrs as { alignCorners: boolean; halfPixelCenters?: boolean };
    if (!isFloat32(dy) || images.shape.length !== 4 || dy.shape.length !== 4 || !positive([...images.shape, ...dy.shape])) {
      return cpuFallback(ResizeNearestNeighborGrad, args);
    }
    const [batch, inH, inW, c] = images.shape;
    const [, outH, outW] = dy.shape;
    const dx = outputArray(batch * inH * inW * c);
    addon().resizeNearestGrad(values(args.backend, dy), dx, [batch, inH, inW, outH, outW, c], !!alignCorners, !!halfPixelCenters);
    return output(args.backend, images.shape, dx);
  },
};
