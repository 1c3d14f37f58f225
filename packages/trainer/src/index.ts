/**
 * @cat/trainer: optimisers, schedules, presets and configs, the training loop with crash-safe
 * checkpoints and exact resume, and loading runs back.
 */
export * from './presets.js';
export * from './config.js';
export * from './schedule.js';
export * from './optimizers.js';
export * from './metrics-log.js';
export * from './checkpoint.js';
export * from './guard.js';
export * from './run-dir.js';
export * from './deps.js';
export * from './train.js';
export * from './load-run.js';
export * from './tensorboard.js';
export * from './distributed.js';
