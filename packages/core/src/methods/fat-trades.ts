import { FriendlyPGD } from '../attacks/friendly-pgd.js';
import type { Batch, StepLosses, TrainMethod, TrainState } from '../types.js';
import { budgetText, declareMethod, resolveOptions } from './declare.js';
import { budgetOf, budgetOptions, type AttackBudget } from './method-options.js';
import { readLosses, withAdversarial } from './step-utils.js';
import { checkTauSchedule, DEFAULT_TAU_SCHEDULE, tauAt, type TauSchedule } from './tau-schedule.js';
import { tradesUpdate } from './trades-loss.js';
import { BETA_OPTION, TRADES_SCRIPTS_CIFAR } from './trades.js';

/** Options of {@link FatTradesMethod}. */
export interface FatTradesOptions extends AttackBudget {
  /** TRADES's KL weight. Default 6. */
  beta?: number;
  /** How tau grows over the run (default FAT's own: 0, 1, 2, 3 from 0, 30/120, 50/120, 70/120 of the run). */
  tau?: TauSchedule;
}

/**
 * FAT for TRADES (Zhang et al. 2020): the TRADES loss on *friendly* adversarial data, from an
 * early-stopped KL attack (start `x + 0.001 N(0,1)`, inference mode, as the FAT code) that stops
 * moving an example tau steps after it is first misclassified, tau growing with the epoch.
 * The default tau schedule is the FAT-for-TRADES script's (tau 1, 2, 3 from epochs 30, 50, 70 of
 * 120), as fractions of the run; `{ max: 3 }` spreads 0..3 evenly instead.
 */
export class FatTradesMethod implements TrainMethod {
  readonly name = 'fat-trades';
  readonly needsMask = false;
  readonly budget: Required<AttackBudget>;
  readonly beta: number;
  readonly tau: TauSchedule;

  constructor(options: FatTradesOptions = {}) {
    const o = resolveOptions('fat-trades', FAT_TRADES.options, options);
    this.budget = budgetOf('fat-trades', o);
    this.beta = o.beta as number;
    this.tau = o.tau as TauSchedule;
  }

  /** One training step on `batch`; returns the loss terms as numbers. See {@link TrainMethod}. */
  step(state: TrainState, batch: Batch): StepLosses {
    const { eps, alpha, steps, attackTraining } = this.budget;
    const tau = tauAt(this.tau, state.epoch, state.epochs);
    const attack = new FriendlyPGD({ eps, alpha, steps, tau, loss: 'kl', randomStart: 'normal', rng: state.rng });
    return withAdversarial(this.name, state, batch, attack, attackTraining, (xAdv) =>
      readLosses({ ...tradesUpdate(this.name, state, batch, xAdv, this.beta), tau }),
    );
  }
}

/** FAT-for-TRADES's declaration. */
export const FAT_TRADES = declareMethod<FatTradesOptions>({
  name: 'fat-trades',
  label: 'FAT (TRADES)',
  summary: 'FAT for TRADES (Zhang et al. 2020): TRADES on friendly adversarial data from an early-stopped attack',
  needsMask: false,
  options: {
    ...budgetOptions(false),
    beta: BETA_OPTION,
    tau: {
      type: 'custom',
      check: (where, v) => checkTauSchedule(where, v as TauSchedule),
      default: DEFAULT_TAU_SCHEDULE,
      setting: false,
      help: "how tau grows over the run (FAT's own: 0, 1, 2, 3 from 0, 30/120, 50/120, 70/120 of the run)",
    },
  },
  recipes: TRADES_SCRIPTS_CIFAR,
  create: (o) => new FatTradesMethod(o),
  describe: (s, show) => `beta ${show(s.beta as number)}; friendly PGD on the KL (FAT's own tau schedule), ${budgetText(s, show)}`,
});
