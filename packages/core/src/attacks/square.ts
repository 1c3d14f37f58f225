/**
 * Square Attack (Andriushchenko, Croce, Flammarion & Hein, ECCV 2020), L-inf or L2, score-based
 * black-box: it only reads the model's logits, and keeps a proposal when the margin loss falls.
 * Each example stops as soon as it is misclassified.
 * - L-inf: it starts from vertical stripes of +-eps, then each query redraws one random square
 *   window to +-eps (one sign per channel).
 * - L2, the reference's L2 branch: it starts from a 5x5 grid of tiles, each a signed `eta`
 *   pattern (a positive and a negative bump, {@link squareEta}), scaled to L2 norm eps; then each
 *   query picks two windows, empties the second and gives the first a fresh signed `eta` plus its
 *   old direction, carrying the norm the two windows held and the budget's unused part
 *   ({@link squareL2Proposal}); the whole perturbation is rescaled to norm eps and clamped to
 *   [0,1]. The window side is odd and at least 3.
 */
import * as tf from '@tensorflow/tfjs';
import type { Attack, Classifier } from '../types.js';
import type { Rng } from '../util/rng.js';
import { marginPerExample } from '../losses/cw-loss.js';
import { checkAttackInputs } from './check-inputs.js';
import { defineAttack } from './entry.js';
import { checkEps, checkFlag, checkInteger, checkNorm, resolveRng } from './options.js';
import { clip01, NORMS, type Norm } from './projection.js';

/** Options of {@link SquareAttack}. */
export interface SquareOptions {
  /** Budget in [0,1] pixel scale, in the norm's measure. */
  eps: number;
  /** Threat model (default 'Linf'); 'L2' as the reference's L2 branch. */
  norm?: Norm;
  /** Query budget per example, the initialisation included (default 5000). */
  nQueries?: number;
  /** Initial fraction of pixels in the window (default 0.8). */
  pInit?: number;
  /**
   * Stretch the schedule of the window's size to the query budget (default true; both norms share
   * the schedule): p halves at
   * 10, 50, 200, ... of 10000 queries scaled to `nQueries`, the default of the reference
   * package's `SquareAttack` class and of torchattacks. `false` halves p at the raw query counts
   * 10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000 whatever the budget, as the reference
   * AutoAttack builds its Square (`resc_schedule=False`); with 5000 queries the last halvings are
   * then never reached.
   */
  rescaleSchedule?: boolean;
  /** Seed or generator (default seed 0). */
  rng?: Rng | number;
}

/** Result of {@link SquareAttack.runDetailed}. */
export interface SquareResult {
  xAdv: tf.Tensor4D;
  /** Model queries spent on each example (0 for examples misclassified at the clean input). */
  queries: Int32Array;
}

/**
 * The published schedule of the window's pixel fraction: halved at 10, 50, 200, 500, 1000, 2000,
 * 4000, 6000 and 8000 iterations out of 10000; with `rescale` (the default) those counts are
 * scaled to the actual budget `nQueries`, without it they are raw iteration counts.
 */
export function squarePSchedule(pInit: number, iter: number, nQueries: number, rescale = true): number {
  const it = rescale ? Math.floor((iter / nQueries) * 10000) : iter;
  const bounds = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000, 10000];
  for (let j = 0; j < bounds.length - 1; j++) {
    if (it > bounds[j] && it <= bounds[j + 1]) return pInit / 2 ** (j + 1);
  }
  return pInit;
}

/**
 * The reference's `eta_rectangles(rows, cols)`: nested rectangles around the centre, the k-th
 * (side 2k + 1, clipped to the grid) adding 1 / (k + 1)^2, then scaled to L2 norm 1; row-major.
 */
export function squareEtaRectangles(rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  let r0 = Math.floor(rows / 2);
  let c0 = Math.floor(cols / 2);
  const rings = Math.max(r0, c0) + 1;
  for (let k = 0; k < rings; k++) {
    for (let r = Math.max(r0, 0); r < Math.min(r0 + 2 * k + 1, rows); r++) {
      for (let c = Math.max(c0, 0); c < Math.min(c0 + 2 * k + 1, cols); c++) out[r * cols + c] += 1 / (k + 1) ** 2;
    }
    r0--;
    c0--;
  }
  return scaleToUnit(out);
}

