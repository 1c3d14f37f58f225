/**
 * @cat/core: Calibrated Adversarial Training on tfjs tensors.
 * Each folder owns one concern and exports it through its own index.
 */
export * from './types.js';
export * from './util/index.js';
export * from './ops/index.js';
export * from './backend/index.js';
export * from './data/index.js';
export * from './models/index.js';
export * from './io/index.js';
export * from './losses/index.js';
export * from './attacks/index.js';
export * from './methods/index.js';
export * from './eval/index.js';
export * from './distributed/index.js';
