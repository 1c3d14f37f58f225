/**
 * @cat/core: Calibrated Adversarial Training on tfjs tensors.
 * Each folder owns one concern and exports it through its own index.
 *
 * This entry is everything (for Node). `@cat/core/browser` (browser.ts) is the part that imports
 * nothing from Node, `@cat/core/node` (node.ts) the rest.
 */
export * from './browser.js';
export * from './node.js';
