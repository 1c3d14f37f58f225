/** Models of SPEC.md (classifiers f, mask nets g), their custom layers and adapters (saving and loading: ../io). */
export * from './build.js';
export * from './adapters.js';
export * from './param-count.js';
export { Normalize, type NormalizeArgs } from './normalize-layer.js';
export { ResizeNearest, type ResizeNearestArgs } from './resize-nearest-layer.js';
export { PaddedConv2D, type PaddedConv2DArgs, type InitializerSpec } from './padded-conv2d-layer.js';
export { runModel } from './run-model.js';
export { toStandardModel } from './standard-layers.js';
export { torchStateDictLayout, isIgnoredTorchName, wideResNetSize, type TorchTensorSpec } from './torch-names.js';
