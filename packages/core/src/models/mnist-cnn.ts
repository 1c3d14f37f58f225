/** The MNIST classifier f of SPEC.md: 4 convs (two of stride 2) and 2 linear layers. */
import * as tf from '@tensorflow/tfjs';
import { LayerFactory } from './layer-factory.js';
import { normalizeInput } from './normalize-input.js';
import type { ImageShape } from './validate.js';

/** Options of {@link buildMnistCnn} (already validated by `buildClassifier`). */
export interface MnistCnnOptions {
  inputShape: ImageShape;
  numClasses: number;
  mean?: number[];
  std?: number[];
  seed: number;
}

/**
 * conv 1->32 3x3 pad 1, ReLU; conv 32->32 3x3 pad 1 stride 2, ReLU; conv 32->64 3x3 pad 1, ReLU;
 * conv 64->64 3x3 pad 1 stride 2, ReLU; flatten (7*7*64 for 28x28); linear ->100, ReLU;
 * linear 100->classes. Flatten runs over NHWC (h, w, c), PyTorch's over (c, h, w): the layer
 * sizes match, but porting PyTorch weights into fc1 needs that permutation.
 */
export function buildMnistCnn(o: MnistCnnOptions): tf.LayersModel {
  const L = new LayerFactory(o.seed);
  const input = tf.input({ shape: o.inputShape, name: 'input' });
  let x = normalizeInput(input, o.inputShape[2], 'buildClassifier(mnist-cnn)', o.mean, o.std);
  x = L.relu(L.conv(x, 'conv1', { filters: 32, kernel: 3, pad: 1, bias: true }), 'relu1');
  x = L.relu(L.conv(x, 'conv2', { filters: 32, kernel: 3, pad: 1, stride: 2, bias: true }), 'relu2');
  x = L.relu(L.conv(x, 'conv3', { filters: 64, kernel: 3, pad: 1, bias: true }), 'relu3');
  x = L.relu(L.conv(x, 'conv4', { filters: 64, kernel: 3, pad: 1, stride: 2, bias: true }), 'relu4');
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  x = L.relu(L.dense(x, 'fc1', 100), 'relu5');
  const logits = L.dense(x, 'fc2', o.numClasses);
  return tf.model({ inputs: input, outputs: logits, name: 'mnist-cnn' });
}
