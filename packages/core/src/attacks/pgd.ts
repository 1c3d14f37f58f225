import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../types.js';
import type { AttackLossContext } from './attack-loss.js';
import { checkAttackInputs } from './check-inputs.js';
import { commonOptions, defineAttack } from './entry.js';
import { checkFlag, checkInteger, checkNonNegative, type AttackLossKind } from './options.js';
import { NORMS, type Norm } from './projection.js';
import { ascend, IterativeAttack, keepWorst, scoreIterate, startPoint, type FeasibleSet, type IterativeOptions } from './pgd-core.js';

/** Options of {@link PGD}. */
export interface PGDOptions extends IterativeOptions {
  /** Loss to ascend: 'ce' (default), 'cw' (margin with `kappa`) or 'kl' (TRADES). */
  loss?: AttackLossKind;
  /** Independent runs, keeping the worst case per example (default 1). */
  restarts?: number;
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
 * Projected gradient descent (Madry et al. 2018): `steps` steepest-ascent steps of size `alpha`
 * on the chosen loss (L-inf: signed gradient; L2: normalised gradient), each projected onto the
 * eps ball of the norm and [0,1].
 */
export class PGD extends IterativeAttack {
  readonly name: string;
  readonly restarts: number;
  readonly feasible: FeasibleSet;

  constructor(options: PGDOptions) {
    const where = options?.name ?? 'PGD';
    super(where, options, 'ce', NORMS);
    this.restarts = checkInteger(where, 'restarts', options.restarts ?? 1, 1);
    this.feasible = {
      startRadius: options.startRadius === undefined ? undefined : checkNonNegative(where, 'startRadius', options.startRadius),
      clamp: checkFlag(where, 'clamp', options.clamp, true),
      norm: this.norm,
    };
    this.name = options.name ?? PGD.defaultName(this.steps, this.loss, this.restarts, this.norm);
  }

  /** 'PGD-20', 'PGD-10-KL', 'PGD-20-CWx5', 'PGD-20-L2', ... */
  static defaultName(steps: number, loss: AttackLossKind, restarts: number, norm: Norm = 'Linf'): string {
    const lossPart = loss === 'ce' ? '' : `-${loss.toUpperCase()}`;
    return `PGD-${steps}${lossPart}${norm === 'L2' ? '-L2' : ''}${restarts > 1 ? `x${restarts}` : ''}`;
  }

  /**
   * Attacks a batch; see {@link Attack}. The returned tensor is new and owned by the caller.
   * @throws Error when `x` is not float32 NHWC images or `y` not int32 labels `[N]`.
   */
  run(model: Classifier, x: tf.Tensor4D, y: tf.Tensor1D): tf.Tensor4D {
    checkAttackInputs(this.name, x, y);
    const ctx = this.lossContext(model, x, y);
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
      const next = ascend(model, xAdv, x, this.alpha, this.eps, this.loss, ctx, this.feasible.clamp, this.norm);
      xAdv.dispose();
      xAdv = next;
    }
    return xAdv;
  }
}

/**
 * Registry entry: `pgd<N>` on the cross-entropy, `pgd<N>-cw`, `pgd<N>-kl`, with `:key=value`
 * overrides. The spec's evaluation PGD starts at x (no random start); KL starts as TRADES does.
 */
export const pgdEntry = defineAttack<PGDOptions>({
  kind: 'pgd',
  match: /^pgd(\d+)(?:-(ce|cw|kl))?$/,
  names: ['pgd10', 'pgd20', 'pgd100', 'pgd10-kl'],
  patterns: ['pgd<N>[-ce|-cw|-kl]'],
  norms: NORMS,
  options: (req) => {
    const o = req.overrides;
    const steps = (o.steps as number | undefined) ?? Number(req.match[1]);
    const loss = (o.loss as AttackLossKind | undefined) ?? ((req.match[2] as AttackLossKind | undefined) || 'ce');
    const randomStart = (o.randomStart as PGDOptions['randomStart']) ?? loss === 'kl';
    return { ...commonOptions(req), steps, loss, randomStart, norm: req.norm, alpha: req.alphaFor(steps) } as PGDOptions;
  },
  create: (o) => new PGD(o),
});

/**
 * Registry entry: `pgd<N>x<R>`, R restarts of PGD-N on the cross-entropy from random starts,
 * keeping the worst case (the sanity check compares it with pgd<N>: more restarts must not raise
 * accuracy).
 */
export const pgdRestartsEntry = defineAttack<PGDOptions>({
  kind: 'pgd',
  match: /^pgd(\d+)x(\d+)$/,
  names: [],
  patterns: ['pgd<N>x<restarts>'],
  norms: NORMS,
  evalOnly: true,
  options: (req) => {
    const steps = Number(req.match[1]);
    const restarts = Number(req.match[2]);
    const name = PGD.defaultName(steps, 'ce', restarts, req.norm);
    return { ...commonOptions(req), restarts, randomStart: true, name, steps, loss: 'ce', norm: req.norm, alpha: req.alphaFor(steps) };
  },
  create: (o) => new PGD(o),
});
