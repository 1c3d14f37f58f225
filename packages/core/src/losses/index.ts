/**
 * Losses on logits `[N, K]` and int32 labels `[N]`: cross-entropy, CAT's weighted cross-entropy,
 * batch-mean KL, the CW margin and MART's boosted cross-entropy. All go through `ops.logSoftmax`.
 */
export * from './stop-gradient.js';
export * from './cross-entropy.js';
export * from './weighted-cross-entropy.js';
export * from './kl-div.js';
export * from './cw-loss.js';
export * from './mart.js';
