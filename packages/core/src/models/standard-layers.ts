/**
 * cat's models rewritten with stock tfjs layers only, so that any tfjs app loads them with plain
 * `tf.loadLayersModel` and no cat code: the same graph and weights, each custom layer replaced by
 * standard Keras layers that compute the same function.
 */
import * as tf from '@tensorflow/tfjs';
import { Normalize } from './normalize-layer.js';
import { PaddedConv2D } from './padded-conv2d-layer.js';
import { ResizeNearest } from './resize-nearest-layer.js';

type Sym = tf.SymbolicTensor;

/** The parts of tfjs-layers' graph read here (present on tfjs-layers 4.22's Layer). */
interface LayerGraph {
  inboundNodes: unknown[];
}

/** A stock layer of the same class and config (cat's Lean* layers save under tfjs's names). */
function cloneLayer(layer: tf.layers.Layer): tf.layers.Layer {
  const className = layer.getClassName();
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (entry === undefined) throw new Error(`toStandardModel: layer ${layer.name} has class ${className}, which tfjs does not know`);
  const [cls, fromConfig] = entry;
  return fromConfig(cls, layer.getConfig()) as tf.layers.Layer;
}

/** Applies `layer` to `x` and gives it `weights` (the original layer's, or ones derived from them). */
function withWeights(layer: tf.layers.Layer, x: Sym | Sym[], weights: tf.Tensor[]): Sym {
  const y = layer.apply(x) as Sym;
  layer.setWeights(weights);
  return y;
}

/**
 * The standard layers for one layer of a cat model, applied to its (already converted) inputs:
 * - `CatPaddedConv2D` -> `ZeroPadding2D` (named `<name>_pad`, when it pads) + a 'valid' `Conv2D`
 *   with the same kernel and bias: the same zero-padded convolution;
 * - `CatNormalize` -> nothing when it is the identity (mean 0, std 1), else a
 *   `BatchNormalization` without gamma and beta whose moving mean is the mean and moving
 *   variance std², epsilon 0: `(x - mean) / sqrt(std²)` in inference;
 * - `CatResizeNearest` -> `UpSampling2D` (nearest) when the output is a whole multiple of the
 *   input, which picks the same source pixels `floor(dst * in / out)`;
 * - every other layer (tfjs's own, and cat's Add and BatchNormalization, which save under tfjs's
 *   names) -> the same class and config.
 */
function convertLayer(layer: tf.layers.Layer, ins: Sym[]): Sym {
  const x = ins.length === 1 ? ins[0] : ins;
  if (layer instanceof PaddedConv2D) {
    const padded = layer.pad > 0 ? (tf.layers.zeroPadding2d({ name: `${layer.name}_pad`, padding: layer.pad }).apply(x) as Sym) : (x as Sym);
    const conv = tf.layers.conv2d({
      name: layer.name,
      filters: layer.filters,
      kernelSize: layer.kernelSize,
      strides: layer.strides,
      padding: 'valid',
      useBias: layer.useBias,
    });
    return withWeights(conv, padded, layer.getWeights());
  }
  if (layer instanceof Normalize) {
    if (layer.isIdentity) return x as Sym;
    const bn = tf.layers.batchNormalization({ name: layer.name, axis: -1, center: false, scale: false, epsilon: 0 });
    const channels = ins[0].shape[3] as number;
    const full = (v: number[]) => (v.length === 1 ? new Array<number>(channels).fill(v[0]) : v);
    const mean = tf.tensor1d(full(layer.mean));
    const variance = tf.tensor1d(full(layer.std).map((s) => s * s));
    try {
      return withWeights(bn, x, [mean, variance]);
    } finally {
      tf.dispose([mean, variance]);
    }
  }
  if (layer instanceof ResizeNearest) {
    const [, h, w] = ins[0].shape;
    if (h == null || w == null || layer.height % h !== 0 || layer.width % w !== 0) {
      throw new Error(
        `toStandardModel: layer ${layer.name} resizes ${h}x${w} to ${layer.height}x${layer.width}, not a whole multiple; no stock tfjs layer does that exactly`,
      );
    }
    const up = tf.layers.upSampling2d({ name: layer.name, size: [layer.height / h, layer.width / w], interpolation: 'nearest' });
    return up.apply(x) as Sym;
  }
  return withWeights(cloneLayer(layer), x, layer.getWeights());
}

/**
 * `model` (a functional model built by cat, e.g. a checkpoint's f or g) rebuilt from stock tfjs
 * layers with the same weights: it computes the same function (up to float rounding) and its
 * saved form loads in any tfjs app with `tf.loadLayersModel`, no custom classes registered. The
 * layer names are kept (a padded conv's padding gets `<name>_pad`). Throws for a layer used more
 * than once or a resize by a non-integer factor. The caller owns the new model.
 */
export function toStandardModel(model: tf.LayersModel): tf.LayersModel {
  const converted = new Map<number, Sym>();
  const inputs = model.inputs.map((t, i) => {
    const input = tf.input({ shape: t.shape.slice(1) as number[], dtype: t.dtype, name: model.inputLayers[i].name });
    converted.set(t.id, input);
    return input;
  });
  const inputLayers = new Set(model.inputLayers);
  for (const layer of model.layers) {
    if (inputLayers.has(layer)) continue;
    if ((layer as unknown as LayerGraph).inboundNodes.length !== 1) {
      throw new Error(`toStandardModel: layer ${layer.name} of ${model.name} is used ${(layer as unknown as LayerGraph).inboundNodes.length} times; only layers used once are supported`);
    }
    const ins = [layer.input].flat().map((t) => {
      const c = converted.get(t.id);
      if (c === undefined) throw new Error(`toStandardModel: layer ${layer.name} of ${model.name} reads a tensor not converted yet`);
      return c;
    });
    converted.set((layer.output as Sym).id, convertLayer(layer, ins));
  }
  const outputs = model.outputs.map((t) => converted.get(t.id) as Sym);
  return tf.model({ inputs, outputs: outputs.length === 1 ? outputs[0] : outputs, name: model.name });
}
