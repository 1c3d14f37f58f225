/**
 * The pieces every iterative L-inf attack shares: the start point, one signed-gradient step
 * through the fused `signStepProject`, and the per-example worst-case bookkeeping of restarts.
 */
import * as tf from '@tensorflow/tfjs';
import { signStepProject } from '../ops/index.js';
import type { Classifier } from '../types.js';
import type { Rng } from '../util/rng.js';
import { attackLossPerExample, misclassified, type AttackLossContext } from './attack-loss.js';
import type { AttackLossKind, RandomStartKind } from './options.js';

/** The standard deviation of the TRADES/MART/FAT start `x + 0.001 * N(0, 1)`. */
export const NORMAL_START_STD = 0.001;

/** Projects `xAdv` onto the eps ball around `x` and onto [0,1] (a zero-size fused step). */
export function project(xAdv: tf.Tensor4D, x: tf.Tensor4D, eps: number): tf.Tensor4D {
  return tf.tidy(() => signStepProject(xAdv, tf.zerosLike(xAdv), x, 0, eps));
}

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
}

/** Projects onto the eps ball around `x` only (no [0,1] clamp). */
function projectBall(xAdv: tf.Tensor4D, x: tf.Tensor4D, eps: number): tf.Tensor4D {
  return tf.tidy(() => tf.minimum(tf.maximum(xAdv, tf.sub(x, eps)), tf.add(x, eps)) as tf.Tensor4D);
}

/** The first iterate: `x` itself, or `x` plus seeded noise, projected onto the feasible set. */
export function startPoint(x: tf.Tensor4D, eps: number, kind: RandomStartKind, rng: Rng, set: FeasibleSet = {}): tf.Tensor4D {
  if (kind === 'none') return tf.clone(x);
  const radius = set.startRadius ?? eps;
  return tf.tidy(() => {
    const noise =
      kind === 'uniform'
        ? tf.randomUniform(x.shape, -radius, radius, 'float32', rng.seed())
        : tf.randomNormal(x.shape, 0, NORMAL_START_STD, 'float32', rng.seed());
    const start = tf.add(x, noise) as tf.Tensor4D;
    return set.clamp === false ? projectBall(start, x, eps) : project(start, x, eps);
  });
}

/** The input gradient of the summed attack loss, and the logits of the same forward pass. */
export function lossGradient(
  model: Classifier,
  xAdv: tf.Tensor4D,
  loss: AttackLossKind,
  ctx: AttackLossContext,
): { grad: tf.Tensor4D; logits: tf.Tensor2D } {
  let logits: tf.Tensor2D | undefined;
  const grad = tf.grad((xa: tf.Tensor) => {
    const z = model(xa as tf.Tensor4D);
    // Kept past the gradient's scope so early stopping reads the predictions of this very pass.
    logits = tf.keep(z);
    return tf.sum(attackLossPerExample(loss, z, ctx));
  })(xAdv) as tf.Tensor4D;
  if (logits === undefined) throw new Error('attack: the classifier produced no logits');
  return { grad, logits };
}

/** One ascent step: `signStepProject(xAdv, grad, x, alpha, eps)`; the old iterate is kept. */
export function ascend(
  model: Classifier,
  xAdv: tf.Tensor4D,
  x: tf.Tensor4D,
  alpha: number,
  eps: number,
  loss: AttackLossKind,
  ctx: AttackLossContext,
  clamp = true,
): tf.Tensor4D {
  return tf.tidy(() => {
    const { grad, logits } = lossGradient(model, xAdv, loss, ctx);
    logits.dispose();
    if (!clamp) return projectBall(tf.add(xAdv, tf.mul(tf.sign(grad), alpha)) as tf.Tensor4D, x, eps);
    return signStepProject(xAdv, grad, x, alpha, eps);
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