/**
 * The reference's `eta(s)`: an `s x s` pattern, {@link squareEtaRectangles} on the top `s // 2`
 * rows and its negative on the others, of L2 norm 1, transposed with probability 1/2; row-major.
 */
export function squareEta(s: number, rng: Rng): Float64Array {
  const top = Math.floor(s / 2);
  const out = new Float64Array(s * s);
  out.set(squareEtaRectangles(top, s));
  squareEtaRectangles(s - top, s).forEach((v, i) => (out[top * s + i] = -v));
  scaleToUnit(out);
  if (rng.next() < 0.5) return out;
  const t = new Float64Array(s * s);
  for (let r = 0; r < s; r++) for (let c = 0; c < s; c++) t[c * s + r] = out[r * s + c];
  return t;
}

/** Divides `v` by its L2 norm (plus the reference's 1e-12 where it has one); in place. */
function scaleToUnit<T extends Float64Array | Float32Array>(v: T, tiny = 0): T {
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += v[i] * v[i];
  const norm = Math.sqrt(sq) + tiny;
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}

/** A square window's top-left corner (row, column). */
export type SquareWindow = readonly [number, number];

/**
 * One L2 Square proposal for one example, the reference's window-pair update: `delta` is the
 * current perturbation (`[h, w, c]`, channels last), `win` and `win2` the corners of two `s x s`
 * windows, `eta` an `s x s` pattern ({@link squareEta}) and `signs` one +-1 per channel. The second
 * window is emptied; the first gets, per channel, `eta * sign` plus its old values over their
 * norm, rescaled to norm `sqrt(max(eps^2 - ||delta||^2, 0) / c + ||delta on both windows||^2)`,
 * so it carries the norm the windows held and the budget's unused part; the rest of `delta` is
 * kept. With one channel the result has norm eps exactly; the caller rescales it to eps in any
 * case ({@link SquareAttack}). Returns a new array.
 */
export function squareL2Proposal(
  delta: Float32Array,
  shape: readonly [number, number, number],
  s: number,
  win: SquareWindow,
  win2: SquareWindow,
  eta: Float64Array,
  signs: ArrayLike<number>,
  eps: number,
): Float32Array {
  const [, w, c] = shape;
  const inside = (r: number, col: number, [wr, wc]: SquareWindow) => r >= wr && r < wr + s && col >= wc && col < wc + s;
  let image = 0;
  let windows = 0;
  for (let k = 0; k < delta.length; k++) {
    const px = Math.floor(k / c);
    const [r, col] = [Math.floor(px / w), px % w];
    image += delta[k] * delta[k];
    if (inside(r, col, win) || inside(r, col, win2)) windows += delta[k] * delta[k];
  }
  const size = Math.sqrt(Math.max(eps * eps - image, 0) / c + windows);
  const out = Float32Array.from(delta);
  for (let r = win2[0]; r < win2[0] + s; r++) for (let col = win2[1]; col < win2[1] + s; col++) for (let ch = 0; ch < c; ch++) out[(r * w + col) * c + ch] = 0;
  const at = (i: number, ch: number) => ((win[0] + Math.floor(i / s)) * w + win[1] + (i % s)) * c + ch;
  const old = new Float64Array(s * s);
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < s * s; i++) old[i] = delta[at(i, ch)];
    scaleToUnit(old, 1e-12);
    const fresh = eta.map((v, i) => v * signs[ch] + old[i]);
    scaleToUnit(fresh, 1e-12);
    for (let i = 0; i < s * s; i++) out[at(i, ch)] = fresh[i] * size;
  }
  return out;
}

/** Square Attack, L-inf or L2, implementing {@link Attack}. */
export class SquareAttack implements Attack {
  readonly name = 'square';
  readonly eps: number;
  readonly norm: Norm;
  readonly nQueries: number;
  readonly pInit: number;
  readonly rescaleSchedule: boolean;
  /** Queries spent on each example by the last `run`. */
  lastQueries: Int32Array = new Int32Array(0);
  private readonly rng: Rng;

  constructor(opts: SquareOptions) {
    if (opts === null || typeof opts !== 'object') throw new Error('Square: options object required');
    this.norm = checkNorm('Square', opts.norm ?? 'Linf');
    this.eps = checkEps('Square', opts.eps, this.norm);
    this.nQueries = checkInteger('Square', 'nQueries', opts.nQueries ?? 5000, 1);
    this.pInit = opts.pInit ?? 0.8;
    this.rescaleSchedule = checkFlag('Square', 'rescaleSchedule', opts.rescaleSchedule, true);
    if (!(this.pInit > 0 && this.pInit <= 1)) throw new Error(`Square: pInit must be in (0, 1], got ${opts.pInit}`);
    this.rng = resolveRng(opts.rng);
  }

