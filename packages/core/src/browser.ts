/**
 * `@cat/core/browser`: everything in @cat/core that imports nothing from Node, for bundling into
 * a web page (esbuild/vite with platform browser): models and cat's layers, the fused ops (their
 * composite and cpu kernels), losses, attacks, training methods, evaluation, the data sets' facts
 * and batching. The page of `cat-cli serve` is built from this entry.
 *
 * The Node-only parts (files and model IO, dataset files and downloads, the native backend and
 * backend choice, MPI) are in `@cat/core/node`; `@cat/core` is both.
 */
export * from './types.js';
export * from './util/index.js';
export * from './ops/index.js';
export * from './data/browser.js';
export * from './models/index.js';
export * from './losses/index.js';
export * from './attacks/index.js';
export * from './methods/index.js';
export * from './eval/index.js';
// tfjs's wasm backend with the one kernel it lacks for input gradients (no Node imports).
export { registerWasmBackend } from './backend/wasm.js';
