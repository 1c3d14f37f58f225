/**
 * Data: the supported data sets, their parsers, the downloader and batching.
 * Everything that reads outside bytes throws a `DataError` subclass naming the file.
 * browser.ts holds the parts without Node imports (in `@cat/core/browser`), node.ts the rest.
 */
export * from './browser.js';
export * from './node.js';
