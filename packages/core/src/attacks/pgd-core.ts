/**
 * The pieces the PGD family (PGD, CW-inf, friendly PGD, FGSM) shares on top of the common
 * helpers (gradient.ts, projection.ts): the start point, one ascent step on a named attack loss,
 * and the per-example worst-case bookkeeping of restarts.
 */
import * as tf from '@tensorflow/tfjs';
import type { Attack, Classifier } from '../types.js';
import type { Rng } from '../util/rng.js';
import { attackLossPerExample, misclassified, type AttackLossContext } from './attack-loss.js';
import { inputGradient } from './gradient.js';
import {
  checkAttackLoss,
  checkEps,
  checkInteger,
  checkNonNegative,
  checkNorm,
  checkPositive,
  resolveRandomStart,
  resolveRng,
  type AttackLossKind,
  type RandomStartKind,
} from './options.js';
import { projectToBall, randomInBall, stepInBall, type Norm } from './projection.js';

/** The options every iterative attack of the PGD family takes. */
export interface IterativeOptions {
  /** Budget in [0,1] pixel units, in the norm's measure (an L2 radius may pass 1). */
  eps: number;
  /**
   * Threat model (default 'Linf'): 'L2' steps along `g / ||g||_2`, projects radially onto the L2
   * ball and starts uniformly in it. An attack without the norm refuses it.
   */
  norm?: Norm;
  /** Step size of each signed-gradient step. */
  alpha: number;
  /** Number of steps (>= 1). */
  steps: number;
  /** Loss to ascend: 'ce', 'cw' (margin with `kappa`) or 'kl' (TRADES). */
  loss?: AttackLossKind;
  /** CW confidence margin (default 50, the spec's CW-inf setting). */
  kappa?: number;
  /**
   * Random start: true (default) for U(-eps, eps), or N(0, 0.001^2) noise with loss 'kl' as
   * TRADES does; false or 'none' to start at x; or name the kind.
   */
  randomStart?: boolean | RandomStartKind;
  /** Random stream for the starts (its state advances); else a fresh `Rng(seed)`. */
  rng?: Rng;
  /** Seed of the fresh stream when no `rng` is given (default 0). */
  seed?: number;
  /** Display name. */
  name?: string;
}

/** The checked settings of an iterative attack of the PGD family (PGD, CW-inf, friendly PGD). */
export abstract class IterativeAttack implements Attack {
  abstract readonly name: string;
  readonly eps: number;
  readonly alpha: number;
  readonly steps: number;
  readonly loss: AttackLossKind;
  readonly kappa: number;
  readonly randomStart: RandomStartKind;
  readonly norm: Norm;
  protected readonly rng: Rng;

  /** `norms`: the threat models the attack supports (default L-inf alone); any other is refused. */
  protected constructor(where: string, options: IterativeOptions, defaultLoss: AttackLossKind, norms: readonly Norm[] = ['Linf']) {
    if (options === null || typeof options !== 'object') throw new Error(`${where}: options object required`);
    this.norm = checkNorm(where, options.norm ?? 'Linf');
    if (!norms.includes(this.norm)) throw new Error(`${where}: no ${this.norm} threat model (supported: ${norms.join(', ')})`);
    this.eps = checkEps(where, options.eps, this.norm);
    this.alpha = checkPositive(where, 'alpha', options.alpha);
    this.steps = checkInteger(where, 'steps', options.steps, 1);
    this.loss = checkAttackLoss(where, options.loss ?? defaultLoss);
    this.kappa = checkNonNegative(where, 'kappa', options.kappa ?? 50);
    this.randomStart = resolveRandomStart(where, options.randomStart, this.loss, true);
    this.rng = resolveRng(options.rng, options.seed);
  }

  abstract run(model: Classifier, x: tf.Tensor4D, y: tf.Tensor1D): tf.Tensor4D;

  /** The loss context of a batch; with loss 'kl' it holds the clean logits (the caller disposes them). */
  protected lossContext(model: Classifier, x: tf.Tensor4D, y: tf.Tensor1D): AttackLossContext {
    const ctx: AttackLossContext = { labels: y, kappa: this.kappa };
    if (this.loss === 'kl') ctx.cleanLogits = tf.tidy(() => model(x));
    return ctx;
  }
}

/** The standard deviation of the TRADES/MART/FAT start `x + 0.001 * N(0, 1)`. */
export const NORMAL_START_STD = 0.001;

