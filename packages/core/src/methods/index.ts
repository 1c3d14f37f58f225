/**
 * Training methods with one call shape (`method.step(state, batch)`): CAT (cent, cw; ablations
 * A1/A2), AT, TRADES, MART, FAT-for-TRADES and natural training, plus a registry by name.
 */
export type { AttackBudget } from './method-options.js';
export { CIFAR_BUDGET } from './method-options.js';
export * from './cat.js';
export * from './mask-stats.js';
export * from './at.js';
export * from './trades.js';
export * from './mart.js';
export * from './fat-trades.js';
export * from './natural.js';
export * from './tau-schedule.js';
export { tradesUpdate } from './trades-loss.js';
export * from './registry.js';
export * from './defaults.js';
export * from './declare.js';
export { budgetOf, budgetOptions, BUDGET } from './method-options.js';
