import * as tf from '@tensorflow/tfjs';
import { PGD } from '../attacks/pgd.js';
import { crossEntropy } from '../losses/cross-entropy.js';
import { klDivBatchMean } from '../losses/kl-div.js';
import { weightedCrossEntropy } from '../losses/weighted-cross-entropy.js';
import { asClassifier, asMaskNet } from '../models/adapters.js';
import { calibrate } from '../ops/index.js';
import { maskStats, type MaskStats } from './mask-stats.js';
import type { Batch, StepLosses, TrainMethod, TrainState } from '../types.js';
import { budgetText, declareMethod, resolveOptions, type OptionSpec } from './declare.js';
import { budgetOf, budgetOptions, type AttackBudget, type AttackLossKind } from './method-options.js';
import { checkBatch, readLosses, trainableVariables, updateVariables } from './step-utils.js';

/** The ablations of the paper's section 5.2.3. */
export type CatAblation = 'none' | 'A1' | 'A2';

/** Options of {@link CatMethod}; defaults are the spec's CIFAR-10 values. */
export interface CatOptions extends AttackBudget {
  /** Loss of the step-1 attack: 'ce' (CAT-cent, default), 'cw' (CAT-cw) or 'kl' (TRADES's). */
  attackLoss?: AttackLossKind;
  /** CW confidence for attackLoss 'cw' (CIFAR 50, MNIST 150). Default 50. */
  kappa?: number;
  /** Weight of KL(p(x) || p(x_c)) in L_f (CIFAR 5, MNIST 1). Default 5. */
  a?: number;
  /** Weight of the CE of the calibrated example in L_g (CIFAR 0.05, MNIST 0.3). Default 0.05. */
  b?: number;
  /** 'A2': no mask (m = 1); 'A1': no mask and plain CE instead of the weighted one. Default 'none'. */
  ablation?: CatAblation;
  /** Treat the weight (1 - p_y(x)) of step 3 as a constant. Default false (the authors' scripts). */
  detachWeight?: boolean;
  /** Treat the KL target p(x) of step 3 as a constant. Default false (the authors' scripts). */
  detachTarget?: boolean;
  /**
   * Not in SPEC.md (default 0, the spec): {@link CatMethod.step} leaves g unchanged (skips step 4)
   * while `state.epoch < maskWarmupEpochs`, so the mask keeps its initial ~0.5 until f has learnt
   * enough for the KL term of L_g to matter. Without it, training from scratch drives the mask to
   * 0 for good in the first ~20 steps at b >= 0.05 (see {@link CatMethod}).
   */
  maskWarmupEpochs?: number;
  /**
   * Radius of the attack's uniform random start (default eps, SPEC.md). The authors' MNIST
   * script starts in U(-0.1, 0.1) whatever eps is.
   */
  startRadius?: number;
  /**
   * Clamp `x + delta` and the calibrated example to [0,1] (default true, SPEC.md). False
   * reproduces the authors' MNIST script, which clamps neither.
   */
  clamp?: boolean;
}

/** CAT's options, declared once: checks, defaults, the trainer's settings and the CLI flags come from here. */
const CAT_OPTIONS: { readonly [K in keyof Required<CatOptions>]: OptionSpec } = {
  ...budgetOptions(true),
  attackLoss: { type: 'choice', choices: { ce: 'CAT-cent', cw: 'CAT-cw', kl: "TRADES's KL" }, default: 'ce', hyper: false, setting: false, help: 'loss of the step-1 attack' },
  a: { type: 'number', min: 0, default: { mnist: 1, cifar: 5 }, help: 'CAT: weight of KL(p(x) || p(x_c))' },
  b: { type: 'number', min: 0, default: { mnist: 0.3, cifar: 0.05 }, help: "CAT: weight of the mask's CE" },
  kappa: { type: 'number', min: 0, default: { mnist: 150, cifar: 50 }, help: 'CW margin for cat-cw' },
  ablation: {
    type: 'choice',
    choices: { none: 'the full method', A1: 'no mask, plain CE', A2: 'no mask' },
    default: 'none',
    hyper: false,
    help: 'CAT ablation: A2 drops the mask, A1 also the weighted CE',
  },
  detachWeight: { type: 'boolean', default: false, hyper: false, help: 'CAT: treat the weight (1 - p_y(x)) as a constant' },
  detachTarget: { type: 'boolean', default: false, hyper: false, help: 'CAT: treat the KL target p(x) as a constant' },
  maskWarmupEpochs: { type: 'integer', min: 0, default: 0, hyper: false, help: 'CAT, not in the paper: hold the mask net still for the first n epochs' },
  startRadius: { type: 'number', min: 0, default: null, hyper: false, help: "CAT: radius of the attack's uniform random start (none: eps)" },
  clamp: { type: 'boolean', default: true, hyper: false, help: 'CAT: clamp x + delta and the calibrated example to [0,1]' },
};
const NAME_BY_LOSS: Record<AttackLossKind, string> = { ce: 'cat-cent', cw: 'cat-cw', kl: 'cat-kl' };

