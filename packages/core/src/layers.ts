/**
 * `import '@cat/core/layers'`: registers cat's custom layers with tfjs's serialization, so
 * `tf.loadLayersModel` loads a cat checkpoint's `model.json` (f or g) in any tfjs app, with no
 * other cat code. Imports nothing but tfjs and the layers (no Node modules).
 *
 * Without it, loading fails with `Unknown layer: CatPaddedConv2D` (or `CatNormalize`,
 * `CatResizeNearest`); a model written by `cat-cli export` needs no registration at all.
 */
export { Normalize, type NormalizeArgs } from './models/normalize-layer.js';
export { PaddedConv2D, type PaddedConv2DArgs, type InitializerSpec } from './models/padded-conv2d-layer.js';
export { ResizeNearest, type ResizeNearestArgs } from './models/resize-nearest-layer.js';
export { LeanAdd } from './models/add-layer.js';
export { LeanBatchNormalization } from './models/batch-norm-layer.js';
export { toStandardModel } from './models/standard-layers.js';
