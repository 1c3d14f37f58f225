/**
 * WideResNet as in the TRADES code base (models/wideresnet.py), dropout 0, with the dataset
 * normalisation as the first layer. TRADES's `sub_block1` is built there but never used in
 * `forward`; it is left out (it would only add unused parameters).
 */
import * as tf from '@tensorflow/tfjs';
import { LayerFactory } from './layer-factory.js';
import { normalizeInput } from './normalize-input.js';
import type { ImageShape } from './validate.js';

type Sym = tf.SymbolicTensor;

/** Options of {@link buildWideResNet} (already validated by `buildClassifier`). */
export interface WideResNetOptions {
  inputShape: ImageShape;
  numClasses: number;
  mean?: number[];
  std?: number[];
  seed: number;
  /** Total depth, `6n + 4`. */
  depth: number;
  /** Widen factor k: stage widths 16k, 32k, 64k. */
  widen: number;
}

/**
 * TRADES's BasicBlock. Equal in/out: `x + conv2(relu(bn2(conv1(relu(bn1(x))))))`. Otherwise the
 * pre-activation replaces x, and the shortcut is a 1x1 conv (stride s) of it:
 * `a = relu(bn1(x)); shortcut(a) + conv2(relu(bn2(conv1(a))))`.
 */
function wrnBlock(L: LayerFactory, x: Sym, name: string, inPlanes: number, outPlanes: number, stride: number): Sym {
  const init = 'kaiming-normal-fan-out' as const;
  const a = L.relu(L.bn(x, `${name}.bn1`), `${name}.relu1`);
  const equalInOut = inPlanes === outPlanes;
  let y = L.conv(a, `${name}.conv1`, { filters: outPlanes, kernel: 3, stride, pad: 1, init });
  y = L.relu(L.bn(y, `${name}.bn2`), `${name}.relu2`);
  y = L.conv(y, `${name}.conv2`, { filters: outPlanes, kernel: 3, pad: 1, init });
  const shortcut = equalInOut
    ? x
    : L.conv(a, `${name}.convShortcut`, { filters: outPlanes, kernel: 1, stride, init });
  return L.add(shortcut, y, `${name}.add`);
}

/**
 * conv1 3x3 (16, no bias); three NetworkBlocks of n = (depth - 4) / 6 blocks (16k, 32k/2,
 * 64k/2); final bn-relu; average pool (global: `avg_pool2d(out, 8)` on 32x32 inputs); fc.
 * Initialisation follows TRADES, not PyTorch's default: conv kernels normal(0, sqrt(2 / (9 *
 * out))), BN 1/0, fc bias 0 (fc weight keeps PyTorch's default).
 * WRN-34-10 has 46,160,474 parameters for 10 classes.
 */
export function buildWideResNet(o: WideResNetOptions): tf.LayersModel {
  const n = (o.depth - 4) / 6;
  const widths = [16, 16 * o.widen, 32 * o.widen, 64 * o.widen];
  const L = new LayerFactory(o.seed);
  const input = tf.input({ shape: o.inputShape, name: 'input' });
  let x = normalizeInput(input, o.inputShape[2], 'buildClassifier(wide-resnet)', o.mean, o.std);
  x = L.conv(x, 'conv1', { filters: widths[0], kernel: 3, pad: 1, init: 'kaiming-normal-fan-out' });
  const strides = [1, 2, 2];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < n; i++) {
      const inPlanes = i === 0 ? widths[s] : widths[s + 1];
      x = wrnBlock(L, x, `block${s + 1}.layer.${i}`, inPlanes, widths[s + 1], i === 0 ? strides[s] : 1);
    }
  }
  x = L.relu(L.bn(x, 'bn1'), 'relu');
  x = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as Sym;
  const logits = L.dense(x, 'fc', o.numClasses, true);
  return tf.model({ inputs: input, outputs: logits, name: `wide-resnet-${o.depth}-${o.widen}` });
}