/**
 * Calibrated Adversarial Training (Huang et al. 2021), the four steps of SPEC.md:
 * 1. `x_adv = PGD_K(f, x, y)` (CE or CW), a constant;
 * 2. `m = g(x_adv)`, `x_c = clip(x + m * (x_adv - x), 0, 1)`;
 * 3. step f only on `L_f = mean CE(f(x), y) (1 - p_y(x) + 1e-7) + a KL(p(x) || p(x_c))`;
 * 4. with the updated f, recompute `x_c` and step g only on
 *    `L_g = KL(p(x_adv) || p(x_c)) + b mean CE(f(x_c), y)`.
 *
 * Model modes: f and g run in training mode throughout a step, the attack included, as in Rice et
 * al.'s robust-overfitting code and the CAT authors' `Train_CIFAR10.py` built on it.
 * `attackTraining: false` attacks in inference mode instead. The MNIST networks have no
 * BatchNorm, so there the choice changes nothing. The authors' script runs f twice more per step
 * (on `x_adv` after the attack, on `x` at the end), which moves only BatchNorm's running
 * statistics; measured without effect on evaluation, so not repeated here (docs/FIDELITY.md).
 *
 * Mask dynamics (measured, and reproduced by an independent PyTorch reference,
 * tools/peer/cat_reference.py): while f is still untrained the KL term of L_g is flat in m, so
 * the CE term, which always prefers a smaller perturbation, sets the direction, and Adam's step
 * does not shrink with the gradient. On the MNIST networks from scratch (Adam 1e-3) the mask goes
 * to m ~ 0 within ~20 steps, and with b >= 0.05 the sigmoid saturates so far that it never comes
 * back: CAT then trains f on the weighted natural CE alone (the KL term of L_f is ~0). With
 * b <= 0.03 the mask dips, then returns towards 1 once f is accurate. This is the method as
 * specified, not a defect of this implementation. `lastMaskStats` exposes the mask's statistics
 * each step so that the trainer can report them and stop a collapsed run; the trainer's default
 * recipe on MNIST-like data starts the mask near 0.95 (the mask net's output bias), steps g at a
 * tenth of f's learning rate and uses a = 6, chosen by measurement (docs/FIDELITY.md);
 * `maskWarmupEpochs` (holding g still for the first epochs) is another remedy, measured weaker.
 */
export class CatMethod implements TrainMethod {
  readonly name: string;
  readonly needsMask: boolean;
  readonly eps: number;
  readonly alpha: number;
  readonly steps: number;
  readonly attackTraining: boolean;
  readonly attackLoss: AttackLossKind;
  readonly kappa: number;
  readonly a: number;
  readonly b: number;
  readonly ablation: CatAblation;
  readonly detachWeight: boolean;
  readonly detachTarget: boolean;
  readonly maskWarmupEpochs: number;
  readonly startRadius: number | undefined;
  readonly clamp: boolean;
  /**
   * Statistics of the mask `g(x_adv)` of the last step (the one step 3 calibrated with); null
   * before the first step and under the ablations, which have no mask.
   */
  lastMaskStats: MaskStats | null = null;

  constructor(options: CatOptions = {}) {
    const o = resolveOptions('cat', CAT_OPTIONS, options);
    const budget = budgetOf('cat', o);
    this.eps = budget.eps;
    this.alpha = budget.alpha;
    this.steps = budget.steps;
    this.attackTraining = budget.attackTraining;
    this.attackLoss = o.attackLoss as AttackLossKind;
    this.kappa = o.kappa as number;
    this.a = o.a as number;
    this.b = o.b as number;
    this.ablation = o.ablation as CatAblation;
    this.detachWeight = o.detachWeight as boolean;
    this.detachTarget = o.detachTarget as boolean;
    this.maskWarmupEpochs = o.maskWarmupEpochs as number;
    this.startRadius = o.startRadius as number | undefined;
    this.clamp = o.clamp as boolean;
    this.needsMask = this.ablation === 'none';
    this.name = NAME_BY_LOSS[this.attackLoss] + (this.ablation === 'none' ? '' : `-${this.ablation}`);
  }

