/**
 * Evaluation the field trusts: the evaluation loop over the attacks of the registry (attacks/),
 * the paper-style table, the gradient-masking sanity check and AutoAttack's checks on the model.
 */
export * from './evaluate.js';
export * from './table.js';
export * from './sanity.js';
export * from './model-checks.js';
