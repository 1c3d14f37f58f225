/**
 * FAB (Croce & Hein, ICML 2020), L-inf or L2: a minimum-norm attack. Each iteration linearises a
 * decision boundary of the true class, projects both the current iterate and the clean image onto
 * that hyperplane (within the [0,1] box, minimal step in the norm), moves to a biased combination
 * of the two (extrapolated by eta), and steps back towards the clean image (factor beta) once it is
 * misclassified. The smallest adversarial found counts when its norm is within eps. FAB-T
 * (targeted) takes the boundary to one target class per run: the 2nd, 3rd, ... most likely classes
 * at the clean input. Untargeted FAB takes, at every iteration, the boundary that the linear model
 * puts closest: the class j minimising |z_y - z_j| / ||grad (z_y - z_j)||_*, the dual norm (L1 for
 * L-inf, L2 for L2). Every norm-dependent part (the projection, the step sizes, the distances, the
 * restarts' random start) follows the reference's branch for the norm.
 */
import * as tf from '@tensorflow/tfjs';
import type { Attack, Classifier } from '../types.js';
import type { Rng } from '../util/rng.js';
import { indicesWhere, predict, scatterRows, takeRows } from './batch-rows.js';
import { checkAttackInputs } from './check-inputs.js';
import { defineAttack } from './entry.js';
import { inputGradient } from './gradient.js';
import { checkEps, checkInteger, checkNorm, checkPositive, resolveRng } from './options.js';
import { clip01, NORMS, projectToBall, type Norm } from './projection.js';

/** Options of {@link Fab}; defaults are AutoAttack's standard ones. */
export interface FabOptions {
  /** Budget in the norm's measure. */
  eps: number;
  /** Threat model (default 'Linf'); 'L2' as the reference's L2 branch. */
  norm?: Norm;
  /** Targeted (FAB-T, the default) or untargeted (FAB). */
  targeted?: boolean;
  /** Iterations per target class (default 100). */
  nIter?: number;
  /** Target classes of FAB-T (default 9, capped at classes - 1); unused untargeted. */
  nTargetClasses?: number;
  /** Runs per target; the first starts at the clean image, later ones at random points. */
  nRestarts?: number;
  /** Largest weight of the clean-image projection in a step (default 0.1). */
  alphaMax?: number;
  /** Extrapolation factor of the projection step (default 1.05). */
  eta?: number;
  /** Backward step towards the clean image after a success (default 0.9). */
  beta?: number;
  rng?: Rng | number;
}

/**
 * Minimal-L-inf step `d` with `w . d = c` and `p + d` in [0,1]: the smallest `t` for which
 * `d_i = clip(sign(c w_i) t, -p_i, 1 - p_i)` reaches `c`, found by bisection (the reachable
 * value is monotone in `t`). Where the box makes `c` unreachable it returns the largest step.
 */
export function projectLinfHyperplane(p: Float32Array, w: Float32Array, c: number, out: Float32Array): void {
  const dim = p.length;
  if (c === 0) {
    out.fill(0);
    return;
  }
  const s = Math.sign(c);
  const target = Math.abs(c);
  const reach = (t: number): number => {
    let sum = 0;
    for (let i = 0; i < dim; i++) {
      const wi = w[i];
      if (wi === 0) continue;
      const dir = s * Math.sign(wi);
      const cap = dir > 0 ? 1 - p[i] : p[i];
      sum += Math.abs(wi) * Math.min(t, cap);
    }
    return sum;
  };
  let hi = 1;
  if (reach(hi) > target) {
    let lo = 0;
    for (let it = 0; it < 40; it++) {
      const mid = (lo + hi) / 2;
      if (reach(mid) >= target) hi = mid;
      else lo = mid;
    }
  }
  for (let i = 0; i < dim; i++) {
    const wi = w[i];
    if (wi === 0) {
      out[i] = 0;
      continue;
    }
    const dir = s * Math.sign(wi);
    out[i] = dir > 0 ? Math.min(hi, 1 - p[i]) : -Math.min(hi, p[i]);
  }
}

/**
 * Minimal-L2 step `d` with `w . d = c` and `p + d` in [0,1], the reference's `projection_l2`: by
 * the KKT conditions `d_i = clip(s lambda w_i, -p_i, 1 - p_i)` (s the sign of c) for the
 * smallest `lambda >= 0` that reaches `c`. The reachable value is piecewise linear and increasing
 * in `lambda`, with a kink where each coordinate meets the box; walking the kinks in order finds
 * the piece that holds `c` and solves it exactly. Where the box makes `c` unreachable it returns
 * the largest step (every coordinate at its bound), as the reference does.
 */