  /**
   * One training step on `batch`; returns the loss terms as numbers (without the g terms while
   * `state.epoch < maskWarmupEpochs`). See {@link TrainMethod}.
   */
  step(state: TrainState, batch: Batch): StepLosses {
    checkBatch(this.name, batch.x, batch.y);
    const xAdv = this.perturb(state, batch);
    try {
      const terms: Record<string, tf.Scalar> = this.classifierTerms(state, batch, xAdv);
      if (this.needsMask && state.epoch >= this.maskWarmupEpochs) Object.assign(terms, this.maskTerms(state, batch, xAdv));
      return readLosses(terms);
    } finally {
      xAdv.dispose();
    }
  }

  /** Step 1: the adversarial example `x + delta` (a constant; the caller disposes it). */
  perturb(state: TrainState, batch: Batch): tf.Tensor4D {
    const attack = new PGD({
      eps: this.eps,
      alpha: this.alpha,
      steps: this.steps,
      loss: this.attackLoss,
      kappa: this.kappa,
      randomStart: true,
      rng: state.rng,
      startRadius: this.startRadius,
      clamp: this.clamp,
    });
    return attack.run(asClassifier(state.f, this.attackTraining), batch.x, batch.y);
  }

  /** Steps 2 and 3: calibrate with the current g, then update f only. Returns the f-loss terms. */
  updateClassifier(state: TrainState, batch: Batch, xAdv: tf.Tensor4D): StepLosses {
    return readLosses(this.classifierTerms(state, batch, xAdv));
  }

  /** Step 4: recompute the mask with the current f, then update g only. Returns the g-loss terms. */
  updateMask(state: TrainState, batch: Batch, xAdv: tf.Tensor4D): StepLosses {
    return readLosses(this.maskTerms(state, batch, xAdv));
  }

  /** The calibrated example `clip(x + g(x_adv) * (x_adv - x), 0, 1)`; `x_adv` itself under A1/A2. */
  calibrated(state: TrainState, x: tf.Tensor4D, xAdv: tf.Tensor4D): tf.Tensor4D {
    return this.calibrateWithStats(state, x, xAdv).xCal;
  }

  /** {@link calibrated}, and the statistics of the mask it used (null under A1/A2). */
  private calibrateWithStats(state: TrainState, x: tf.Tensor4D, xAdv: tf.Tensor4D): { xCal: tf.Tensor4D; stats: MaskStats | null } {
    if (!this.needsMask) return { xCal: tf.clone(xAdv), stats: null };
    const g = this.maskNet(state);
    const m = tf.tidy(() => asMaskNet(g, true)(xAdv));
    try {
      return { xCal: tf.tidy(() => this.calibrateWith(x, xAdv, m)), stats: maskStats(m, x) };
    } finally {
      m.dispose();
    }
  }

  /**
   * `L_f` of step 3 given the classifier's logits on `x` and on the calibrated example (the
   * natural term is plain CE under ablation A1).
   */
  classifierLoss(
    naturalLogits: tf.Tensor2D,
    calibratedLogits: tf.Tensor2D,
    y: tf.Tensor1D,
  ): { loss: tf.Scalar; ce: tf.Scalar; kl: tf.Scalar } {
    const ce =
      this.ablation === 'A1'
        ? crossEntropy(naturalLogits, y)
        : weightedCrossEntropy(naturalLogits, y, { detachWeight: this.detachWeight });
    const kl = klDivBatchMean(naturalLogits, calibratedLogits, { detachTarget: this.detachTarget });
    const loss = tf.tidy(() => tf.add(ce, tf.mul(kl, this.a)) as tf.Scalar);
    return { loss, ce, kl };
  }

