/**
 * `@cat/core/node`: the parts of @cat/core that need Node: the native (Rust) backend and choosing
 * a backend, files and model IO (tfjs models on disk, safetensors), dataset files, the cache and
 * the downloader, and training over MPI. `@cat/core` is this plus `@cat/core/browser`.
 */
export * from './backend/index.js';
export * from './data/node.js';
export * from './io/index.js';
export * from './distributed/index.js';
