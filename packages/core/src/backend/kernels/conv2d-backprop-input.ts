/**
 * Conv2DBackpropInput (the input gradient every attack step needs) on the native backend, and
 * `CatConv2DBackpropInputRelu`, the same followed by ReLU's gradient at the conv's input
 * (ops/conv-relu-grad.ts), which the Rust kernel applies block by block in the same pass.
 */
import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { CatConv2DBackpropInputRelu } from '../../ops/kernel-names.js';
import { convGeometry, nativeConvSupported } from '../conv-geometry.js';
import { addon, cpuFallback, isFloat32, output, outputArray, values, type NativeKernelArgs } from '../kernel-helpers.js';

/** Both kernels: `reluOf` is the input `x` of CatConv2DBackpropInputRelu (absent for the plain one). */
function backpropInput(kernelName: string, raw: unknown): TensorInfo | TensorInfo[] {
  const args = raw as NativeKernelArgs<'dy' | 'filter' | 'x'>;
  const { dy, filter } = args.inputs as Required<typeof args.inputs>;
  const reluOf = args.inputs.x;
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
  if (!isFloat32(dy, filter, reluOf) || !nativeConvSupported(info)) return cpuFallback(kernelName, args);
  const b = args.backend;
  const dx = outputArray(util.sizeFromShape(info.inShape));
  addon().conv2dBackpropInput(values(b, dy), values(b, filter), dx, convGeometry(info), reluOf ? values(b, reluOf) : null);
  return output(b, info.inShape, dx);
}

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'native',
  kernelFunc: (raw) => backpropInput(Conv2DBackpropInput, raw),
};

export const catConv2dBackpropInputReluConfig: KernelConfig = {
  kernelName: CatConv2DBackpropInputRelu,
  backendName: 'native',
  kernelFunc: (raw) => backpropInput(CatConv2DBackpropInputRelu, raw),
};
