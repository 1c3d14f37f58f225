import * as tf from '@tensorflow/tfjs';
import { crossEntropy } from '../losses/cross-entropy.js';
import { klDivBatchMean } from '../losses/kl-div.js';
import { asClassifier } from '../models/adapters.js';
import type { Batch, TrainState } from '../types.js';
import { trainableVariables, updateVariables } from './step-utils.js';

/**
 * One TRADES update of f on given adversarial inputs:
 * `CE(f(x), y) + beta * KL(p(x) || p(x_adv))`, gradients through both KL arguments as in the
 * TRADES code. Shared by TRADES and FAT-for-TRADES. Returns `{ loss, ce, kl }` as tensors.
 */
export function tradesUpdate(
  who: string,
  state: TrainState,
  batch: Batch,
  xAdv: tf.Tensor4D,
  beta: number,
): Record<string, tf.Scalar> {
  const f = asClassifier(state.f, true);
  let ce: tf.Scalar | undefined;
  let kl: tf.Scalar | undefined;
  const loss = updateVariables(state.optF, trainableVariables(state.f, `${who} f`), () => {
    const zNat = f(batch.x);
    ce = tf.keep(crossEntropy(zNat, batch.y));
    kl = tf.keep(klDivBatchMean(zNat, f(xAdv)));
    return tf.add(ce, tf.mul(kl, beta)) as tf.Scalar;
  });
  return { loss, ce: ce as tf.Scalar, kl: kl as tf.Scalar };
}
