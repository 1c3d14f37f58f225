/** tfjs's resolved convolution info as the 15-integer geometry array the addon takes. */
import type { backend_util } from '@tensorflow/tfjs-core';

/** In the order of `geometry` in native/ops.manifest (read by native/binding/src/ops/conv_args.rs). */
export function convGeometry(info: backend_util.Conv2DInfo): number[] {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.outChannels,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
    info.outHeight,
    info.outWidth,
  ];
}

/**
 * True when the addon can run this convolution: NHWC, no empty dimension, and padding that does not go negative
 * (tfjs's ceil rounding mode can make the bottom/right padding negative; the cpu kernel handles it).
 */
export function nativeConvSupported(info: backend_util.Conv2DInfo): boolean {
  // Empty tensors (a batch of 0) go to the cpu kernel, which returns an empty result; the addon
  // rejects zero sizes as errors.
  const sizes = [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels];
  return (
    info.dataFormat === 'channelsLast' && info.padInfo.top >= 0 && info.padInfo.left >= 0 && sizes.every((v) => v > 0)
  );
}
