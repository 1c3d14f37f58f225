/** The attack budget every method declares, and option checks shared by the methods. */
import { checkAttackLoss, checkEps, checkFlag, checkInteger, checkNonNegative, checkPositive } from '../attacks/options.js';
import type { AttackLossKind } from '../attacks/options.js';
import { resolveOptions, type OptionSpec } from './declare.js';

export { checkAttackLoss, checkEps, checkFlag, checkInteger, checkNonNegative, checkPositive };
export type { AttackLossKind };

/** The inner attack every method runs on each batch. */
export interface AttackBudget {
  /** L-inf budget (CIFAR 8/255, MNIST 0.3). */
  eps?: number;
  /** Attack step (CIFAR 2/255, MNIST eps/20). */
  alpha?: number;
  /** Attack steps K (CIFAR 10, MNIST 20). */
  steps?: number;
  /**
   * Run the attack with the classifier in training mode (BatchNorm on batch statistics). Each
   * method's default follows its reference scripts; it matters only for models with BatchNorm.
   */
  attackTraining?: boolean;
}

/** SPEC.md's attack budget per family (a data set may change it: Fashion-MNIST's eps 0.1). */
export const BUDGET = {
  mnist: { eps: 0.3, alpha: 0.3 / 20, steps: 20 },
  cifar: { eps: 8 / 255, alpha: 2 / 255, steps: 10 },
} as const;

/** The spec's CIFAR budget, every method's default (MNIST runs pass eps 0.3, alpha 0.015, K 20). */
export const CIFAR_BUDGET = BUDGET.cifar;

/**
 * The budget's options, declared once for every method. `attackTraining` is each method's own
 * (its reference scripts'); `accepted` marks a method that takes the budget only for the shared
 * call shape (natural training), so they are not its hyper-parameters.
 */
export function budgetOptions(attackTraining: boolean, accepted = false): { readonly [K in keyof Required<AttackBudget>]: OptionSpec } {
  const hyper = !accepted;
  return {
    eps: { type: 'number', min: 0, max: 1, note: 'images live in [0,1]', default: { mnist: BUDGET.mnist.eps, cifar: BUDGET.cifar.eps }, hyper, help: 'L-inf budget of the training attack, in [0,1]' },
    alpha: { type: 'number', min: 0, exclusiveMin: true, default: { mnist: BUDGET.mnist.alpha, cifar: BUDGET.cifar.alpha }, hyper, help: 'attack step size' },
    steps: { type: 'integer', min: 1, default: { mnist: BUDGET.mnist.steps, cifar: BUDGET.cifar.steps }, hyper, help: 'attack steps K' },
    attackTraining: { type: 'boolean', default: attackTraining, hyper: false, setting: false, help: 'run the attack with the classifier in training mode (BatchNorm on batch statistics)' },
  };
}

/** The budget of resolved options; an adversarial method needs eps > 0. */
export function budgetOf(where: string, o: Record<string, unknown>): Required<AttackBudget> {
  if (o.eps === 0) throw new Error(`${where}: eps must be > 0 for adversarial training, got 0`);
  return { eps: o.eps as number, alpha: o.alpha as number, steps: o.steps as number, attackTraining: o.attackTraining as boolean };
}

/** Resolves and checks the attack budget alone, filling the CIFAR defaults. */
export function resolveBudget(where: string, o: AttackBudget, defaultAttackTraining: boolean): Required<AttackBudget> {
  return budgetOf(where, resolveOptions(where, budgetOptions(defaultAttackTraining), o));
}
