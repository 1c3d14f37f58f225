/**
 * The data modules that need Node: gzip, IDX and CIFAR parsing (node:zlib), tar, files on disk,
 * the embedded digits, the cache folder, the downloader and `loadDataset`.
 */
export * from './gzip.js';
export * from './idx.js';
export * from './cifar.js';
export * from './tar.js';
export * from './files.js';
export * from './digits.js';
export * from './cache.js';
export * from './download.js';
export * from './fetch.js';
export * from './load.js';
