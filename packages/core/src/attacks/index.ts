/**
 * Every attack, with one call shape (`new X(options).run(model, x, y)`) and one registry by name:
 * FGSM, PGD (CE | CW | KL, random start, restarts), CW-inf, FAT's friendly PGD, APGD, FAB,
 * Square and AutoAttack, on the shared helpers (input gradient, projection per norm, input and
 * option checks, the random stream).
 */
export type { AttackLossKind, RandomStartKind } from './options.js';
export { attackLossPerExample, type AttackLossContext } from './attack-loss.js';
export { inputGradient, type InputGradient, type PerExampleLoss } from './gradient.js';
export { checkNorm } from './options.js';
export { l2NormPerExample, NORMS, projectToBall, randomInBall, stepInBall, type BallOptions, type Norm } from './projection.js';
export * from './fgsm.js';
export * from './pgd.js';
export * from './cw-linf.js';
export * from './friendly-pgd.js';
export * from './apgd.js';
export * from './fab.js';
export * from './square.js';
export * from './autoattack.js';
export * from './registry.js';
