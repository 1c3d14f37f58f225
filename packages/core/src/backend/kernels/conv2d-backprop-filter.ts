/** Conv2DBackpropFilter (the weight gradient of training) on the native backend. */
import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  util,
} from '@tensorflow/tfjs-core';
import { convGeometry, nativeConvSupported } from '../conv-geometry.js';
import { addon, cpuFallback, isFloat32, output, outputArray, values, type NativeKernelArgs } from '../kernel-helpers.js';

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'x' | 'dy'>;
    const { x, dy } = args.inputs as Required<typeof args.inputs>;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      backend_util.convertConv2DDataFormat(dataFormat),
    );
    if (!isFloat32(x, dy) || !nativeConvSupported(info)) return cpuFallback(Conv2DBackpropFilter, args);
    const b = args.backend;
    const dw = outputArray(util.sizeFromShape(info.filterShape));
    addon().conv2dBackpropFilter(values(b, x), values(b, dy), dw, convGeometry(info));
    return output(b, info.filterShape, dw);
  },
};