export function projectL2Hyperplane(p: Float32Array, w: Float32Array, c: number, out: Float32Array): void {
  const dim = p.length;
  out.fill(0);
  if (c === 0) return;
  const s = Math.sign(c);
  const target = Math.abs(c);
  // Per coordinate: |w_i|, the room in the direction s * sign(w_i), and the kink room / |w_i|.
  const kinks: number[] = [];
  let slope = 0;
  for (let i = 0; i < dim; i++) {
    if (w[i] === 0) continue;
    kinks.push(i);
    slope += w[i] * w[i];
  }
  const room = (i: number): number => (s * w[i] > 0 ? 1 - p[i] : p[i]);
  const kink = (i: number): number => room(i) / Math.abs(w[i]);
  kinks.sort((a, b) => kink(a) - kink(b));
  // reach(lambda) = saturated + lambda * slope on the piece before the next kink.
  let saturated = 0;
  let lambda = Infinity;
  for (const i of kinks) {
    const k = kink(i);
    if (saturated + k * slope >= target) {
      lambda = (target - saturated) / slope;
      break;
    }
    saturated += Math.abs(w[i]) * room(i);
    slope -= w[i] * w[i];
  }
  for (const i of kinks) {
    const r = room(i);
    const v = Math.min(lambda * Math.abs(w[i]), r);
    out[i] = s * w[i] > 0 ? v : -v;
  }
}

/** What FAB does differently per norm: the hyperplane projection, the norm and its dual. */
interface FabGeometry {
  project(p: Float32Array, w: Float32Array, c: number, out: Float32Array): void;
  /** The norm of a perturbation. */
  size(v: ArrayLike<number>): number;
  /** The dual norm, of a gradient (distance to a linearised boundary = |value| / dual). */
  dual(v: ArrayLike<number>): number;
}

const FAB_GEOMETRY: Readonly<Record<Norm, FabGeometry>> = {
  Linf: { project: projectLinfHyperplane, size: maxAbs, dual: sumAbs },
  L2: { project: projectL2Hyperplane, size: l2, dual: l2 },
};

/** FAB or FAB-T, L-inf or L2, implementing {@link Attack}. */
export class Fab implements Attack {
  readonly name: 'fab' | 'fab-t';
  readonly targeted: boolean;
  readonly eps: number;
  readonly norm: Norm;
  readonly nIter: number;
  readonly nTargetClasses: number;
  readonly nRestarts: number;
  readonly alphaMax: number;
  readonly eta: number;
  readonly beta: number;
  private readonly rng: Rng;

  constructor(opts: FabOptions) {
    if (opts === null || typeof opts !== 'object') throw new Error('FAB: options object required');
    this.targeted = opts.targeted ?? true;
    this.name = this.targeted ? 'fab-t' : 'fab';
    const label = this.name.toUpperCase();
    this.norm = checkNorm(label, opts.norm ?? 'Linf');
    this.eps = checkEps(label, opts.eps, this.norm);
    this.nIter = checkInteger(label, 'nIter', opts.nIter ?? 100, 1);
    this.nTargetClasses = checkInteger(label, 'nTargetClasses', opts.nTargetClasses ?? 9, 1);
    this.nRestarts = checkInteger(label, 'nRestarts', opts.nRestarts ?? 1, 1);
    this.alphaMax = checkPositive(label, 'alphaMax', opts.alphaMax ?? 0.1);
    this.eta = checkPositive(label, 'eta', opts.eta ?? 1.05);
    this.beta = checkPositive(label, 'beta', opts.beta ?? 0.9);
    this.rng = resolveRng(opts.rng);
  }

