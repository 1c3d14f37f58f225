/**
 * FusedConv2D (conv + bias + activation) on the native backend. tfjs-layers' Conv2D calls
 * `fused.conv2d`, and the cpu FusedConv2D calls the cpu conv directly, so without this override
 * every layers model would bypass the native conv.
 */
import { backend_util, FusedConv2D, type FusedConv2DAttrs, type KernelConfig, util } from '@tensorflow/tfjs-core';
import { convGeometry, nativeConvSupported } from '../conv-geometry.js';
import {
  addon,
  biasFitsChannels,
  cpuFallback,
  isFloat32,
  nativeActivation,
  output,
  outputArray,
  values,
  type NativeKernelArgs,
} from '../kernel-helpers.js';

export const fusedConv2dConfig: KernelConfig = {
  kernelName: FusedConv2D,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'x' | 'filter' | 'bias' | 'preluActivationWeights'>;
    const { x, filter, bias } = args.inputs;
    const attrs = args.attrs as unknown as FusedConv2DAttrs;
    const info = backend_util.computeConv2DInfo(
      x!.shape as [number, number, number, number],
      filter!.shape as [number, number, number, number],
      attrs.strides,
      attrs.dilations,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      backend_util.convertConv2DDataFormat(attrs.dataFormat),
    );
    const act = nativeActivation(attrs.activation);
    if (
      act === null ||
      !isFloat32(x, filter, bias) ||
      !nativeConvSupported(info) ||
      !biasFitsChannels(bias, info.outChannels)
    ) {
      return cpuFallback(FusedConv2D, args);
    }
    const b = args.backend;
    const out = outputArray(util.sizeFromShape(info.outShape));
    addon().conv2d(
      values(b, x!),
      values(b, filter!),
      bias ? values(b, bias) : null,
      out,
      convGeometry(info),
      act,
      attrs.leakyreluAlpha ?? 0.2,
    );
    return output(b, info.outShape, out);
  },
};
