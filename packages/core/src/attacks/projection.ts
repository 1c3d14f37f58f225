/**
 * The threat model's geometry: for each norm, the projection onto the eps ball around the clean
 * input (intersected with the [0,1] image box) and the steepest-ascent step of that norm followed
 * by the projection. Every attack moves and projects through these: L-inf (signed steps, the
 * per-pixel clip) and L2 (`grad / ||grad||_2` steps, the radial projection `x + delta *
 * min(1, eps / ||delta||_2)` per example), each followed by the [0,1] clamp. The clamp keeps an
 * L2 point in its ball: with x in [0,1], clamping moves each pixel toward x, so no |delta_i| grows.
 */
import * as tf from '@tensorflow/tfjs';
import { signStepProject } from '../ops/index.js';
import type { Rng } from '../util/rng.js';

/** The norms of the threat model. */
export const NORMS = ['Linf', 'L2'] as const;
export type Norm = (typeof NORMS)[number];

/** Where the iterates may go: the eps ball of a norm, with or without the [0,1] box. */
export interface BallOptions {
  /** Default 'Linf'. */
  norm?: Norm;
  /**
   * Also clamp to [0,1] (default true). False only reproduces the CAT authors' MNIST script,
   * which never clamps `x + delta`.
   */
  clamp?: boolean;
}

interface Ball {
  project(xAdv: tf.Tensor4D, x: tf.Tensor4D, eps: number, clamp: boolean): tf.Tensor4D;
  step(xAdv: tf.Tensor4D, grad: tf.Tensor4D, x: tf.Tensor4D, alpha: number, eps: number, clamp: boolean): tf.Tensor4D;
  /** A uniform random point of the ball of `radius` around the origin, per example. */
  random(shape: Shape4, radius: number, rng: Rng): tf.Tensor4D;
}

type Shape4 = [number, number, number, number];

/** The L-inf ball without the box: `min(max(v, x - eps), x + eps)`. */
function linfBall(v: tf.Tensor4D, x: tf.Tensor4D, eps: number): tf.Tensor4D {
  return tf.tidy(() => tf.minimum(tf.maximum(v, tf.sub(x, eps)), tf.add(x, eps)) as tf.Tensor4D);
}

/** Guards the division by a zero L2 norm (a zero gradient or delta), as the reference's 1e-12. */
const L2_TINY = 1e-12;

/** The per-example L2 norm of a batch, shaped `[N, 1, 1, 1]` to broadcast against it. */
export function l2NormPerExample(v: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.sqrt(tf.sum(tf.square(v), [1, 2, 3], true)) as tf.Tensor4D);
}

/** The L2 ball without the box: `x + delta * min(1, eps / ||delta||_2)` per example. */
function l2Ball(v: tf.Tensor4D, x: tf.Tensor4D, eps: number): tf.Tensor4D {
  return tf.tidy(() => {
    const delta = tf.sub(v, x) as tf.Tensor4D;
    const scale = tf.minimum(1, tf.div(eps, tf.maximum(l2NormPerExample(delta), L2_TINY)));
    return tf.add(x, tf.mul(delta, scale)) as tf.Tensor4D;
  });
}

function l2Project(v: tf.Tensor4D, x: tf.Tensor4D, eps: number, clamp: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    const inBall = l2Ball(v, x, eps);
    return clamp ? (tf.clipByValue(inBall, 0, 1) as tf.Tensor4D) : inBall;
  });
}

const BALLS: Readonly<Record<Norm, Ball>> = {
  Linf: {
    // With the box: the fused `signStepProject` (a zero-size step for the projection alone).
    project: (xAdv, x, eps, clamp) =>
      clamp ? tf.tidy(() => signStepProject(xAdv, tf.zerosLike(xAdv), x, 0, eps)) : linfBall(xAdv, x, eps),
    step: (xAdv, grad, x, alpha, eps, clamp) =>
      clamp
        ? signStepProject(xAdv, grad, x, alpha, eps)
        : tf.tidy(() => linfBall(tf.add(xAdv, tf.mul(tf.sign(grad), alpha)) as tf.Tensor4D, x, eps)),
    random: (shape, radius, rng) => tf.randomUniform(shape, -radius, radius, 'float32', rng.seed()),
  },
  L2: {
    project: l2Project,
    step: (xAdv, grad, x, alpha, eps, clamp) =>
      tf.tidy(() => {
        const unit = tf.div(grad, tf.maximum(l2NormPerExample(grad), L2_TINY));
        return l2Project(tf.add(xAdv, tf.mul(unit, alpha)) as tf.Tensor4D, x, eps, clamp);
      }),
    // A normalised normal direction times radius * u^(1/d), u ~ U(0,1), d the values per example.
    random: (shape, radius, rng) =>
      tf.tidy(() => {
        const dir = tf.randomNormal(shape, 0, 1, 'float32', rng.seed()) as tf.Tensor4D;
        const u = tf.randomUniform([shape[0], 1, 1, 1], 0, 1, 'float32', rng.seed());
        const r = tf.mul(tf.pow(u, 1 / (shape[1] * shape[2] * shape[3])), radius);
        return tf.mul(tf.div(dir, tf.maximum(l2NormPerExample(dir), L2_TINY)), r) as tf.Tensor4D;
      }),
  },
};

function ball(norm: Norm = 'Linf'): Ball {
  if (!Object.hasOwn(BALLS, norm)) throw new Error(`attack: unknown norm '${String(norm)}' (known: ${NORMS.join(', ')})`);
  return BALLS[norm];
}

/** The point of the eps ball around `x` (and of [0,1]) nearest to `xAdv`; a new tensor. */
export function projectToBall(xAdv: tf.Tensor4D, x: tf.Tensor4D, eps: number, options: BallOptions = {}): tf.Tensor4D {
  return ball(options.norm).project(xAdv, x, eps, options.clamp ?? true);
}

/**
 * One steepest-ascent step of size `alpha` along `grad` in the norm (L-inf: `alpha * sign(grad)`),
 * projected onto the eps ball around `x` (and [0,1]); a new tensor, the inputs are kept.
 */
export function stepInBall(
  xAdv: tf.Tensor4D,
  grad: tf.Tensor4D,
  x: tf.Tensor4D,
  alpha: number,
  eps: number,
  options: BallOptions = {},
): tf.Tensor4D {
  return ball(options.norm).step(xAdv, grad, x, alpha, eps, options.clamp ?? true);
}

/**
 * A uniform random point of the norm's ball of `radius` around the origin, one per example, shaped
 * like `shape` (the random start): L-inf U(-radius, radius) per value; L2 a uniform direction
 * (normalised normal noise) times `radius * u^(1/d)`, u ~ U(0,1), d the values per example.
 */
export function randomInBall(shape: readonly number[], radius: number, rng: Rng, norm: Norm = 'Linf'): tf.Tensor4D {
  return ball(norm).random(shape as Shape4, radius, rng);
}

/** `min(max(v, 0), 1)` for one pixel value (attacks that work on plain arrays). */
export function clip01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
