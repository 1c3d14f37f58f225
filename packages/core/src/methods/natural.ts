import * as tf from '@tensorflow/tfjs';
import { crossEntropy } from '../losses/cross-entropy.js';
import { asClassifier } from '../models/adapters.js';
import type { Batch, StepLosses, TrainMethod, TrainState } from '../types.js';
import { BUDGET_KEYS, checkKnownKeys, resolveBudget, type AttackBudget } from './method-options.js';
import { checkBatch, readLosses, trainableVariables, updateVariables } from './step-utils.js';

/**
 * Options of {@link NaturalMethod}: the attack budget every method takes, accepted (and checked)
 * so that all methods share one call shape, though natural training runs no attack.
 */
export type NaturalOptions = AttackBudget;

/**
 * Standard (natural) training, `CE(f(x), y)` on clean images: the baseline every robust method
 * is compared with (the demo prints it beside CAT).
 */
export class NaturalMethod implements TrainMethod {
  readonly name = 'natural';
  readonly needsMask = false;

  constructor(options: NaturalOptions = {}) {
    checkKnownKeys('natural', options, BUDGET_KEYS);
    resolveBudget('natural', options, true);
  }

  /** One training step on `batch`; returns the loss as a number. See {@link TrainMethod}. */
  step(state: TrainState, batch: Batch): StepLosses {
    checkBatch(this.name, batch.x, batch.y);
    const f = asClassifier(state.f, true);
    const loss = updateVariables(state.optF, trainableVariables(state.f, 'natural f'), () =>
      tf.tidy(() => crossEntropy(f(batch.x), batch.y)),
    );
    return readLosses({ loss });
  }
}
