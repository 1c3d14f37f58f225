/**
 * PreAct ResNet-18 as in the robust-overfitting code base (Rice et al. 2020, preactresnet.py),
 * with the dataset normalisation as the first layer.
 */
import * as tf from '@tensorflow/tfjs';
import { LayerFactory } from './layer-factory.js';
import { normalizeInput } from './normalize-input.js';
import type { ImageShape } from './validate.js';

type Sym = tf.SymbolicTensor;

/** Options of {@link buildPreActResNet18} (already validated by `buildClassifier`). */
export interface PreActResNetOptions {
  inputShape: ImageShape;
  numClasses: number;
  mean?: number[];
  std?: number[];
  seed: number;
}

/**
 * PreActBlock: `out = relu(bn1(x))`; shortcut = 1x1 conv (stride s, no bias) of `out` when the
 * shape changes, else `x`; `out = conv2(relu(bn2(conv1(out)))) + shortcut`.
 */
function preActBlock(L: LayerFactory, x: Sym, name: string, inPlanes: number, planes: number, stride: number): Sym {
  const out = L.relu(L.bn(x, `${name}.bn1`), `${name}.relu1`);
  const shortcut =
    stride !== 1 || inPlanes !== planes
      ? L.conv(out, `${name}.shortcut.0`, { filters: planes, kernel: 1, stride })
      : x;
  let y = L.conv(out, `${name}.conv1`, { filters: planes, kernel: 3, stride, pad: 1 });
  y = L.relu(L.bn(y, `${name}.bn2`), `${name}.relu2`);
  y = L.conv(y, `${name}.conv2`, { filters: planes, kernel: 3, pad: 1 });
  return L.add(y, shortcut, `${name}.add`);
}

/**
 * conv1 3x3 (64, no bias); layer1..4 of two PreActBlocks each (64, 128/2, 256/2, 512/2);
 * final bn-relu; average pool; linear. The reference's `avg_pool2d(out, 4)` is a global
 * average pool on 32x32 inputs; global average pooling is used so other sizes work too.
 * 11,171,146 parameters for 10 classes.
 */
export function buildPreActResNet18(o: PreActResNetOptions): tf.LayersModel {
  const L = new LayerFactory(o.seed);
  const input = tf.input({ shape: o.inputShape, name: 'input' });
  let x = normalizeInput(input, o.inputShape[2], 'buildClassifier(preact-resnet18)', o.mean, o.std);
  x = L.conv(x, 'conv1', { filters: 64, kernel: 3, pad: 1 });
  let inPlanes = 64;
  const stages: [number, number][] = [[64, 1], [128, 2], [256, 2], [512, 2]];
  stages.forEach(([planes, stride], i) => {
    for (let b = 0; b < 2; b++) {
      x = preActBlock(L, x, `layer${i + 1}.${b}`, inPlanes, planes, b === 0 ? stride : 1);
      inPlanes = planes;
    }
  });
  x = L.relu(L.bn(x, 'bn'), 'relu');
  x = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as Sym;
  const logits = L.dense(x, 'linear', o.numClasses);
  return tf.model({ inputs: input, outputs: logits, name: 'preact-resnet18' });
}
