/**
 * Auto-PGD (Croce & Hein, ICML 2020), L-inf or L2: steepest steps of the norm (sign; g / ||g||_2)
 * with momentum 0.75, a step size that
 * starts at 2*eps and halves per example at checkpoints where progress stalled, and restarts from
 * the best point found. `loss: 'ce'` is APGD-CE; `loss: 'dlr-targeted'` is APGD-T, run once per
 * target class (the 2nd, 3rd, ... most likely classes at the clean input) on the examples still
 * classified correctly. The checkpoints follow the reference code's form of the published schedule:
 * the first after 22% of the iterations, then ever shorter intervals (3% less each time, at
 * least 6%).
 */
import * as tf from '@tensorflow/tfjs';
import type { Attack, Classifier } from '../types.js';
import type { Rng } from '../util/rng.js';
import { crossEntropyPerExample } from '../losses/cross-entropy.js';
import { dlrLossPerExample, dlrTargetedLossPerExample } from '../losses/dlr.js';
import { indicesWhere, imageMask, predict, replaceWhere, scatterRows, takeRows } from './batch-rows.js';
import { checkAttackInputs } from './check-inputs.js';
import { defineAttack } from './entry.js';
import { inputGradient, type PerExampleLoss } from './gradient.js';
import { checkEps, checkInteger, checkNorm, resolveRng } from './options.js';
import { l2NormPerExample, NORMS, projectToBall, stepInBall, type Norm } from './projection.js';

/** The losses APGD ascends. */
const APGD_LOSSES: readonly string[] = ['ce', 'dlr', 'dlr-targeted'];

/** Options of {@link Apgd}. Defaults are AutoAttack's standard ones. */
export interface ApgdOptions {
  /** Budget in [0,1] pixel scale, in the norm's measure. */
  eps: number;
  /** Threat model (default 'Linf'); 'L2' as the reference's L2 branch. */
  norm?: Norm;
  /** Iterations per run (default 100). */
  nIter?: number;
  /** Random restarts (untargeted) or runs per target class (targeted); default 1. */
  nRestarts?: number;
  /** Loss ascended: cross-entropy, untargeted DLR or targeted DLR (default 'ce'). */
  loss?: 'ce' | 'dlr' | 'dlr-targeted';
  /** Target classes for 'dlr-targeted' (default 9, capped at classes - 1). */
  nTargetClasses?: number;
  /**
   * Expectation over transformation: gradients averaged over this many forward/backward passes
   * per iteration (default 1), for randomised defences (AutoAttack's `rand` version uses 20).
   */
  eotIter?: number;
  /** Seed or generator for the random starts (default seed 0). */
  rng?: Rng | number;
}

/** APGD, L-inf or L2, implementing {@link Attack}. */
export class Apgd implements Attack {
  readonly name: string;
  readonly eps: number;
  readonly norm: Norm;
  readonly nIter: number;
  readonly nRestarts: number;
  readonly loss: 'ce' | 'dlr' | 'dlr-targeted';
  readonly nTargetClasses: number;
  readonly eotIter: number;
  private readonly rng: Rng;

  constructor(opts: ApgdOptions) {
    if (opts === null || typeof opts !== 'object') throw new Error('APGD: options object required');
    this.norm = checkNorm('APGD', opts.norm ?? 'Linf');
    this.eps = checkEps('APGD', opts.eps, this.norm);
    this.nIter = checkInteger('APGD', 'nIter', opts.nIter ?? 100, 1);
    this.nRestarts = checkInteger('APGD', 'nRestarts', opts.nRestarts ?? 1, 1);
    this.loss = opts.loss ?? 'ce';
    if (!APGD_LOSSES.includes(this.loss)) throw new Error(`APGD: loss must be one of ${APGD_LOSSES.join(', ')}, got '${String(this.loss)}'`);
    this.nTargetClasses = checkInteger('APGD', 'nTargetClasses', opts.nTargetClasses ?? 9, 1);
    this.eotIter = checkInteger('APGD', 'eotIter', opts.eotIter ?? 1, 1);
    this.rng = resolveRng(opts.rng);
    this.name = this.loss === 'ce' ? 'apgd-ce' : this.loss === 'dlr' ? 'apgd-dlr' : 'apgd-t';
  }