  run(model: Classifier, x: tf.Tensor4D, y: tf.Tensor1D): tf.Tensor4D {
    checkAttackInputs(this.name.toUpperCase(), x, y);
    const n = x.shape[0];
    const labels = y.dataSync();
    const pred0 = predict(model, x);
    const robust = Array.from({ length: n }, (_, i) => pred0[i] === labels[i]);
    const { ranking, classes } = tf.tidy(() => {
      const z = model(x);
      return { ranking: (tf.topk(z, z.shape[1]).indices.dataSync() as Int32Array).slice(), classes: z.shape[1] };
    });
    let xAdv = x.clone();
    // FAB-T: one pass of restarts per target class; FAB: one pass, the class chosen per iteration.
    const runs = this.targeted ? Math.min(this.nTargetClasses, classes - 1) : 1;
    for (let t = 0; t < runs; t++) {
      for (let r = 0; r < this.nRestarts; r++) {
        const idx = indicesWhere(robust);
        if (idx.length === 0) break;
        const xs = takeRows(x, idx);
        const ys = idx.map((i) => labels[i]);
        const targets = this.targeted ? idx.map((i) => ranking[i * classes + t + 1]) : null;
        const { adv } = this.singleRun(model, xs, ys, targets, r > 0);
        // Only adversarials within the budget count: the best one is projected into the ball (the
        // returned tensor must satisfy the Attack contract; one within eps is kept as it is) and
        // counts when it is still misclassified there.
        const inBall = projectToBall(adv, xs, this.eps, { norm: this.norm });
        const pred = predict(model, inBall);
        const next = scatterRows(xAdv, idx, inBall);
        xAdv.dispose();
        xAdv = next;
        idx.forEach((i, j) => {
          if (pred[j] !== labels[i]) robust[i] = false;
        });
        tf.dispose([xs, adv, inBall]);
      }
    }
    return xAdv;
  }

  /** Gradient of `z_y - z_t` per example and its value, for fixed targets (FAB-T). */
  private diffAndGrad(
    model: Classifier,
    x: tf.Tensor4D,
    oneHotDiff: tf.Tensor2D,
  ): { diff: Float32Array; grad: Float32Array } {
    const g = inputGradient(model, x, (z) => tf.sum(tf.mul(z, oneHotDiff), 1) as tf.Tensor1D);
    const out = {
      diff: (g.loss.dataSync() as Float32Array).slice(),
      grad: (g.grad.dataSync() as Float32Array).slice(),
    };
    tf.dispose([g.grad, g.logits, g.loss]);
    return out;
  }

  /**
   * Untargeted FAB: for each example the boundary `z_y - z_j` (j != y) the linearisation puts
   * closest in the norm, i.e. with the smallest |z_y - z_j| / ||grad (z_y - z_j)||_* (the dual
   * norm); its value and gradient. Needs the whole Jacobian: one backward pass per class.
   */
  private closestBoundary(model: Classifier, x: tf.Tensor4D, labels: number[]): { diff: Float32Array; grad: Float32Array } {
    const n = x.shape[0];
    const dim = x.size / n;
    const logits = tf.tidy(() => model(x));
    const classes = logits.shape[1];
    const z = (logits.dataSync() as Float32Array).slice();
    logits.dispose();
    const jac: Float32Array[] = [];
    for (let k = 0; k < classes; k++) {
      const mask = tf.tidy(() => tf.oneHot(tf.fill([n], k, 'int32') as tf.Tensor1D, classes) as tf.Tensor2D);
      const g = inputGradient(model, x, (zk) => tf.sum(tf.mul(zk, mask), 1) as tf.Tensor1D);
      jac.push((g.grad.dataSync() as Float32Array).slice());
      tf.dispose([g.grad, g.logits, g.loss, mask]);
    }
    const diff = new Float32Array(n);
    const grad = new Float32Array(n * dim);
    const gj = new Float32Array(dim);
    const dual = FAB_GEOMETRY[this.norm].dual;
    for (let i = 0; i < n; i++) {
      const o = i * dim;
      const y = labels[i];
      let best = -1;
      let bestScore = Infinity;
      for (let j = 0; j < classes; j++) {
        if (j === y) continue;
        for (let k = 0; k < dim; k++) gj[k] = jac[y][o + k] - jac[j][o + k];
        const score = Math.abs(z[i * classes + y] - z[i * classes + j]) / (dual(gj) + 1e-12);
        if (score < bestScore) {
          bestScore = score;
          best = j;
        }
      }
      diff[i] = z[i * classes + y] - z[i * classes + best];
      for (let k = 0; k < dim; k++) grad[o + k] = jac[y][o + k] - jac[best][o + k];
    }
    return { diff, grad };
  }

