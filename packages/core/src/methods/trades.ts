import { PGD } from '../attacks/pgd.js';
import { asClassifier } from '../models/adapters.js';
import type { Batch, StepLosses, TrainMethod, TrainState } from '../types.js';
import { BUDGET_KEYS, checkKnownKeys, checkNonNegative, resolveBudget, type AttackBudget } from './method-options.js';
import { checkBatch, readLosses } from './step-utils.js';
import { tradesUpdate } from './trades-loss.js';

/** Options of {@link TradesMethod}. */
export interface TradesOptions extends AttackBudget {
  /** Weight of the KL term (CIFAR 6; MNIST 1 or 6). Default 6. */
  beta?: number;
}

/**
 * TRADES (Zhang et al. 2019): `CE(f(x), y) + beta KL(p(x) || p(x'))`, `x'` from K steps ascending
 * `KL(p(x) || p(x'))` from `x + 0.001 N(0, 1)`. The attack runs in inference mode, as the TRADES
 * code does (`model.eval()`).
 */
export class TradesMethod implements TrainMethod {
  readonly name = 'trades';
  readonly needsMask = false;
  readonly budget: Required<AttackBudget>;
  readonly beta: number;

  constructor(options: TradesOptions = {}) {
    checkKnownKeys('trades', options, [...BUDGET_KEYS, 'beta']);
    this.budget = resolveBudget('trades', options, false);
    this.beta = checkNonNegative('trades', 'beta', options.beta ?? 6);
  }

  /** One training step on `batch`; returns the loss terms as numbers. See {@link TrainMethod}. */
  step(state: TrainState, batch: Batch): StepLosses {
    checkBatch(this.name, batch.x, batch.y);
    const { eps, alpha, steps, attackTraining } = this.budget;
    const attack = new PGD({ eps, alpha, steps, loss: 'kl', randomStart: 'normal', rng: state.rng });
    const xAdv = attack.run(asClassifier(state.f, attackTraining), batch.x, batch.y);
    try {
      return readLosses(tradesUpdate(this.name, state, batch, xAdv, this.beta));
    } finally {
      xAdv.dispose();
    }
  }
}
