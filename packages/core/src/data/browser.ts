/**
 * The data modules that run anywhere (no Node imports): the data sets' names and facts, the
 * errors, batching, augmentation and subsets. The file readers, parsers of compressed files and
 * the downloader are in ./node.ts.
 */
export * from './errors.js';
export * from './image-set.js';
export * from './info.js';
export * from './sources.js';
export * from './augment.js';
export * from './batches.js';
export * from './subset.js';