/**
 * How the iterates are kept feasible. The defaults are SPEC.md's: uniform starts fill the eps
 * ball and every iterate is clamped to [0,1]. The CAT authors' MNIST script differs in both
 * (its starts are U(-0.1, 0.1) whatever eps is, and it never clamps `x + delta`); `--recipe
 * authors` reproduces that, nothing else uses it.
 */
export interface FeasibleSet {
  /** Radius of the uniform random start (default: eps). */
  startRadius?: number;
  /** Clamp iterates to [0,1] (default true). */
  clamp?: boolean;
  /** The ball's norm (default 'Linf'): L2 starts uniformly in the L2 ball and steps along g / ||g||_2. */
  norm?: Norm;
}

/** The first iterate: `x` itself, or `x` plus seeded noise, projected onto the feasible set. */
export function startPoint(x: tf.Tensor4D, eps: number, kind: RandomStartKind, rng: Rng, set: FeasibleSet = {}): tf.Tensor4D {
  if (kind === 'none') return tf.clone(x);
  const radius = set.startRadius ?? eps;
  return tf.tidy(() => {
    const noise =
      kind === 'uniform'
        ? randomInBall(x.shape, radius, rng, set.norm)
        : tf.randomNormal(x.shape, 0, NORMAL_START_STD, 'float32', rng.seed());
    return projectToBall(tf.add(x, noise) as tf.Tensor4D, x, eps, { clamp: set.clamp, norm: set.norm });
  });
}

/** The input gradient of the summed attack loss, and the logits of the same forward pass. */
export function lossGradient(
  model: Classifier,
  xAdv: tf.Tensor4D,
  loss: AttackLossKind,
  ctx: AttackLossContext,
): { grad: tf.Tensor4D; logits: tf.Tensor2D } {
  const g = inputGradient(model, xAdv, (z) => attackLossPerExample(loss, z, ctx));
  g.loss.dispose();
  return { grad: g.grad, logits: g.logits };
}

/** One ascent step: {@link stepInBall} along the loss gradient; the old iterate is kept. */
export function ascend(
  model: Classifier,
  xAdv: tf.Tensor4D,
  x: tf.Tensor4D,
  alpha: number,
  eps: number,
  loss: AttackLossKind,
  ctx: AttackLossContext,
  clamp = true,
  norm: Norm = 'Linf',
): tf.Tensor4D {
  return tf.tidy(() => {
    const { grad, logits } = lossGradient(model, xAdv, loss, ctx);
    logits.dispose();
    return stepInBall(xAdv, grad, x, alpha, eps, { clamp, norm });
  });
}

/** Per-example score of a finished iterate: misclassified first, then the attack loss. */
export interface AttackScore {
  wrong: tf.Tensor1D;
  loss: tf.Tensor1D;
}

export function scoreIterate(
  model: Classifier,
  xAdv: tf.Tensor4D,
  loss: AttackLossKind,
  ctx: AttackLossContext,
): AttackScore {
  return tf.tidy(() => {
    const logits = model(xAdv);
    return { wrong: misclassified(logits, ctx.labels), loss: attackLossPerExample(loss, logits, ctx) };
  });
}

/**
 * Keeps, per example, the worse of two iterates for the model: a misclassified one over a
 * correct one, else the one with the higher loss. Disposes the inputs, returns the merged ones.
 */
export function keepWorst(
  best: { x: tf.Tensor4D; score: AttackScore },
  next: { x: tf.Tensor4D; score: AttackScore },
): { x: tf.Tensor4D; score: AttackScore } {
  const merged = tf.tidy(() => {
    const wrongBetter = tf.greater(next.score.wrong, best.score.wrong);
    const sameWrong = tf.equal(next.score.wrong, best.score.wrong);
    const takeNext = tf.logicalOr(wrongBetter, tf.logicalAnd(sameWrong, tf.greater(next.score.loss, best.score.loss)));
    const mask4 = tf.reshape(takeNext, [-1, 1, 1, 1]);
    return {
      x: tf.where(tf.broadcastTo(mask4, best.x.shape), next.x, best.x) as tf.Tensor4D,
      score: {
        wrong: tf.where(takeNext, next.score.wrong, best.score.wrong) as tf.Tensor1D,
        loss: tf.where(takeNext, next.score.loss, best.score.loss) as tf.Tensor1D,
      },
    };
  });
  tf.dispose([best.x, best.score.wrong, best.score.loss, next.x, next.score.wrong, next.score.loss]);
  return merged;
}
