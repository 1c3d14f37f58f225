import { PGD } from '../attacks/pgd.js';
import type { Batch, StepLosses, TrainMethod, TrainState } from '../types.js';
import { budgetText, declareMethod, resolveOptions, type OptionSpec } from './declare.js';
import { budgetOf, budgetOptions, type AttackBudget } from './method-options.js';
import { readLosses, withAdversarial } from './step-utils.js';
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
    const o = resolveOptions('trades', TRADES.options, options);
    this.budget = budgetOf('trades', o);
    this.beta = o.beta as number;
  }

  /** One training step on `batch`; returns the loss terms as numbers. See {@link TrainMethod}. */
  step(state: TrainState, batch: Batch): StepLosses {
    const { eps, alpha, steps, attackTraining } = this.budget;
    const attack = new PGD({ eps, alpha, steps, loss: 'kl', randomStart: 'normal', rng: state.rng });
    return withAdversarial(this.name, state, batch, attack, attackTraining, (xAdv) =>
      readLosses(tradesUpdate(this.name, state, batch, xAdv, this.beta)),
    );
  }
}

/** TRADES's KL weight beta, shared with FAT-TRADES (SPEC.md: 6; 1 is also listed for MNIST). */
export const BETA_OPTION: OptionSpec = { type: 'number', min: 0, default: 6, help: 'TRADES, FAT-TRADES: weight beta of the KL term' };

/**
 * The CIFAR budget of the TRADES, MART and FAT scripts, their default under the `cat` recipe:
 * eps 0.031 and step 0.007 (SPEC.md's shared budget: 8/255 and 2/255).
 */
export const TRADES_SCRIPTS_CIFAR = { cat: { cifar: { eps: 0.031, alpha: 0.007 } } } as const;

/** TRADES's declaration. */
export const TRADES = declareMethod<TradesOptions>({
  name: 'trades',
  label: 'TRADES',
  summary: "TRADES (Zhang et al. 2019): CE(f(x)) + beta KL(p(x) || p(x')), x' from a KL attack",
  needsMask: false,
  options: { ...budgetOptions(false), beta: BETA_OPTION },
  recipes: TRADES_SCRIPTS_CIFAR,
  create: (o) => new TradesMethod(o),
  describe: (s, show) => `beta ${show(s.beta as number)}; attack ascends the KL from x + 0.001 N(0,1), ${budgetText(s, show)}`,
});
