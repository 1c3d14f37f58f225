/** Conv2DBackpropInput (the input gradient every attack step needs) on the native backend. */
import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  util,
} from '@tensorflow/tfjs-core';
import { convGeometry, nativeConvSupported } from '../conv-geometry.js';
import { addon, cpuFallback, isFloat32, output, outputArray, values, type NativeKernelArgs } from '../kernel-helpers.js';

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'dy' | 'filter'>;
    const { dy, filter } = args.inputs as Required<typeof args.inputs>;
    const { inputShape, strides, pad, dataFormat, dimRoundingMode } = args.attrs as unknown as Conv2DBackpropInputAttrs;
    const info = backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      backend_util.convertConv2DDataFormat(dataFormat),
    );
    if (!isFloat32(dy, filter) || !nativeConvSupported(info)) return cpuFallback(Conv2DBackpropInput, args);
    const b = args.backend;
    const dx = outputArray(util.sizeFromShape(info.inShape));
    addon().conv2dBackpropInput(values(b, dy), values(b, filter), dx, convGeometry(info));
    return output(b, info.inShape, dx);
  },
};
