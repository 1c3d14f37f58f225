/** Conv2D on the native backend (NHWC; NCHW falls back to the cpu kernel). */
import { backend_util, Conv2D, type Conv2DAttrs, type KernelConfig, util } from '@tensorflow/tfjs-core';
import { convGeometry, nativeConvSupported } from '../conv-geometry.js';
import { addon, cpuFallback, isFloat32, output, outputArray, values, type NativeKernelArgs } from '../kernel-helpers.js';

export const conv2dConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'x' | 'filter'>;
    const { x, filter } = args.inputs as Required<typeof args.inputs>;
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = args.attrs as unknown as Conv2DAttrs;
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      strides,
      dilations,
      pad,
      dimRoundingMode,
      false,
      backend_util.convertConv2DDataFormat(dataFormat),
    );
    if (!isFloat32(x, filter) || !nativeConvSupported(info)) return cpuFallback(Conv2D, args);
    const out = outputArray(util.sizeFromShape(info.outShape));
    const b = args.backend;
    addon().conv2d(values(b, x), values(b, filter), null, out, convGeometry(info), 'linear', 0);
    return output(b, info.outShape, out);
  },
};
