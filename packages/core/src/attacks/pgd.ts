import * as tf from '@tensorflow/tfjs';
import type { Attack, Classifier } from '../types.js';
import type { Rng } from '../util/rng.js';
import type { AttackLossContext } from './attack-loss.js';
import { checkAttackInputs } from './check-inputs.js';
import {
  checkAttackLoss,
  checkEps,
  checkFlag,
  checkInteger,
  checkNonNegative,
  checkPositive,
  resolveRandomStart,
  resolveRng,
  type AttackLossKind,
  type RandomStartKind,
} from './options.js';
import { ascend, keepWorst, scoreIterate, startPoint, type FeasibleSet } from './pgd-core.js';

/** Options of {@link PGD}. */
export interface PGDOptions {
  /** L-inf budget in [0,1] pixel units. */
  eps: number;
  /** Step size of each signed-gradient step. */
  alpha: number;
  /** Number of steps (>= 1). */
  steps: number;
  /** Loss to ascend: 'ce' (default), 'cw' (margin with `kappa`) or 'kl' (TRADES). */
  loss?: AttackLossKind;
  /** CW confidence margin (default 50, the spec's CW-inf setting). */
  kappa?: number;
  /**
   * Random start: true (default) for U(-eps, eps), or N(0, 0.001^2) noise with loss 'kl' as
   * TRADES does; false or 'none' to start at x; or name the kind.
   */
  randomStart?: boolean | RandomStartKind;
  /** Independent runs, keeping the worst case per example (default 1). */
  restarts?: number;
  /** Random stream for the starts (its state advances); else a fresh `Rng(seed)`. */
  rng?: Rng;
  /** Seed of the fresh stream when no `rng` is given (default 0). */
  seed?: number;
  /** Display name (default e.g. 'PGD-20', 'PGD-10-KL'). */
  name?: string;
  /**
   * Radius of the uniform random start (default eps). The CAT authors' MNIST script starts in
   * U(-0.1, 0.1) whatever eps is (`--recipe authors`).
   */
  startRadius?: number;
  /**
   * Clamp iterates to [0,1] (default true). False only reproduces the CAT authors' MNIST script,
   * which never clamps `x + delta`; the result then breaks {@link Attack}'s [0,1] promise.
   */
  clamp?: boolean;
}

/**
 * Projected gradient descent in L-inf (Madry et al. 2018): `steps` signed-gradient ascent steps
 * of size `alpha` on the chosen loss, each projected onto the eps ball and [0,1].
 */
export class PGD implements Attack {
  readonly name: string;
  readonly eps: number;
  readonly alpha: number;
  readonly steps: number;
  readonly loss: AttackLossKind;
  readonly kappa: number;
  readonly randomStart: RandomStartKind;
  readonly restarts: number;
  readonly feasible: FeasibleSet;
  protected readonly rng: Rng;

  constructor(options: PGDOptions) {
    const where = options?.name ?? 'PGD';
    if (options === null || typeof options !== 'object') throw new Error(`${where}: options object required`);
    this.eps = checkEps(where, options.eps);
    this.alpha = checkPositive(where, 'alpha', options.alpha);
    this.steps = checkInteger(where, 'steps', options.steps, 1);
    this.loss = checkAttackLoss(where, options.loss ?? 'ce');
    this.kappa = checkNonNegative(where, 'kappa', options.kappa ?? 50);
    this.randomStart = resolveRandomStart(where, options.randomStart, this.loss, true);
    this.restarts = checkInteger(where, 'restarts', options.restarts ?? 1, 1);
    this.rng = resolveRng(options.rng, options.seed);
    this.feasible = {
      startRadius: options.startRadius === undefined ? undefined : checkNonNegative(where, 'startRadius', options.startRadius),
      clamp: checkFlag(where, 'clamp', options.clamp, true),
    };
    this.name = options.name ?? PGD.defaultName(this.steps, this.loss, this.restarts);
  }

  /** 'PGD-20', 'PGD-10-KL', 'PGD-20-CWx5', ... */
  static defaultName(steps: number, loss: AttackLossKind, restarts: number): string {
    const lossPart = loss === 'ce' ? '' : `-${loss.toUpperCase()}`;
    return `PGD-${steps}${lossPart}${restarts > 1 ? `x${restarts}` : ''}`;
  }

  /**
   * Attacks a batch; see {@link Attack}. The returned tensor is new and owned by the caller.
   * @throws Error when `x` is not float32 NHWC images or `y` not int32 labels `[N]`.
   */
  run(model: Classifier, x: tf.Tensor4D, y: tf.Tensor1D): tf.Tensor4D {
    checkAttackInputs(this.name, x, y);
    const ctx: AttackLossContext = { labels: y, kappa: this.kappa };
    if (this.loss === 'kl') ctx.cleanLogits = tf.tidy(() => model(x));
    try {
      if (this.restarts === 1) return this.once(model, x, ctx);
      const first = this.once(model, x, ctx);
      let best = { x: first, score: scoreIterate(model, first, this.loss, ctx) };
      for (let r = 1; r < this.restarts; r++) {
        const xr = this.once(model, x, ctx);
        best = keepWorst(best, { x: xr, score: scoreIterate(model, xr, this.loss, ctx) });
      }
      tf.dispose([best.score.wrong, best.score.loss]);
      return best.x;
    } finally {
      ctx.cleanLogits?.dispose();
    }
  }

  /** One run from a fresh start. */
  protected once(model: Classifier, x: tf.Tensor4D, ctx: AttackLossContext): tf.Tensor4D {
    let xAdv = startPoint(x, this.eps, this.randomStart, this.rng, this.feasible);
    for (let i = 0; i < this.steps; i++) {
      const next = ascend(model, xAdv, x, this.alpha, this.eps, this.loss, ctx, this.feasible.clamp);
      xAdv.dispose();
      xAdv = next;
    }
    return xAdv;
  }
}
