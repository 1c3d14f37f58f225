import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../types.js';
import { checkAttackInputs } from './check-inputs.js';
import { commonOptions, defineAttack } from './entry.js';
import { checkInteger, type AttackLossKind } from './options.js';
import { IterativeAttack, lossGradient, startPoint, type IterativeOptions } from './pgd-core.js';
import { stepInBall } from './projection.js';

/** Options of {@link FriendlyPGD}. */
export interface FriendlyPGDOptions extends IterativeOptions {
  /** Largest number of steps (K). */
  steps: number;
  /** Extra steps an example keeps moving after it is first misclassified (>= 0). */
  tau: number;
  /** Loss to ascend: 'kl' (default, FAT for TRADES), 'ce' (FAT for AT) or 'cw'. */
  loss?: AttackLossKind;
  /** Default true: `x + 0.001 * N(0,1)` for 'kl' as the FAT scripts, U(-eps, eps) otherwise. */
  randomStart?: IterativeOptions['randomStart'];
}

/**
 * The early-stopped "friendly" PGD of FAT (Zhang et al. 2020): each example moves until it has
 * been misclassified at the start of `tau + 1` steps, then stays where it is, so training sees
 * adversarial data that just crosses the decision boundary. Per-example masks replace the
 * reference code's shrinking index lists; the order of the batch is kept.
 */
export class FriendlyPGD extends IterativeAttack {
  readonly name: string;
  readonly tau: number;

  constructor(options: FriendlyPGDOptions) {
    const where = options?.name ?? 'FriendlyPGD';
    super(where, options, 'kl');
    this.tau = checkInteger(where, 'tau', options.tau, 0);
    this.name = options.name ?? `FriendlyPGD-${this.steps}-tau${this.tau}`;
  }

  /**
   * Attacks a batch; see {@link Attack}. The returned tensor is new and owned by the caller.
   * @throws Error when `x` is not float32 NHWC images or `y` not int32 labels `[N]`.
   */
  run(model: Classifier, x: tf.Tensor4D, y: tf.Tensor1D): tf.Tensor4D {
    checkAttackInputs(this.name, x, y);
    const ctx = this.lossContext(model, x, y);
    let xAdv = startPoint(x, this.eps, this.randomStart, this.rng);
    let active: tf.Tensor1D = tf.ones([x.shape[0]], 'bool');
    let budget: tf.Tensor1D = tf.fill([x.shape[0]], this.tau);
    try {
      for (let i = 0; i < this.steps; i++) {
        const next = tf.tidy(() => {
          const { grad, logits } = lossGradient(model, xAdv, this.loss, ctx);
          const wrong = tf.notEqual(tf.argMax(logits, 1), y);
          logits.dispose();
          const spent = tf.lessEqual(budget, 0);
          // A misclassified example with no budget left stops for good; one with budget left
          // spends one unit and keeps moving (the reference code's `control` counter).
          const stillActive = tf.logicalAnd(active, tf.logicalNot(tf.logicalAnd(wrong, spent)));
          const charge = tf.logicalAnd(stillActive, wrong);
          const newBudget = tf.where(charge, tf.sub(budget, 1), budget) as tf.Tensor1D;
          const stepped = stepInBall(xAdv, grad, x, this.alpha, this.eps);
          const mask4 = tf.broadcastTo(tf.reshape(stillActive, [-1, 1, 1, 1]), x.shape);
          return { x: tf.where(mask4, stepped, xAdv) as tf.Tensor4D, active: stillActive as tf.Tensor1D, budget: newBudget };
        });
        tf.dispose([xAdv, active, budget]);
        xAdv = next.x;
        active = next.active;
        budget = next.budget;
      }
      return xAdv;
    } finally {
      tf.dispose([active, budget]);
      ctx.cleanLogits?.dispose();
    }
  }
}

/** Registry entry: `friendly-pgd<N>` (tau 0 unless overridden), with `:key=value` overrides. */
export const friendlyPgdEntry = defineAttack<FriendlyPGDOptions>({
  kind: 'friendly-pgd',
  match: /^friendly-pgd(\d+)$/,
  names: ['friendly-pgd10'],
  patterns: ['friendly-pgd<N>'],
  options: (req) => {
    const steps = (req.overrides.steps as number | undefined) ?? Number(req.match[1]);
    return { tau: 0, ...commonOptions(req), steps, alpha: req.alphaFor(steps) } as FriendlyPGDOptions;
  },
  create: (o) => new FriendlyPGD(o),
});