  run(model: Classifier, x: tf.Tensor4D, y: tf.Tensor1D): tf.Tensor4D {
    const { xAdv, queries } = this.runDetailed(model, x, y);
    this.lastQueries = queries;
    return xAdv;
  }

  runDetailed(model: Classifier, x: tf.Tensor4D, y: tf.Tensor1D): SquareResult {
    checkAttackInputs('Square', x, y);
    const [n, h, w, c] = x.shape;
    const d = h * w * c;
    const xs = x.dataSync() as Float32Array;
    const labels = y.dataSync();
    const queries = new Int32Array(n);
    const best = Float32Array.from(xs);

    const margins = (idx: number[], images: Float32Array): Float32Array =>
      tf.tidy(() => {
        const xb = tf.tensor4d(images, [idx.length, h, w, c]);
        const yb = tf.tensor1d(idx.map((i) => labels[i]), 'int32');
        return marginPerExample(model(xb), yb).dataSync() as Float32Array;
      }).slice();

    const all = Array.from({ length: n }, (_, i) => i);
    const marginBest = margins(all, xs);
    let active = all.filter((i) => marginBest[i] > 0);
    const geometry = { xs, best, shape: [h, w, c] as const, d };

    if (active.length > 0) {
      const init = this.norm === 'L2' ? this.initL2(active, geometry) : this.initLinf(active, geometry);
      const m = margins(active, init);
      active.forEach((i, j) => {
        queries[i] = 1;
        marginBest[i] = m[j];
        best.set(init.subarray(j * d, (j + 1) * d), i * d);
      });
      active = active.filter((i) => marginBest[i] > 0);
    }

    for (let iter = 0; iter < this.nQueries - 1 && active.length > 0; iter++) {
      const p = squarePSchedule(this.pInit, iter, this.nQueries, this.rescaleSchedule);
      const cand = this.norm === 'L2' ? this.proposeL2(active, p, geometry) : this.proposeLinf(active, p, geometry);
      const m = margins(active, cand);
      active.forEach((i, j) => {
        queries[i] += 1;
        if (m[j] < marginBest[i]) {
          marginBest[i] = m[j];
          best.set(cand.subarray(j * d, (j + 1) * d), i * d);
        }
      });
      active = active.filter((i) => marginBest[i] > 0);
    }
    return { xAdv: tf.tensor4d(best, [n, h, w, c]), queries };
  }

  /** L-inf start: one sign per (column, channel), constant down the rows. */
  private initLinf(active: number[], { xs, shape: [h, w, c], d }: SquareGeometry): Float32Array {
    const eps = this.eps;
    const init = new Float32Array(active.length * d);
    active.forEach((i, j) => {
      const signs = new Float32Array(w * c);
      for (let s = 0; s < w * c; s++) signs[s] = this.rng.next() < 0.5 ? -eps : eps;
      for (let r = 0; r < h; r++) {
        for (let col = 0; col < w; col++) {
          for (let ch = 0; ch < c; ch++) {
            const o = (r * w + col) * c + ch;
            init[j * d + o] = clip01(xs[i * d + o] + signs[col * c + ch]);
          }
        }
      }
    });
    return init;
  }

  /** L-inf proposals: one random window (shared by the batch) redrawn to +-eps per channel. */
  private proposeLinf(active: number[], p: number, { xs, best, shape: [h, w, c], d }: SquareGeometry): Float32Array {
    const eps = this.eps;
    const rng = this.rng;
    const s = Math.min(Math.max(Math.round(Math.sqrt((p * d) / c)), 1), h - 1);
    // One window position per iteration for the whole batch, as in the reference.
    const vh = rng.int(h - s + 1);
    const vw = rng.int(w - s + 1);
    const cand = new Float32Array(active.length * d);
    active.forEach((i, j) => {
      const base = i * d;
      cand.set(best.subarray(base, base + d), j * d);
      // Redraw the signs until the window actually changes (it may already hold them).
      for (let attempt = 0; attempt < 32; attempt++) {
        let changed = false;
        for (let ch = 0; ch < c; ch++) {
          const sign = rng.next() < 0.5 ? -eps : eps;
          for (let r = vh; r < vh + s; r++) {
            for (let col = vw; col < vw + s; col++) {
              const o = (r * w + col) * c + ch;
              const v = clip01(xs[base + o] + sign);
              if (Math.abs(v - best[base + o]) >= 1e-7) changed = true;
              cand[j * d + o] = v;
            }
          }
        }
        if (changed) break;
      }
    });
    return cand;
  }

