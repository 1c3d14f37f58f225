/**
 * The threat model's geometry: for each norm, the projection onto the eps ball around the clean
 * input (intersected with the [0,1] image box) and the steepest-ascent step of that norm followed
 * by the projection. Every attack moves and projects through these. L-inf is the only norm today;
 * another (L2: `grad / ||grad||_2` steps, radial projection) is one more entry of `BALLS`.
 */
import * as tf from '@tensorflow/tfjs';
import { signStepProject } from '../ops/index.js';

/** The norms of the threat model. */
export const NORMS = ['Linf'] as const;
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
}

/** The L-inf ball without the box: `min(max(v, x - eps), x + eps)`. */
function linfBall(v: tf.Tensor4D, x: tf.Tensor4D, eps: number): tf.Tensor4D {
  return tf.tidy(() => tf.minimum(tf.maximum(v, tf.sub(x, eps)), tf.add(x, eps)) as tf.Tensor4D);
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

/** `min(max(v, 0), 1)` for one pixel value (attacks that work on plain arrays). */
export function clip01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
