import * as tf from '@tensorflow/tfjs';
import { PGD } from '../attacks/pgd.js';
import { crossEntropy } from '../losses/cross-entropy.js';
import { asClassifier } from '../models/adapters.js';
import type { Batch, StepLosses, TrainMethod, TrainState } from '../types.js';
import { budgetText, declareMethod, resolveOptions } from './declare.js';
import { budgetOf, budgetOptions, type AttackBudget } from './method-options.js';
import { readLosses, trainableVariables, updateVariables, withAdversarial } from './step-utils.js';

/** Options of {@link AtMethod}: the attack budget (CIFAR defaults). */
export type AtOptions = AttackBudget;

/**
 * Madry et al.'s adversarial training: `CE(f(x + delta), y)` with `delta` from PGD-CE with a
 * uniform random start. The attack runs in training mode as in Rice et al.'s scripts (the
 * spec's early-stopping reference); Rice et al.'s early stopping itself is the trainer's
 * best-checkpoint selection.
 */
export class AtMethod implements TrainMethod {
  readonly name = 'at';
  readonly needsMask = false;
  readonly budget: Required<AttackBudget>;

  constructor(options: AtOptions = {}) {
    this.budget = budgetOf('at', resolveOptions('at', AT.options, options));
  }

  /** One training step on `batch`; returns the loss terms as numbers. See {@link TrainMethod}. */
  step(state: TrainState, batch: Batch): StepLosses {
    const { eps, alpha, steps, attackTraining } = this.budget;
    const attack = new PGD({ eps, alpha, steps, loss: 'ce', randomStart: 'uniform', rng: state.rng });
    return withAdversarial(this.name, state, batch, attack, attackTraining, (xAdv) => {
      const f = asClassifier(state.f, true);
      const loss = updateVariables(state.optF, trainableVariables(state.f, 'at f'), () =>
        tf.tidy(() => crossEntropy(f(xAdv), batch.y)),
      );
      return readLosses({ loss });
    });
  }
}

/** AT's declaration: the attack budget only (attacks in training mode, as Rice et al.). */
export const AT = declareMethod<AtOptions>({
  name: 'at',
  label: 'AT',
  summary: "Madry et al.'s adversarial training: CE on PGD-CE examples from a uniform start",
  needsMask: false,
  options: budgetOptions(true),
  create: (o) => new AtMethod(o),
  describe: (s, show) => `PGD on the cross-entropy with a random start, ${budgetText(s, show)}`,
});
