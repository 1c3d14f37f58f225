/** Files on disk: crash-safe writes and directory swaps, JSON reads, models in tfjs's format, and PyTorch state dicts as safetensors. */
export * from './files.js';
export * from './model-io.js';
export * from './safetensors.js';
export * from './torch-model.js';