  /** `L_g` of step 4 given the classifier's logits on `x_adv` and on the calibrated example. */
  maskLoss(advLogits: tf.Tensor2D, calibratedLogits: tf.Tensor2D, y: tf.Tensor1D): { loss: tf.Scalar; kl: tf.Scalar; ce: tf.Scalar } {
    const kl = klDivBatchMean(advLogits, calibratedLogits);
    const ce = crossEntropy(calibratedLogits, y);
    const loss = tf.tidy(() => tf.add(kl, tf.mul(ce, this.b)) as tf.Scalar);
    return { loss, kl, ce };
  }

  private classifierTerms(state: TrainState, batch: Batch, xAdv: tf.Tensor4D): Record<string, tf.Scalar> {
    const { x, y } = batch;
    const { xCal, stats } = this.calibrateWithStats(state, x, xAdv);
    this.lastMaskStats = stats;
    const f = asClassifier(state.f, true);
    let ce: tf.Scalar | undefined;
    let kl: tf.Scalar | undefined;
    try {
      const lossF = updateVariables(state.optF, trainableVariables(state.f, `${this.name} f`), () => {
        const terms = this.classifierLoss(f(x), f(xCal), y);
        ce = tf.keep(terms.ce);
        kl = tf.keep(terms.kl);
        return terms.loss;
      });
      const ceName = this.ablation === 'A1' ? 'ce' : 'ce_weighted';
      return { loss_f: lossF, [ceName]: ce as tf.Scalar, kl: kl as tf.Scalar };
    } finally {
      xCal.dispose();
    }
  }

  private maskTerms(state: TrainState, batch: Batch, xAdv: tf.Tensor4D): Record<string, tf.Scalar> {
    const { x, y } = batch;
    const g = this.maskNet(state);
    if (state.optG === undefined) throw new Error(`${this.name}: state.optG (the mask net's optimiser) is missing`);
    const f = asClassifier(state.f, true);
    const mask = asMaskNet(g, true);
    let kl: tf.Scalar | undefined;
    let ce: tf.Scalar | undefined;
    // f(x_adv) does not depend on g: computed before the gradient, as a constant (PyTorch's
    // `no_grad`), so its activations are not kept for the backward pass (measured: peak RSS of
    // the PreAct ResNet-18 step at batch 128 4.4 -> 3.4 GB). The values are unchanged; only the order of
    // f's and g's BatchNorm moving-statistics updates, which are independent, changes.
    const advLogits = tf.tidy(() => f(xAdv));
    try {
      // Only g's variables are listed, so f takes part in the gradient but never steps.
      const lossG = updateVariables(state.optG, trainableVariables(g, `${this.name} g`), () => {
        const xCal = this.calibrateWith(x, xAdv, mask(xAdv));
        const terms = this.maskLoss(advLogits, f(xCal), y);
        kl = tf.keep(terms.kl);
        ce = tf.keep(terms.ce);
        return terms.loss;
      });
      return { loss_g: lossG, kl_g: kl as tf.Scalar, ce_g: ce as tf.Scalar };
    } finally {
      advLogits.dispose();
    }
  }

  /** `x + m * (x_adv - x)`, clamped to [0,1] unless `clamp` is off (the authors' MNIST script). */
  private calibrateWith(x: tf.Tensor4D, xAdv: tf.Tensor4D, m: tf.Tensor4D): tf.Tensor4D {
    const delta = tf.sub(xAdv, x) as tf.Tensor4D;
    return this.clamp ? calibrate(x, delta, m) : (tf.add(x, tf.mul(m, delta)) as tf.Tensor4D);
  }

  private maskNet(state: TrainState): tf.LayersModel {
    if (state.g === undefined) throw new Error(`${this.name}: state.g (the mask network) is missing; CAT needs one`);
    return state.g;
  }
}

/** The options of cat-cent and cat-cw: CAT's, the attack loss being fixed by the name. */
export type CatMethodOptions = Omit<CatOptions, 'attackLoss'>;

/**
 * CAT as the CAT authors' scripts (TienjinHuang/Calibrated-adversarial-training) train it, where
 * they differ from SPEC.md. MNIST (`Train_MNIST.py`): eps 0.4, alpha eps/20, starts in
 * U(-0.1, 0.1), no clamp to [0,1] anywhere, lr x0.1 after epoch 30 (from epoch index 31), best
 * checkpoint by natural + PGD (eps 0.3, step 0.015, 20 steps, no random start). CIFAR
 * (`Train_CIFAR10.py`): SPEC.md's recipe already is theirs; their default attack loss is CW.
 */
