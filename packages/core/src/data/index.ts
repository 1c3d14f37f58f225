/**
 * Data: the supported data sets, their parsers, the downloader and batching.
 * Everything that reads outside bytes throws a `DataError` subclass naming the file.
 */
export * from './errors.js';
export * from './image-set.js';
export * from './info.js';
export * from './gzip.js';
export * from './idx.js';
export * from './cifar.js';
export * from './tar.js';
export * from './files.js';
export * from './digits.js';
export * from './sources.js';
export * from './cache.js';
export * from './download.js';
export * from './fetch.js';
export * from './load.js';
export * from './augment.js';
export * from './batches.js';
export * from './subset.js';
