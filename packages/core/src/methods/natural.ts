import * as tf from '@tensorflow/tfjs';
import { crossEntropy } from '../losses/cross-entropy.js';
import { asClassifier } from '../models/adapters.js';
import type { Batch, StepLosses, TrainMethod, TrainState } from '../types.js';
import { budgetText, declareMethod, resolveOptions } from './declare.js';
import { budgetOptions, type AttackBudget } from './method-options.js';
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
    resolveOptions('natural', NATURAL.options, options);
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

/** Natural training's declaration: the budget is accepted (one call shape), not used. */
export const NATURAL = declareMethod<NaturalOptions>({
  name: 'natural',
  label: 'Natural',
  summary: 'standard training on clean images, the baseline every robust method is compared with',
  needsMask: false,
  options: budgetOptions(true, true),
  create: (o) => new NaturalMethod(o),
  describe: () => 'clean images only',
});
