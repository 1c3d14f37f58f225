/** Files on disk: crash-safe writes and directory swaps, JSON reads, and models in tfjs's format. */
export * from './files.js';
export * from './model-io.js';