  run(model: Classifier, x: tf.Tensor4D, y: tf.Tensor1D): tf.Tensor4D {
    checkAttackInputs(this.name, x, y);
    const n = x.shape[0];
    const labels = y.dataSync();
    let xAdv = x.clone();
    const robust = new Array<boolean>(n);
    const pred0 = predict(model, x);
    for (let i = 0; i < n; i++) robust[i] = pred0[i] === labels[i];

    // Targets are ranked at the clean input, as in the reference implementation.
    let ranking: Int32Array | undefined;
    let classes = 0;
    if (this.loss === 'dlr-targeted') {
      const topk = tf.tidy(() => {
        const z = model(x);
        classes = z.shape[1];
        return tf.topk(z, z.shape[1]).indices.dataSync() as Int32Array;
      });
      ranking = topk.slice();
    }
    const targetRuns = this.loss === 'dlr-targeted' ? Math.min(this.nTargetClasses, classes - 1) : 1;

    for (let t = 0; t < targetRuns; t++) {
      for (let r = 0; r < this.nRestarts; r++) {
        const idx = indicesWhere(robust);
        if (idx.length === 0) break;
        const xs = takeRows(x, idx);
        const ys = takeRows(y, idx);
        let target: tf.Tensor1D | undefined;
        if (ranking) {
          target = tf.tensor1d(idx.map((i) => ranking![i * classes + t + 1]), 'int32');
        }
        const { xBest, fooled } = this.singleRun(model, xs, ys, target);
        const next = scatterRows(xAdv, idx, xBest);
        xAdv.dispose();
        xAdv = next;
        idx.forEach((i, j) => {
          if (fooled[j]) robust[i] = false;
        });
        tf.dispose([xs, ys, xBest]);
        target?.dispose();
      }
    }
    return xAdv;
  }

  private lossFn(y: tf.Tensor1D, target?: tf.Tensor1D): PerExampleLoss {
    if (this.loss === 'ce') return (z) => crossEntropyPerExample(z, y);
    if (this.loss === 'dlr') return (z) => dlrLossPerExample(z, y);
    return (z) => dlrTargetedLossPerExample(z, y, target!);
  }

  /**
   * One APGD run on a batch; returns the first misclassified iterate of each example (or the
   * highest-loss one where none was found) and which examples were fooled.
   */
  private singleRun(
    model: Classifier,
    x: tf.Tensor4D,
    y: tf.Tensor1D,
    target?: tf.Tensor1D,
  ): { xBest: tf.Tensor4D; fooled: boolean[] } {
    const n = x.shape[0];
    const eps = this.eps;
    const labels = y.dataSync();
    const lossFn = this.lossFn(y, target);
    const nIter = this.nIter;
    let k = Math.max(Math.floor(0.22 * nIter), 1);
    const nIterMin = Math.max(Math.floor(0.06 * nIter), 1);
    const sizeDecr = Math.max(Math.floor(0.03 * nIter), 1);
    const rho = 0.75;

    // Random start as the reference's: L-inf a uniform direction scaled so its largest
    // coordinate is eps; L2 a normal direction scaled to L2 norm eps (on the sphere).
    let xAdv = tf.tidy(() => {
      const u =
        this.norm === 'L2'
          ? (tf.randomNormal(x.shape, 0, 1, 'float32', this.rng.seed()) as tf.Tensor4D)
          : (tf.randomUniform(x.shape, -1, 1, 'float32', this.rng.seed()) as tf.Tensor4D);
      const m = this.norm === 'L2' ? tf.maximum(l2NormPerExample(u), 1e-12) : tf.max(tf.abs(u), [1, 2, 3], true);
      return tf.clipByValue(tf.add(x, tf.mul(tf.div(u, m), eps)), 0, 1) as tf.Tensor4D;
    });

    const step = new Float32Array(n).fill(2 * eps);
    const fooled = new Array<boolean>(n).fill(false);
    let first = this.gradient(model, xAdv, lossFn);
    let grad = first.grad;
    let lossNow = Float32Array.from(first.loss.dataSync());
    let predNow = tf.tidy(() => tf.argMax(first.logits, 1).dataSync() as Int32Array).slice();
    tf.dispose([first.logits, first.loss]);

    let xBestAdv = xAdv.clone();
    for (let i = 0; i < n; i++) fooled[i] = predNow[i] !== labels[i];
    let xBest = xAdv.clone();
    let gradBest = grad.clone();
    const lossBest = Float32Array.from(lossNow);
    let lossBestLastCheck = Float32Array.from(lossBest);
    let reducedLastCheck = new Array<boolean>(n).fill(true);
    // lossSteps[s] is the loss after step s; index -1 (the start) is kept in lossStart.
    const lossStart = Float32Array.from(lossNow);
    const lossSteps: Float32Array[] = [];
    let sinceCheck = 0;
    let xOld = xAdv.clone();

    for (let i = 0; i < nIter; i++) {
      const a = i > 0 ? 0.75 : 1.0;
      const z = this.normStep(xAdv, grad, x, step);
      const next = tf.tidy(() => {
        const moved = tf.add(tf.add(xAdv, tf.mul(tf.sub(z, xAdv), a)), tf.mul(tf.sub(xAdv, xOld), 1 - a));
        return projectToBall(moved as tf.Tensor4D, x, eps, { norm: this.norm });
      });
      z.dispose();
      xOld.dispose();
      xOld = xAdv;
      xAdv = next;
      grad.dispose();

      const res = this.gradient(model, xAdv, lossFn);
      grad = res.grad;
      lossNow = Float32Array.from(res.loss.dataSync());
      predNow = tf.tidy(() => tf.argMax(res.logits, 1).dataSync() as Int32Array).slice();
      tf.dispose([res.logits, res.loss]);

      const newlyFooled = new Array<boolean>(n);
      const improved = new Array<boolean>(n);
      let anyFooled = false;
      let anyImproved = false;
      for (let e = 0; e < n; e++) {
        newlyFooled[e] = !fooled[e] && predNow[e] !== labels[e];
        if (newlyFooled[e]) {
          fooled[e] = true;
          anyFooled = true;
        }
        improved[e] = lossNow[e] > lossBest[e];
        if (improved[e]) {
          lossBest[e] = lossNow[e];
          anyImproved = true;
        }
      }
      if (anyFooled) xBestAdv = replaceWhere(xBestAdv, newlyFooled, xAdv);
      if (anyImproved) {
        xBest = replaceWhere(xBest, improved, xAdv);
        gradBest = replaceWhere(gradBest, improved, grad);
      }
      lossSteps.push(lossNow);
      sinceCheck++;

      if (sinceCheck === k) {
        const reduce = new Array<boolean>(n);
        let anyReduce = false;
        for (let e = 0; e < n; e++) {
          // Condition 1: the loss rose in at most rho * k of the last k steps.
          let ups = 0;
          for (let c = 0; c < k; c++) {
            const cur = lossSteps[i - c][e];
            const prev = i - c - 1 >= 0 ? lossSteps[i - c - 1][e] : lossStart[e];
            if (cur > prev) ups++;
          }
          const oscillating = ups <= k * rho;
          // Condition 2: the step size was not reduced last time and the best loss did not move.
          const stalled = !reducedLastCheck[e] && lossBestLastCheck[e] >= lossBest[e];
          reduce[e] = oscillating || stalled;
          if (reduce[e]) {
            step[e] /= 2;
            anyReduce = true;
          }
        }
        reducedLastCheck = reduce;
        lossBestLastCheck = Float32Array.from(lossBest);
        if (anyReduce) {
          xAdv = replaceWhere(xAdv, reduce, xBest);
          grad = replaceWhere(grad, reduce, gradBest);
        }
        sinceCheck = 0;
        k = Math.max(k - sizeDecr, nIterMin);
      }
    }

    const out = tf.tidy(() => tf.where(imageMask(fooled), xBestAdv, xBest) as tf.Tensor4D);
    tf.dispose([xAdv, xOld, grad, xBest, gradBest, xBestAdv]);
    return { xBest: out, fooled };
  }

