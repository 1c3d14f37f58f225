import * as tf from '@tensorflow/tfjs';
import { crossEntropyPerExample } from '../losses/cross-entropy.js';
import { cwLossPerExample } from '../losses/cw-loss.js';
import { klDivPerExample } from '../losses/kl-div.js';
import type { AttackLossKind } from './options.js';

/** What a per-example attack loss needs besides the logits of the attacked input. */
export interface AttackLossContext {
  labels: tf.Tensor1D;
  kappa: number;
  /** Logits of the clean input (KL only): the constant target `p(x)` of TRADES' attack. */
  cleanLogits?: tf.Tensor2D;
}

/** The attack loss of each example `[N]`; attacks ascend its sum. */
export function attackLossPerExample(kind: AttackLossKind, logits: tf.Tensor2D, ctx: AttackLossContext): tf.Tensor1D {
  switch (kind) {
    case 'ce':
      return crossEntropyPerExample(logits, ctx.labels);
    case 'cw':
      return cwLossPerExample(logits, ctx.labels, ctx.kappa);
    case 'kl':
      if (ctx.cleanLogits === undefined) throw new Error('attack loss kl: clean logits are required');
      return klDivPerExample(ctx.cleanLogits, logits);
  }
}

/** 1 where the classifier's prediction differs from the label, else 0 (float32 `[N]`). */
export function misclassified(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.cast(tf.notEqual(tf.argMax(logits, 1), labels), 'float32') as tf.Tensor1D);
}
