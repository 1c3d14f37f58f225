import * as tf from '@tensorflow/tfjs';
import { PGD } from '../attacks/pgd.js';
import { martLoss } from '../losses/mart.js';
import { asClassifier } from '../models/adapters.js';
import type { Batch, StepLosses, TrainMethod, TrainState } from '../types.js';
import { budgetText, declareMethod, resolveOptions } from './declare.js';
import { budgetOf, budgetOptions, type AttackBudget } from './method-options.js';
import { TRADES_SCRIPTS_CIFAR } from './trades.js';
import { readLosses, trainableVariables, updateVariables, withAdversarial } from './step-utils.js';

/** Options of {@link MartMethod}. */
export interface MartOptions extends AttackBudget {
  /** Weight of the misclassification-aware KL term. Default 6. */
  lambda?: number;
}

/**
 * MART (Wang et al. 2020): `BCE(p(x'), y) + lambda KL(p(x) || p(x')) (1 - p_y(x))`, `x'` from
 * PGD-CE. As in the MART code the attack starts at `x + 0.001 N(0, 1)` (not U(-eps, eps)) and
 * runs in inference mode.
 */
export class MartMethod implements TrainMethod {
  readonly name = 'mart';
  readonly needsMask = false;
  readonly budget: Required<AttackBudget>;
  readonly lambda: number;

  constructor(options: MartOptions = {}) {
    const o = resolveOptions('mart', MART.options, options);
    this.budget = budgetOf('mart', o);
    this.lambda = o.lambda as number;
  }

  /** One training step on `batch`; returns the loss terms as numbers. See {@link TrainMethod}. */
  step(state: TrainState, batch: Batch): StepLosses {
    const { eps, alpha, steps, attackTraining } = this.budget;
    const attack = new PGD({ eps, alpha, steps, loss: 'ce', randomStart: 'normal', rng: state.rng });
    return withAdversarial(this.name, state, batch, attack, attackTraining, (xAdv) => {
      const f = asClassifier(state.f, true);
      let bce: tf.Scalar | undefined;
      let kl: tf.Scalar | undefined;
      const loss = updateVariables(state.optF, trainableVariables(state.f, 'mart f'), () => {
        const terms = martLoss(f(batch.x), f(xAdv), batch.y, this.lambda);
        bce = tf.keep(terms.bce);
        kl = tf.keep(terms.kl);
        return terms.loss;
      });
      return readLosses({ loss, bce: bce as tf.Scalar, kl: kl as tf.Scalar });
    });
  }
}

/** MART's declaration; its lambda is the trainer's `beta` setting (MART's own code calls it beta). */
export const MART = declareMethod<MartOptions>({
  name: 'mart',
  label: 'MART',
  summary: 'MART (Wang et al. 2020): BCE on PGD-CE examples + lambda misclassification-weighted KL',
  needsMask: false,
  options: {
    ...budgetOptions(false),
    lambda: { type: 'number', min: 0, default: 6, help: 'MART: weight lambda of the misclassification-aware KL term' },
  },
  settingNames: { lambda: 'beta' },
  recipes: TRADES_SCRIPTS_CIFAR,
  create: (o) => new MartMethod(o),
  describe: (s, show) => `lambda ${show(s.beta as number)}; PGD on the cross-entropy from x + 0.001 N(0,1), ${budgetText(s, show)}`,
});
