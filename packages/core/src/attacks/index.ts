/**
 * Attacks with one call shape (`new X(options).run(model, x, y)`): FGSM, PGD (CE | CW | KL,
 * random start, restarts), CW-inf and FAT's friendly PGD, plus a registry by name.
 */
export type { AttackLossKind, RandomStartKind } from './options.js';
export { attackLossPerExample, type AttackLossContext } from './attack-loss.js';
export * from './fgsm.js';
export * from './pgd.js';
export * from './cw-linf.js';
export * from './friendly-pgd.js';
export * from './registry.js';