  private singleRun(
    model: Classifier,
    x: tf.Tensor4D,
    labels: number[],
    targets: number[] | null,
    randomStart: boolean,
  ): { adv: tf.Tensor4D; norm: Float64Array } {
    const [n, h, w, c] = x.shape;
    const dim = h * w * c;
    const x0 = (x.dataSync() as Float32Array).slice();
    const x1 = x0.slice();
    const geometry = FAB_GEOMETRY[this.norm];
    if (randomStart) this.randomStart(x0, x1, dim);
    const adv = x0.slice();
    const norm = new Float64Array(n).fill(Infinity);
    let oneHotDiff: tf.Tensor2D | undefined;
    if (targets) {
      const classes = tf.tidy(() => model(tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1])).shape[1]);
      const oneHot = new Float32Array(n * classes);
      for (let i = 0; i < n; i++) {
        oneHot[i * classes + labels[i]] += 1;
        oneHot[i * classes + targets[i]] -= 1;
      }
      oneHotDiff = tf.tensor2d(oneHot, [n, classes]);
    }
    const d1 = new Float32Array(dim);
    const d2 = new Float32Array(dim);

    for (let it = 0; it < this.nIter; it++) {
      const xt = tf.tensor4d(x1, [n, h, w, c]);
      const { diff, grad } = oneHotDiff ? this.diffAndGrad(model, xt, oneHotDiff) : this.closestBoundary(model, xt, labels);
      xt.dispose();
      for (let i = 0; i < n; i++) {
        const o = i * dim;
        const gi = grad.subarray(o, o + dim);
        const p1 = x1.subarray(o, o + dim);
        const p0 = x0.subarray(o, o + dim);
        // Hyperplane of the linearised boundary at x1: g . (z - x1) + diff = 0.
        geometry.project(p1, gi, -diff[i], d1);
        let shift = 0;
        for (let k = 0; k < dim; k++) shift += gi[k] * (p1[k] - p0[k]);
        geometry.project(p0, gi, -diff[i] + shift, d2);
        const a1 = Math.max(geometry.size(d1), 1e-8);
        const a2 = Math.max(geometry.size(d2), 1e-8);
        const alpha = Math.min(Math.max(a1 / (a1 + a2), 0), this.alphaMax);
        for (let k = 0; k < dim; k++) {
          const v = (p1[k] + this.eta * d1[k]) * (1 - alpha) + (p0[k] + this.eta * d2[k]) * alpha;
          p1[k] = clip01(v);
        }
      }
      const xt2 = tf.tensor4d(x1, [n, h, w, c]);
      const pred = predict(model, xt2);
      xt2.dispose();
      for (let i = 0; i < n; i++) {
        if (pred[i] === labels[i]) continue;
        const o = i * dim;
        for (let k = 0; k < dim; k++) d1[k] = x1[o + k] - x0[o + k];
        const t = geometry.size(d1);
        if (t < norm[i]) {
          norm[i] = t;
          adv.set(x1.subarray(o, o + dim), o);
        }
        for (let k = 0; k < dim; k++) x1[o + k] = x0[o + k] + (x1[o + k] - x0[o + k]) * this.beta;
      }
    }
    oneHotDiff?.dispose();
    return { adv: tf.tensor4d(adv, [n, h, w, c]), norm };
  }

  /**
   * The later restarts' start, as the reference's: a random direction scaled to half the budget
   * in the norm (L-inf: uniform noise over its largest value; L2: normal noise over its L2 norm),
   * then clamped to [0,1].
   */
  private randomStart(x0: Float32Array, x1: Float32Array, dim: number): void {
    const t = new Float32Array(dim);
    for (let o = 0; o < x0.length; o += dim) {
      for (let k = 0; k < dim; k++) t[k] = this.norm === 'L2' ? this.rng.normal() : this.rng.next() * 2 - 1;
      const scale = (0.5 * this.eps) / Math.max(FAB_GEOMETRY[this.norm].size(t), 1e-12);
      for (let k = 0; k < dim; k++) x1[o + k] = clip01(x0[o + k] + t[k] * scale);
    }
  }
}

/** FAB-T: {@link Fab} with `targeted: true`. */
export class FabTargeted extends Fab {
  constructor(opts: Omit<FabOptions, 'targeted'>) {
    super({ ...opts, targeted: true });
  }
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function sumAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m += Math.abs(a[i]);
  return m;
}

function l2(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m += a[i] * a[i];
  return Math.sqrt(m);
}

/** Registry entry: `fab` (with the context's `restarts`) and `fab-t` (with its `nTargetClasses`). */
export const fabEntry = defineAttack<FabOptions>({
  kind: 'fab',
  match: /^fab(-t)?$/,
  names: ['fab', 'fab-t'],
  norms: NORMS,
  evalOnly: true,
  options: ({ eps, norm, ctx, rng, match }) =>
    match[1]
      ? { eps, norm, nIter: ctx.fabIter, targeted: true, nTargetClasses: ctx.nTargetClasses, rng }
      : { eps, norm, nIter: ctx.fabIter, targeted: false, nRestarts: ctx.restarts, rng },
  create: (o) => new Fab(o),
});
