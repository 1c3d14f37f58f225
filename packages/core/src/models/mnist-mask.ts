/** The MNIST mask network g of SPEC.md. */
import * as tf from '@tensorflow/tfjs';
import { LayerFactory } from './layer-factory.js';
import { ResizeNearest } from './resize-nearest-layer.js';
import type { ImageShape } from './validate.js';

/**
 * conv c->64 3x3 pad 1 stride 2, LeakyReLU(0.2); conv 64->128 3x3 pad 1, LeakyReLU(0.2);
 * conv 128->128 3x3 pad 1, LeakyReLU(0.2); nearest resize back to the image size;
 * conv 128->c 3x3 pad 1; sigmoid. Output: a mask in (0,1) of the input's shape.
 */
export function buildMnistMask(inputShape: ImageShape, seed: number): tf.LayersModel {
  const [h, w, c] = inputShape;
  const L = new LayerFactory(seed);
  const input = tf.input({ shape: inputShape, name: 'input' });
  let x = L.leakyRelu(L.conv(input, 'conv1', { filters: 64, kernel: 3, pad: 1, stride: 2, bias: true }), 'lrelu1', 0.2);
  x = L.leakyRelu(L.conv(x, 'conv2', { filters: 128, kernel: 3, pad: 1, bias: true }), 'lrelu2', 0.2);
  x = L.leakyRelu(L.conv(x, 'conv3', { filters: 128, kernel: 3, pad: 1, bias: true }), 'lrelu3', 0.2);
  x = new ResizeNearest({ name: 'resize', height: h, width: w }).apply(x) as tf.SymbolicTensor;
  x = L.conv(x, 'conv4', { filters: c, kernel: 3, pad: 1, bias: true });
  const mask = tf.layers.activation({ name: 'sigmoid', activation: 'sigmoid' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: mask, name: 'mnist-mask' });
}
