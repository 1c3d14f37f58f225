/** The CIFAR mask network g of SPEC.md: a ResNet-18 trunk, resize back, conv, sigmoid. */
import * as tf from '@tensorflow/tfjs';
import { LayerFactory } from './layer-factory.js';
import { ResizeNearest } from './resize-nearest-layer.js';
import type { ImageShape } from './validate.js';

type Sym = tf.SymbolicTensor;

/**
 * Standard ResNet BasicBlock: `relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`, shortcut
 * a 1x1 conv + BN when the shape changes.
 */
function basicBlock(L: LayerFactory, x: Sym, name: string, inPlanes: number, planes: number, stride: number): Sym {
  let y = L.relu(L.bn(L.conv(x, `${name}.conv1`, { filters: planes, kernel: 3, stride, pad: 1 }), `${name}.bn1`), `${name}.relu1`);
  y = L.bn(L.conv(y, `${name}.conv2`, { filters: planes, kernel: 3, pad: 1 }), `${name}.bn2`);
  const shortcut =
    stride !== 1 || inPlanes !== planes
      ? L.bn(L.conv(x, `${name}.shortcut.0`, { filters: planes, kernel: 1, stride }), `${name}.shortcut.1`)
      : x;
  return L.relu(L.add(y, shortcut, `${name}.add`), `${name}.relu2`);
}

/**
 * conv1 3x3 stride 1 (64, no bias) + BN + ReLU; layer1..4 of two BasicBlocks (64, 128/2,
 * 256/2, 512/2), giving 512x4x4 on 32x32 images; nearest resize to the image size; conv
 * 512->c 3x3 pad 1 with bias; sigmoid. It sees the raw image in [0,1] (no normalisation layer).
 */
export function buildResNet18Mask(inputShape: ImageShape, seed: number): tf.LayersModel {
  const [h, w, c] = inputShape;
  const L = new LayerFactory(seed);
  const input = tf.input({ shape: inputShape, name: 'input' });
  let x = L.relu(L.bn(L.conv(input, 'conv1', { filters: 64, kernel: 3, pad: 1 }), 'bn1'), 'relu');
  let inPlanes = 64;
  const stages: [number, number][] = [[64, 1], [128, 2], [256, 2], [512, 2]];
  stages.forEach(([planes, stride], i) => {
    for (let b = 0; b < 2; b++) {
      x = basicBlock(L, x, `layer${i + 1}.${b}`, inPlanes, planes, b === 0 ? stride : 1);
      inPlanes = planes;
    }
  });
  x = new ResizeNearest({ name: 'resize', height: h, width: w }).apply(x) as Sym;
  x = L.conv(x, 'mask_conv', { filters: c, kernel: 3, pad: 1, bias: true });
  const mask = tf.layers.activation({ name: 'sigmoid', activation: 'sigmoid' }).apply(x) as Sym;
  return tf.model({ inputs: input, outputs: mask, name: 'resnet18-mask' });
}