  /**
   * Loss, logits and input gradient at `x`; with EOT the gradient is the mean over `eotIter`
   * passes and the loss and logits are the last pass's, as in the reference.
   */
  private gradient(model: Classifier, x: tf.Tensor4D, lossFn: PerExampleLoss) {
    let res = inputGradient(model, x, lossFn);
    if (this.eotIter === 1) return res;
    let sum = res.grad;
    for (let e = 1; e < this.eotIter; e++) {
      tf.dispose([res.logits, res.loss]);
      res = inputGradient(model, x, lossFn);
      const next = tf.add(sum, res.grad) as tf.Tensor4D;
      tf.dispose([sum, res.grad]);
      sum = next;
    }
    const grad = tf.div(sum, this.eotIter) as tf.Tensor4D;
    sum.dispose();
    return { ...res, grad };
  }

  /**
   * The norm's steepest step with a per-example step size. The shared step takes one scalar size, so
   * examples are grouped by step size (few distinct values: 2*eps halved a few times).
   */
  private normStep(xAdv: tf.Tensor4D, grad: tf.Tensor4D, x: tf.Tensor4D, step: Float32Array): tf.Tensor4D {
    const sizes = [...new Set(Array.from(step))];
    let out = stepInBall(xAdv, grad, x, sizes[0], this.eps, { norm: this.norm });
    for (let s = 1; s < sizes.length; s++) {
      const mask = Array.from(step, (v) => v === sizes[s]);
      const other = stepInBall(xAdv, grad, x, sizes[s], this.eps, { norm: this.norm });
      out = replaceWhere(out, mask, other);
      other.dispose();
    }
    return out;
  }
}

/**
 * Registry entry: AutoAttack's APGD stages on their own: `apgd-ce`, `apgd-dlr` (with the
 * context's `restarts`) and `apgd-t` (with its `nTargetClasses`), `apgdIter` iterations.
 */
export const apgdEntry = defineAttack<ApgdOptions>({
  kind: 'apgd',
  match: /^apgd-(ce|dlr|t)$/,
  names: ['apgd-ce', 'apgd-dlr', 'apgd-t'],
  norms: NORMS,
  evalOnly: true,
  // The DLR losses rank the 3 (untargeted) or 4 (targeted) largest logits.
  minClasses: (m) => ({ ce: 2, dlr: 3, t: 4 })[m[1] as 'ce' | 'dlr' | 't'],
  options: ({ eps, norm, ctx, rng, match }) =>
    match[1] === 't'
      ? { eps, norm, nIter: ctx.apgdIter, loss: 'dlr-targeted', nTargetClasses: ctx.nTargetClasses, rng }
      : { eps, norm, nIter: ctx.apgdIter, loss: match[1] as 'ce' | 'dlr', nRestarts: ctx.restarts, rng },
  create: (o) => new Apgd(o),
});
