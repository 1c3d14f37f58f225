/**
 * ReLU's gradient folded into the input gradient of the convolution that reads the ReLU's
 * output. In `h = relu(z); y = conv(h)`, the backward pass computes `dh = convBackpropInput(dy)`
 * and then `dz = h > 0 ? dh : 0`, a separate pass over an activation-sized tensor (a tenth of an
 * MNIST CAT step). When the conv's input gradient is computed by `CatConv2DBackpropInputRelu`,
 * the mask is applied while each block of `dh` is still in cache, and the ReLU's gradient, seeing
 * a `dy` that is already masked for its own output, passes it on.
 *
 * When it is safe: masking `dh` by `h > 0` changes only what flows into the ReLU's gradient, which
 * applies the same mask (ReLU's mask is idempotent: applying it twice changes nothing). So it is
 * done only for tensors that are the output of a `Relu` node on the tape being differentiated
 * and are not themselves a requested gradient (the lean gradient pass, lean-gradients.ts, says
 * which: {@link withReluFusion}). If `h` has other consumers, their gradients are summed with the
 * masked one into a new tensor, which the ReLU's gradient masks as usual. LeakyReLU is never
 * folded (its mask is not idempotent). Values are bit-identical to the unfused pass.
 */
import * as tf from '@tensorflow/tfjs';
import { CatConv2DBackpropInputRelu } from './kernel-names.js';
import { activeBackendHas } from './kernel-dispatch.js';
import { f32, input, type CpuKernelArgs } from './cpu-kernel-io.js';

type DataId = object;

/** Data ids of ReLU outputs whose gradient may be folded, while a lean backward pass runs. */
let foldable: Set<DataId> | null = null;
/** Gradients already masked by ReLU's gradient, and the data id of the ReLU output they are for. */
const maskedFor = new WeakMap<tf.Tensor, DataId>();

/** Runs `fn` (a backward pass) with the ReLU outputs `reluOutputs` open to folding. */
export function withReluFusion<T>(reluOutputs: Set<DataId>, fn: () => T): T {
  const previous = foldable;
  foldable = reluOutputs;
  try {
    return fn();
  } finally {
    foldable = previous;
  }
}

/** True when `dy`, the gradient reaching ReLU output `y`, already has ReLU's gradient applied. */
export function reluGradientApplied(dy: tf.Tensor, y: tf.Tensor): boolean {
  return maskedFor.get(dy) === y.dataId;
}

/** Plain-JS `CatConv2DBackpropInputRelu`: tfjs's cpu Conv2DBackpropInput, then the mask. */
export function conv2dBackpropInputReluCpu(args: CpuKernelArgs): tf.TensorInfo {
  const x = f32(args, input(args, 'x', CatConv2DBackpropInputRelu), CatConv2DBackpropInputRelu);
  const plain = tf.getKernel(tf.Conv2DBackpropInput, 'cpu');
  if (plain == null) throw new Error(`${CatConv2DBackpropInputRelu}: tfjs's cpu Conv2DBackpropInput is not registered`);
  const { dy, filter } = args.inputs;
  const out = plain.kernelFunc({ inputs: { dy, filter }, backend: args.backend as tf.KernelBackend, attrs: args.attrs }) as tf.TensorInfo;
  const dx = f32(args, out, CatConv2DBackpropInputRelu);
  // The cpu kernel's output is a fresh array: masked in place.
  for (let i = 0; i < dx.length; i++) if (!(x[i] > 0)) dx[i] *= 0;
  return out;
}

interface Conv2DAttrs {
  strides: [number, number] | number;
  pad: unknown;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** tfjs's own Conv2D gradient, captured before ours replaces it. */
let tfjsConv2dGradient: tf.GradConfig | undefined;

/** Conv2D's gradient: tfjs's, with the input gradient folded with ReLU's where allowed. */
export const conv2dGradConfig: tf.GradConfig = {
  kernelName: tf.Conv2D,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const base = (tfjsConv2dGradient as tf.GradConfig).gradFunc(dy, saved, attrs);
    const [x, filter] = saved;
    const a = attrs as unknown as Conv2DAttrs;
    if (
      foldable === null ||
      !foldable.has(x.dataId) ||
      !activeBackendHas(CatConv2DBackpropInputRelu) ||
      x.dtype !== 'float32' ||
      a.dataFormat !== 'NHWC'
    ) {
      return base;
    }
    return {
      ...base,
      x: () => {
        const dx = tf.engine().runKernel(
          CatConv2DBackpropInputRelu,
          { dy: dy as tf.Tensor, filter, x },
          { inputShape: x.shape, strides: a.strides, pad: a.pad, dataFormat: a.dataFormat, dimRoundingMode: a.dimRoundingMode } as unknown as tf.NamedAttrMap,
        ) as tf.Tensor;
        maskedFor.set(dx, x.dataId);
        return dx;
      },
    };
  },
};

/** Replaces tfjs's Conv2D gradient with {@link conv2dGradConfig} (idempotent). */
export function installConv2dGradient(): void {
  const current = tf.getGradient(tf.Conv2D);
  if (current?.gradFunc === conv2dGradConfig.gradFunc) return;
  if (current == null) throw new Error("installConv2dGradient: tfjs's Conv2D gradient is not registered");
  tfjsConv2dGradient = current;
  tf.unregisterGradient(tf.Conv2D);
  tf.registerGradient(conv2dGradConfig);
}
