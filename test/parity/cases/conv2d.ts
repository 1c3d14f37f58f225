/** Conv2D, FusedConv2D and both conv backprops over odd shapes. */
import * as tf from '@tensorflow/tfjs';
import type { ParityCase } from './types.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface ConvShape {
  label: string;
  x: [number, number, number, number];
  k: number;
  cout: number;
  stride: number;
  pad: Pad;
}

const SHAPES: ConvShape[] = [
  { label: 'MNIST first layer, batch 3', x: [3, 28, 28, 1], k: 3, cout: 32, stride: 1, pad: 'same' },
  { label: 'batch 1, stride 2, SAME, cin 5', x: [1, 9, 7, 5], k: 3, cout: 6, stride: 2, pad: 'same' },
  { label: 'non-square, stride 2, VALID, cin 3', x: [2, 8, 11, 3], k: 3, cout: 4, stride: 2, pad: 'valid' },
  { label: '1x1 pointwise, cin 13', x: [2, 6, 5, 13], k: 1, cout: 7, stride: 1, pad: 'valid' },
  { label: '1x1 stride 2 (ResNet shortcut)', x: [2, 8, 8, 12], k: 1, cout: 10, stride: 2, pad: 'same' },
  { label: 'explicit padding, 5x5', x: [1, 10, 6, 2], k: 5, cout: 3, stride: 1, pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
  { label: 'ResNet-like 3x3, cin 20', x: [2, 12, 12, 20], k: 3, cout: 24, stride: 1, pad: 'same' },
  // 3x3 stride 1 with >= 32 channels each side: the Winograd path (native/kernels/src/winograd.rs).
  { label: 'Winograd 3x3, batch 1, odd non-square image, cin 49, cout 52', x: [1, 7, 9, 49], k: 3, cout: 52, stride: 1, pad: 'same' },
  { label: 'Winograd 3x3, VALID, cin 64, cout 48', x: [3, 6, 5, 64], k: 3, cout: 48, stride: 1, pad: 'valid' },
  { label: 'Winograd 3x3, MNIST conv3-like, cin 32, cout 33', x: [2, 7, 7, 32], k: 3, cout: 33, stride: 1, pad: 'same' },
  { label: 'Winograd 3x3, explicit padding, cin 48, cout 56', x: [2, 5, 6, 48], k: 3, cout: 56, stride: 1, pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
  // >= 256 channels each side: the filter gradient runs Winograd too.
  { label: 'Winograd 3x3 incl. filter gradient, cin 256, cout 257, 3x3 image', x: [1, 3, 3, 256], k: 3, cout: 257, stride: 1, pad: 'same' },
];

const filterShape = (s: ConvShape): [number, number, number, number] => [s.k, s.k, s.x[3], s.cout];

function outShape(s: ConvShape): [number, number, number, number] {
  return tf.tidy(() => tf.conv2d(tf.zeros(s.x) as tf.Tensor4D, tf.zeros(filterShape(s)) as tf.Tensor4D, s.stride, s.pad).shape as [number, number, number, number]);
}

export const conv2dCases: ParityCase[] = SHAPES.flatMap((s): ParityCase[] => [
  {
    kernel: 'Conv2D',
    name: s.label,
    inputs: { x: { shape: s.x }, w: { shape: filterShape(s) } },
    run: ({ x, w }) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s.stride, s.pad),
    addonCalls: ['conv2d'],
  },
  {
    kernel: 'FusedConv2D',
    name: `${s.label}, bias + relu`,
    inputs: { x: { shape: s.x }, w: { shape: filterShape(s) }, b: { shape: [s.cout] } },
    run: ({ x, w, b }) =>
      tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: s.stride, pad: s.pad, bias: b, activation: 'relu' }),
    addonCalls: ['conv2d'],
  },
  {
    kernel: 'Conv2DBackpropInput',
    name: s.label,
    inputs: { dy: { shape: outShape(s) }, w: { shape: filterShape(s) } },
    run: ({ dy, w }) => tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, s.x, s.stride, s.pad as 'same'),
    addonCalls: ['conv2dBackpropInput'],
  },
  {
    kernel: 'CatConv2DBackpropInputRelu',
    name: s.label,
    // x: a ReLU output (half zeros); the kernel is the input gradient masked by x > 0.
    inputs: { dy: { shape: outShape(s) }, w: { shape: filterShape(s) }, z: { shape: s.x } },
    run: ({ dy, w, z }) =>
      tf.engine().runKernel(
        'CatConv2DBackpropInputRelu',
        { dy, filter: w, x: tf.relu(z) },
        { inputShape: s.x, strides: s.stride, pad: s.pad, dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap,
      ) as tf.Tensor,
    addonCalls: ['conv2dBackpropInput'],
  },
  {
    kernel: 'Conv2DBackpropFilter',
    name: s.label,
    inputs: { x: { shape: s.x }, dy: { shape: outShape(s) } },
    // The filter gradient of sum(conv(x, w) * dy) is exactly Conv2DBackpropFilter(x, dy).
    run: ({ x, dy }) =>
      tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s.stride, s.pad), dy)))(
        tf.zeros(filterShape(s)),
      ),
    addonCalls: ['conv2dBackpropFilter'],
  },
]);

/** Dilated forward conv (tfjs has no dilated conv gradients, so only Conv2D). */
export const dilatedConv2dCases: ParityCase[] = [
  {
    kernel: 'Conv2D',
    name: 'dilation 2, SAME, non-square',
    inputs: { x: { shape: [2, 11, 9, 3] }, w: { shape: [3, 3, 3, 4] } },
    run: ({ x, w }) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NHWC', 2),
    addonCalls: ['conv2d'],
  },
];

/** Cases the native kernels hand to the cpu kernel: they must still give the cpu's results. */
export const convFallbackCases: ParityCase[] = [
  {
    kernel: 'Conv2D',
    name: 'empty batch falls back to cpu',
    inputs: { x: { shape: [0, 5, 5, 2] }, w: { shape: [3, 3, 2, 4] } },
    run: ({ x, w }) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
    addonCalls: [],
  },
  {
    kernel: 'Conv2D',
    name: 'NCHW falls back to cpu',
    inputs: { x: { shape: [2, 3, 7, 6] }, w: { shape: [3, 3, 3, 4] } },
    run: ({ x, w }) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NCHW'),
    addonCalls: [],
  },
  {
    kernel: 'FusedConv2D',
    name: 'prelu activation falls back to cpu',
    inputs: { x: { shape: [2, 7, 6, 3] }, w: { shape: [3, 3, 3, 4] }, b: { shape: [4] }, alpha: { shape: [4] } },
    run: ({ x, w, b, alpha }) =>
      tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: w as tf.Tensor4D,
        strides: 1,
        pad: 'same',
        bias: b,
        activation: 'prelu',
        preluActivationWeights: alpha,
      }),
    addonCalls: [],
  },
];

/** Fused activations other than relu, on one shape. */
export const fusedActivationCases: ParityCase[] = (['linear', 'leakyrelu', 'sigmoid', 'relu6', 'elu'] as const).map((activation) => ({
  kernel: 'FusedConv2D',
  name: `activation ${activation}`,
  inputs: { x: { shape: [2, 7, 9, 3] }, w: { shape: [3, 3, 3, 5] }, b: { shape: [5] } },
  run: ({ x, w, b }) =>
    tf.fused.conv2d({
      x: x as tf.Tensor4D,
      filter: w as tf.Tensor4D,
      strides: 1,
      pad: 'same',
      bias: b,
      activation,
      leakyreluAlpha: 0.2,
    }),
  addonCalls: ['conv2d'],
}));
