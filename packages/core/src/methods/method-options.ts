/** Option checks shared by the training methods: each bad value gets an error naming it. */
import { checkAttackLoss, checkEps, checkFlag, checkInteger, checkNonNegative, checkPositive } from '../attacks/options.js';
import type { AttackLossKind } from '../attacks/options.js';

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

/** The spec's CIFAR budget, every method's default (MNIST runs pass eps 0.3, alpha 0.015, K 20). */
export const CIFAR_BUDGET = { eps: 8 / 255, alpha: 2 / 255, steps: 10 } as const;

/** Throws on option names the method does not know (a typo must not pass silently). */
export function checkKnownKeys(where: string, options: object, known: readonly string[]): void {
  if (options === null || typeof options !== 'object') throw new Error(`${where}: options must be an object`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`${where}: unknown option '${key}' (known: ${known.join(', ')})`);
  }
}

/** Resolves and checks the attack budget, filling the CIFAR defaults. */
export function resolveBudget(
  where: string,
  o: AttackBudget,
  defaultAttackTraining: boolean,
): Required<AttackBudget> {
  const eps = checkEps(where, o.eps ?? CIFAR_BUDGET.eps);
  if (eps === 0) throw new Error(`${where}: eps must be > 0 for adversarial training, got 0`);
  const attackTraining = o.attackTraining ?? defaultAttackTraining;
  if (typeof attackTraining !== 'boolean') throw new Error(`${where}: attackTraining must be true or false`);
  return {
    eps,
    alpha: checkPositive(where, 'alpha', o.alpha ?? CIFAR_BUDGET.alpha),
    steps: checkInteger(where, 'steps', o.steps ?? CIFAR_BUDGET.steps, 1),
    attackTraining,
  };
}


export const BUDGET_KEYS = ['eps', 'alpha', 'steps', 'attackTraining'] as const;
