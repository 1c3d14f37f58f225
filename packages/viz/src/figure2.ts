/** Computes the rows of the paper's Figure 2 from a trained classifier and mask network. */
import * as tf from '@tensorflow/tfjs';
import { calibrate, type Attack, type Classifier, type MaskNet } from '@cat/core';
import type { MaskGridImages } from './mask-grid.js';

/** Figure 2 rows plus the predicted class of each image on each row. */
export interface Figure2Data extends MaskGridImages {
  labels: number[];
  predictions: { natural: number[]; adversarial: number[]; calibrated: number[] };
}

/**
 * Natural `x`, its adversarial example under `attack` against `f`, the mask `g(x + delta)` and
 * the calibrated adversarial example `clip(x + mask * delta, 0, 1)` (SPEC step 2). The caller owns
 * (and disposes) the returned tensors.
 */
export function figure2Data(f: Classifier, g: MaskNet, x: tf.Tensor4D, y: tf.Tensor1D, attack: Attack): Figure2Data {
  const adversarial = attack.run(f, x, y);
  const { mask, calibrated } = tf.tidy(() => {
    const delta = tf.sub(adversarial, x) as tf.Tensor4D;
    const m = g(adversarial);
    if (m.shape[1] !== x.shape[1] || m.shape[2] !== x.shape[2]) {
      throw new Error(`figure2Data: mask net output [${m.shape}] does not match images [${x.shape}]`);
    }
    return { mask: m, calibrated: calibrate(x, delta, m) };
  });
  const pred = (t: tf.Tensor4D) => Array.from(tf.tidy(() => tf.argMax(f(t), 1).dataSync()));
  return {
    natural: x.clone(),
    adversarial,
    mask,
    calibrated,
    labels: Array.from(y.dataSync()),
    predictions: { natural: pred(x), adversarial: pred(adversarial), calibrated: pred(calibrated) },
  };
}
