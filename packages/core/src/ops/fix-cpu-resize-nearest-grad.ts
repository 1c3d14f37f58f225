/**
 * Replaces tfjs 4.22's cpu `ResizeNearestNeighborGrad` with a correct one.
 *
 * Why: tfjs's cpu kernel offsets `dy` by the *input* image's batch stride, so every image after
 * the first reads the wrong part of `dy` whenever input and output sizes differ (the mask nets
 * resize 14->28 and 4->32: `g`'s gradient would be wrong for all but the first example of a
 * batch on the cpu backend). It also ignores `halfPixelCenters`. This kernel is the exact
 * adjoint of the cpu forward pass: each `dy` value is added onto the pixel the forward pass read
 * (same index rule as tfjs's forward kernel). The native backend's kernel computes the same.
 */
import * as tf from '@tensorflow/tfjs';

/** Source index the forward kernel reads for output index `o` (tfjs's cpu rule, transcribed). */
function sourceIndex(o: number, inSize: number, ratio: number, alignCorners: boolean, halfPixelCenters: boolean): number {
  const frac = halfPixelCenters ? ratio * (o + 0.5) : ratio * o;
  let idx = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
  if (halfPixelCenters) idx = Math.max(0, idx);
  return idx;
}

/** The kernel function: inputs `images` (for its shape) and `dy`; attrs as the forward op's. */
export function resizeNearestNeighborGradCpu(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { images, dy } = args.inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
  const alignCorners = !!args.attrs?.alignCorners;
  const halfPixelCenters = !!args.attrs?.halfPixelCenters;
  const backend = args.backend as { data: { get(id: unknown): { values: ArrayLike<number> } }; makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo };
  const [batch, inH, inW, depth] = images.shape;
  const [, outH, outW] = dy.shape;
  const dyv = backend.data.get(dy.dataId).values;
  const ratio = (inp: number, out: number) =>
    alignCorners && out > 1 ? (inp - 1) / (out - 1) : inp / out;
  const rh = ratio(inH, outH);
  const rw = ratio(inW, outW);
  const rows = Array.from({ length: outH }, (_, i) => sourceIndex(i, inH, rh, alignCorners, halfPixelCenters));
  const cols = Array.from({ length: outW }, (_, j) => sourceIndex(j, inW, rw, alignCorners, halfPixelCenters));
  const dx = new Float32Array(batch * inH * inW * depth);
  let k = 0;
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < outH; i++) {
      const rowBase = (b * inH + rows[i]) * inW;
      for (let j = 0; j < outW; j++) {
        const base = (rowBase + cols[j]) * depth;
        for (let d = 0; d < depth; d++) dx[base + d] += dyv[k++];
      }
    }
  }
  return backend.makeTensorInfo(images.shape, 'float32', dx);
}

const current = tf.getKernel(tf.ResizeNearestNeighborGrad, 'cpu');
if (current && current.kernelFunc !== (resizeNearestNeighborGradCpu as unknown as tf.KernelFunc)) {
  tf.unregisterKernel(tf.ResizeNearestNeighborGrad, 'cpu');
}
if (!tf.getKernel(tf.ResizeNearestNeighborGrad, 'cpu')) {
  tf.registerKernel({
    kernelName: tf.ResizeNearestNeighborGrad,
    backendName: 'cpu',
    kernelFunc: resizeNearestNeighborGradCpu as unknown as tf.KernelFunc,
  });
}
