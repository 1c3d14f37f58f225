/**
 * The Difference of Logits Ratio losses of APGD (Croce & Hein 2020), on logits `[N, K]`, one
 * value per example `[N]` that the attack ascends; gradients flow through the logits.
 */
import * as tf from '@tensorflow/tfjs';
import { checkLogitsAndLabels } from './checks.js';
import { marginPerExample } from './cw-loss.js';

/**
 * One-hot masks of the `count` largest logits of each row, largest first. Built from repeated
 * argmax (tfjs has no TopK gradient, and the ranking is a constant of the loss anyway).
 */
function rankMasks(logits: tf.Tensor2D, count: number): tf.Tensor2D[] {
  const k = logits.shape[1];
  const masks: tf.Tensor2D[] = [];
  let rest: tf.Tensor2D = logits;
  for (let r = 0; r < count; r++) {
    const m = tf.oneHot(tf.argMax(rest, 1), k) as tf.Tensor2D;
    masks.push(m);
    rest = tf.sub(rest, tf.mul(m, 1e30)) as tf.Tensor2D;
  }
  return masks;
}

function pick(logits: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.mul(logits, mask), 1) as tf.Tensor1D;
}

function requireClasses(logits: tf.Tensor2D, need: number, what: string): void {
  if (logits.shape[1] < need) {
    throw new Error(`${what} needs at least ${need} classes, the model has ${logits.shape[1]}`);
  }
}

/**
 * Difference of Logits Ratio, untargeted, as APGD ascends it:
 * `-(z_y - max_{j != y} z_j) / (z_pi1 - z_pi3 + 1e-12)` with `pi` the logits sorted descending.
 */
export function dlrLossPerExample(logits: tf.Tensor2D, y: tf.Tensor1D): tf.Tensor1D {
  checkLogitsAndLabels('dlrLossPerExample', logits, y);
  requireClasses(logits, 3, 'DLR loss');
  return tf.tidy(() => {
    const [m1, , m3] = rankMasks(logits, 3);
    const z1 = pick(logits, m1);
    const z3 = pick(logits, m3);
    const margin = marginPerExample(logits, y);
    return tf.div(tf.neg(margin), tf.add(tf.sub(z1, z3), 1e-12)) as tf.Tensor1D;
  });
}

/** Targeted DLR loss (APGD-T): `-(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12)`. */
export function dlrTargetedLossPerExample(logits: tf.Tensor2D, y: tf.Tensor1D, target: tf.Tensor1D): tf.Tensor1D {
  checkLogitsAndLabels('dlrTargetedLossPerExample', logits, y);
  checkLogitsAndLabels('dlrTargetedLossPerExample (target)', logits, target);
  requireClasses(logits, 4, 'targeted DLR loss');
  return tf.tidy(() => {
    const k = logits.shape[1];
    const [m1, , m3, m4] = rankMasks(logits, 4);
    const z1 = pick(logits, m1);
    const z3 = pick(logits, m3);
    const z4 = pick(logits, m4);
    const zy = pick(logits, tf.oneHot(y, k) as tf.Tensor2D);
    const zt = pick(logits, tf.oneHot(target, k) as tf.Tensor2D);
    const denom = tf.add(tf.sub(z1, tf.mul(tf.add(z3, z4), 0.5)), 1e-12);
    return tf.div(tf.neg(tf.sub(zy, zt)), denom) as tf.Tensor1D;
  });
}
