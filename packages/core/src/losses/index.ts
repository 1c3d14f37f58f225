/**
 * Losses on logits `[N, K]` and int32 labels `[N]`: cross-entropy, CAT's weighted cross-entropy,
 * batch-mean KL, the margin and CW loss, APGD's DLR losses and MART's boosted cross-entropy: the
 * one home of the losses of the methods and the attacks.
 */
export * from './stop-gradient.js';
export * from './cross-entropy.js';
export * from './weighted-cross-entropy.js';
export * from './kl-div.js';
export * from './cw-loss.js';
export * from './dlr.js';
export * from './mart.js';
