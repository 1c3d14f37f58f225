/**
 * Square Attack (Andriushchenko, Croce, Flammarion & Hein, ECCV 2020), L-inf, score-based
 * black-box: it only reads the model's logits. It starts from vertical stripes of +-eps, then
 * each query redraws one random square window to +-eps (one sign per channel) and keeps the
 * change when the margin loss falls. Each example stops as soon as it is misclassified.
 */
import * as tf from '@tensorflow/tfjs';
import type { Attack, Classifier } from '../types.js';
import type { Rng } from '../util/rng.js';
import { marginPerExample } from '../losses/cw-loss.js';
import { checkAttackInputs } from './check-inputs.js';
import { defineAttack } from './entry.js';
import { checkEps, checkFlag, checkInteger, resolveRng } from './options.js';
import { clip01 } from './projection.js';

/** Options of {@link SquareAttack}. */
export interface SquareOptions {
  /** L-inf budget in [0,1] pixel scale. */
  eps: number;
  /** Query budget per example, the initialisation included (default 5000). */
  nQueries?: number;
  /** Initial fraction of pixels in the window (default 0.8). */
  pInit?: number;
  /**
   * Stretch the schedule of the window's size to the query budget (default true): p halves at
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

/** Square Attack, L-inf, implementing {@link Attack}. */
export class SquareAttack implements Attack {
  readonly name = 'square';
  readonly eps: number;
  readonly nQueries: number;
  readonly pInit: number;
  readonly rescaleSchedule: boolean;
  /** Queries spent on each example by the last `run`. */
  lastQueries: Int32Array = new Int32Array(0);
  private readonly rng: Rng;

  constructor(opts: SquareOptions) {
    if (opts === null || typeof opts !== 'object') throw new Error('Square: options object required');
    this.eps = checkEps('Square', opts.eps);
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
    const eps = this.eps;
    const rng = this.rng;
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

    // Stripes initialisation: one sign per (column, channel), constant down the rows.
    if (active.length > 0) {
      const init = new Float32Array(active.length * d);
      active.forEach((i, j) => {
        const signs = new Float32Array(w * c);
        for (let s = 0; s < w * c; s++) signs[s] = rng.next() < 0.5 ? -eps : eps;
        for (let r = 0; r < h; r++) {
          for (let col = 0; col < w; col++) {
            for (let ch = 0; ch < c; ch++) {
              const o = ((r * w + col) * c + ch);
              init[j * d + o] = clip01(xs[i * d + o] + signs[col * c + ch]);
            }
          }
        }
      });
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
}

/** Registry entry: `square`, with the context's `squareQueries` and `squarePInit`. */
export const squareEntry = defineAttack<SquareOptions>({
  kind: 'square',
  match: /^square$/,
  names: ['square'],
  evalOnly: true,
  options: ({ eps, ctx, rng }) => ({ eps, nQueries: ctx.squareQueries, pInit: ctx.squarePInit, rng }),
  create: (o) => new SquareAttack(o),
});