const AUTHORS_RECIPE = {
  mnist: { eps: 0.4, alpha: 0.02, startRadius: 0.1, clamp: false, milestones: [31], evalEps: 0.3, evalAlpha: 0.015, evalSteps: 20, evalRandomStart: false },
  cifar: {},
};

/**
 * cat's default recipe for CAT, where it differs from SPEC.md. On MNIST-like data: the mask
 * starts at 0.95 and g learns at a tenth of f's rate, against the mask collapse; and the KL
 * weight a of L_f is 6 (SPEC.md: 1), TRADES's beta, which measured best of a = 1, 3, 6 on short
 * runs. docs/FIDELITY.md and docs/results/mask-remedies.md have the measurements that chose them.
 * None on CIFAR, where the collapse was not measured.
 */
const CAT_RECIPE = { mnist: { maskInit: 0.95, maskLrScale: 0.1, a: 6 }, cifar: {} };

/** The settings of CAT that the trainer applies itself: how g starts and how fast it learns. */
const CAT_TRAINER_OPTIONS = {
  maskInit: {
    type: 'number',
    min: 0,
    max: 1,
    exclusiveMin: true,
    exclusiveMax: true,
    default: null,
    hyper: false,
    help: "CAT, not in the paper: start the mask near m0 in (0,1) by setting g's output bias to logit(m0) (none: the architecture's initialisation)",
  },
  maskLrScale: {
    type: 'number',
    min: 0,
    max: 1,
    exclusiveMin: true,
    default: 1,
    hyper: false,
    help: "CAT, not in the paper: g's learning rate is lr * s, s in (0,1]",
  },
} as const satisfies Record<string, OptionSpec>;

/** A CAT configuration in words, with what cat's recipes change against the paper. */
function describeCat(attackLoss: AttackLossKind, s: Readonly<Record<string, unknown>>, show: (n: number) => string): string {
  const loss = attackLoss === 'cw' ? `CW (kappa ${show(s.kappa as number)})` : 'cross-entropy';
  const parts = [`a ${show(s.a as number)}, b ${show(s.b as number)}; attack on the ${loss}, ${budgetText(s, show)}`];
  if (s.ablation === 'A2') parts.push('ablation A2: no mask (m = 1)');
  if (s.ablation === 'A1') parts.push('ablation A1: no mask and plain cross-entropy');
  const mask: string[] = [];
  if (s.maskInit !== null && s.maskInit !== undefined) mask.push(`starts near ${show(s.maskInit as number)}`);
  if (s.maskLrScale !== undefined && s.maskLrScale !== 1) mask.push(`learns at ${show(s.maskLrScale as number)} x f's rate`);
  if ((s.maskWarmupEpochs as number) > 0) mask.push(`held still for ${s.maskWarmupEpochs as number} epoch(s)`);
  if (mask.length > 0 && s.ablation === 'none') parts.push(`mask ${mask.join(', ')} (not in the paper: cat's remedy against the mask collapse)`);
  if (s.startRadius !== null && s.startRadius !== undefined) parts.push(`attack start U(-${show(s.startRadius as number)}, ${show(s.startRadius as number)})`);
  if (s.clamp === false) parts.push('no clamp to [0,1]');
  return parts.join('; ');
}

function declareCat(name: 'cat-cent' | 'cat-cw', attackLoss: AttackLossKind) {
  const { attackLoss: _fixed, ...options } = CAT_OPTIONS;
  return declareMethod<CatMethodOptions>({
    name,
    label: name === 'cat-cent' ? 'CAT-cent' : 'CAT-cw',
    group: 'CAT',
    summary: `Calibrated Adversarial Training, attacking with ${attackLoss === 'ce' ? 'cross-entropy' : 'the CW margin'}`,
    needsMask: true,
    options,
    trainerOptions: CAT_TRAINER_OPTIONS,
    recipes: { cat: CAT_RECIPE, authors: AUTHORS_RECIPE },
    create(o) {
      if ('attackLoss' in o) throw new Error(`${name}: attackLoss is fixed by the method name; use 'cat-cent' or 'cat-cw'`);
      return new CatMethod({ ...o, attackLoss });
    },
    describe: (s, show) => describeCat(attackLoss, s, show),
  });
}

/** CAT-cent's and CAT-cw's declarations. */
export const CAT_CENT = declareCat('cat-cent', 'ce');
export const CAT_CW = declareCat('cat-cw', 'cw');