  /**
   * L2 start, the reference's: tiles of side `h // 5` (at least 1) on a grid centred by `(h - 5
   * side) // 2`, each a fresh {@link squareEta} with one random sign per (example, channel); the
   * whole scaled to L2 norm eps and clamped to [0,1]. Tiles that do not fit are left out.
   */
  private initL2(active: number[], { xs, shape: [h, w, c], d }: SquareGeometry): Float32Array {
    const delta = new Float32Array(active.length * d);
    const s = Math.max(Math.floor(h / 5), 1);
    const start = Math.max(Math.floor((h - 5 * s) / 2), 0);
    for (let vh = start; vh + s <= h && vh < start + Math.floor(h / s) * s; vh += s) {
      for (let vw = start; vw + s <= w && vw < start + Math.floor(w / s) * s; vw += s) {
        const eta = squareEta(s, this.rng);
        for (let j = 0; j < active.length; j++) {
          for (let ch = 0; ch < c; ch++) {
            const sign = this.rng.next() < 0.5 ? -1 : 1;
            for (let k = 0; k < s * s; k++) {
              delta[j * d + ((vh + Math.floor(k / s)) * w + vw + (k % s)) * c + ch] += eta[k] * sign;
            }
          }
        }
      }
    }
    return this.l2Images(active, delta, xs, d);
  }

  /**
   * L2 proposals: two random windows and one {@link squareEta} shared by the batch (as the
   * reference draws them), a sign per (example, channel), {@link squareL2Proposal} per example.
   */
  private proposeL2(active: number[], p: number, { xs, best, shape, d }: SquareGeometry): Float32Array {
    const [h, w, c] = shape;
    const rng = this.rng;
    let s = Math.max(Math.round(Math.sqrt((p * d) / c)), 3);
    if (s % 2 === 0) s += 1;
    // Images smaller than the window: the window is the whole image's side.
    s = Math.min(s, h, w);
    const win: SquareWindow = [rng.int(h - s + 1), rng.int(w - s + 1)];
    const win2: SquareWindow = [rng.int(h - s + 1), rng.int(w - s + 1)];
    const eta = squareEta(s, rng);
    const delta = new Float32Array(active.length * d);
    const current = new Float32Array(d);
    const signs = new Float32Array(c);
    active.forEach((i, j) => {
      for (let k = 0; k < d; k++) current[k] = best[i * d + k] - xs[i * d + k];
      for (let ch = 0; ch < c; ch++) signs[ch] = rng.next() < 0.5 ? -1 : 1;
      delta.set(squareL2Proposal(current, shape, s, win, win2, eta, signs, this.eps), j * d);
    });
    return this.l2Images(active, delta, xs, d);
  }

  /** `clamp(x + eps * delta / ||delta||_2, 0, 1)` per example, the reference's last L2 step. */
  private l2Images(active: number[], delta: Float32Array, xs: Float32Array, d: number): Float32Array {
    const out = new Float32Array(active.length * d);
    active.forEach((i, j) => {
      const dj = scaleToUnit(delta.subarray(j * d, (j + 1) * d), 1e-12);
      for (let k = 0; k < d; k++) out[j * d + k] = clip01(xs[i * d + k] + this.eps * dj[k]);
    });
    return out;
  }
}

/** What the proposals of {@link SquareAttack} read: the clean and best images, their shape. */
interface SquareGeometry {
  xs: Float32Array;
  best: Float32Array;
  shape: readonly [number, number, number];
  d: number;
}

/** Registry entry: `square`, with the context's `squareQueries` and `squarePInit`. */
export const squareEntry = defineAttack<SquareOptions>({
  kind: 'square',
  match: /^square$/,
  names: ['square'],
  norms: NORMS,
  evalOnly: true,
  options: ({ eps, norm, ctx, rng }) => ({ eps, norm, nQueries: ctx.squareQueries, pInit: ctx.squarePInit, rng }),
  create: (o) => new SquareAttack(o),
});
