/**
 * Evaluation the field trusts: APGD, FAB-T, Square and AutoAttack, the evaluation loop, the
 * paper-style table and the gradient-masking sanity check.
 */
export { dlrLossPerExample, dlrTargetedLossPerExample } from './losses.js';
export * from './apgd.js';
export * from './fab.js';
export * from './square.js';
export * from './autoattack.js';
export * from './evaluate.js';
export * from './table.js';
export * from './sanity.js';
export * from './registry.js';
export * from './model-checks.js';
