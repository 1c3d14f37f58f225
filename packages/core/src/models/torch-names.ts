/**
 * Where each weight of cat's classifiers lives in a PyTorch state dict of the same network, and
 * how its layout differs. cat's layers carry the PyTorch module names (`layer1.0.conv1`,
 * `block1.layer.0.convShortcut`, `fc`), so a tensor's name is the layer's name plus PyTorch's
 * parameter name; what differs is the layout:
 * - conv `weight` [out, in, kh, kw] (OIHW) is tfjs's kernel [kh, kw, in, out] (HWIO);
 * - linear `weight` [out, in] is tfjs's kernel [in, out]; after a flatten of a feature map it
 *   also changes the feature order, PyTorch's (c, h, w) to tfjs's (h, w, c);
 * - BatchNorm `weight`, `bias`, `running_mean`, `running_var` are gamma, beta, moving_mean,
 *   moving_variance (`num_batches_tracked` has no counterpart and is ignored).
 * The networks these names fit, per architecture:
 * - `preact-resnet18`: the robust-overfitting code's PreActResNet-18 (Rice et al. 2020), which is
 *   RobustBench's `PreActResNet(PreActBlockV2, [2, 2, 2, 2], bn_before_fc=True)`: the shortcut
 *   conv takes the pre-activation, and `bn` precedes `linear`;
 * - `wide-resnet`: TRADES's / RobustBench's `WideResNet` (any depth and widen factor); the unused
 *   `sub_block1` that `sub_block1=True` models carry is ignored;
 * - `mnist-cnn`: SPEC.md's CNN with modules `conv1`..`conv4`, `fc1`, `fc2`.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClassifierArch } from './build.js';

/** One tensor of a PyTorch state dict and the tfjs variable it sets. */
export interface TorchTensorSpec {
  /** The state-dict key. */
  name: string;
  /** Its shape in PyTorch's layout. */
  shape: number[];
  variable: tf.LayerVariable;
  /** PyTorch's layout to tfjs's (a new tensor). */
  toTfjs(t: tf.Tensor): tf.Tensor;
}

/** Names in a state dict that have no counterpart in cat's network and are ignored. */
const IGNORED: Record<ClassifierArch, RegExp[]> = {
  'mnist-cnn': [/\.num_batches_tracked$/],
  'preact-resnet18': [/\.num_batches_tracked$/],
  'wide-resnet': [/\.num_batches_tracked$/, /^sub_block1\./],
};

/** True when the state-dict key `name` has no counterpart in `arch` and is skipped. */
export function isIgnoredTorchName(arch: ClassifierArch, name: string): boolean {
  return IGNORED[arch].some((r) => r.test(name));
}

/** tfjs's BatchNormalization variable names to PyTorch's. */
const BN_NAMES: Record<string, string> = { gamma: 'weight', beta: 'bias', moving_mean: 'running_mean', moving_variance: 'running_var' };

const shortName = (v: tf.LayerVariable) => v.originalName.slice(v.originalName.lastIndexOf('/') + 1);
const identity = (t: tf.Tensor) => t.clone();

/** The [h, w, c] of a flatten layer's input when `layer` reads a flattened feature map, else null. */
function flattenedMap(layer: tf.layers.Layer): [number, number, number] | null {
  const inbound = (layer as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] }).inboundNodes[0]?.inboundLayers[0];
  if (inbound?.getClassName() !== 'Flatten') return null;
  const s = (inbound.input as tf.SymbolicTensor).shape;
  return s.length === 4 && s.slice(1).every((d) => d != null) ? [s[1]!, s[2]!, s[3]!] : null;
}

/**
 * The state-dict tensors of `model` (built by `buildClassifier(arch, ...)`), in the order of
 * `model.weights`. Throws for a layer with weights whose PyTorch name is not known.
 */
export function torchStateDictLayout(model: tf.LayersModel): TorchTensorSpec[] {
  const specs: TorchTensorSpec[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    for (const v of layer.weights as tf.LayerVariable[]) {
      const w = shortName(v);
      const s = v.shape as number[];
      if (cls === 'CatPaddedConv2D' && w === 'kernel') {
        specs.push({ name: `${layer.name}.weight`, shape: [s[3], s[2], s[0], s[1]], variable: v, toTfjs: (t) => tf.transpose(t, [2, 3, 1, 0]) });
      } else if (cls === 'Dense' && w === 'kernel') {
        const map = flattenedMap(layer);
        const toTfjs = map
          ? (t: tf.Tensor) => tf.tidy(() => tf.transpose(t.reshape([s[1], map[2], map[0], map[1]]), [2, 3, 1, 0]).reshape(s))
          : (t: tf.Tensor) => tf.transpose(t);
        specs.push({ name: `${layer.name}.weight`, shape: [s[1], s[0]], variable: v, toTfjs });
      } else if ((cls === 'CatPaddedConv2D' || cls === 'Dense') && w === 'bias') {
        specs.push({ name: `${layer.name}.bias`, shape: s, variable: v, toTfjs: identity });
      } else if (cls === 'BatchNormalization' && BN_NAMES[w]) {
        specs.push({ name: `${layer.name}.${BN_NAMES[w]}`, shape: s, variable: v, toTfjs: identity });
      } else {
        throw new Error(`torchStateDictLayout: no PyTorch name for weight ${v.originalName} of layer ${layer.name} (${cls})`);
      }
    }
  }
  return specs;
}

/**
 * The WideResNet depth and widen factor a state dict describes: depth 6n + 4 for n blocks in
 * `block1`, widen = `block1.layer.0.conv1`'s output channels / 16. Null when the keys are absent.
 */
export function wideResNetSize(shapes: Map<string, number[]>): { depth: number; widen: number } | null {
  const first = shapes.get('block1.layer.0.conv1.weight');
  if (!first || first.length !== 4 || first[0] % 16 !== 0) return null;
  let n = 0;
  while (shapes.has(`block1.layer.${n}.conv1.weight`)) n++;
  return { depth: 6 * n + 4, widen: first[0] / 16 };
}
