/**
 * AutoAttack, standard version, L-inf (Croce & Hein, ICML 2020): APGD-CE, APGD-T (targeted DLR,
 * 9 target classes), FAB-T (9 target classes) and Square (5000 queries), each run only on the
 * examples every earlier stage left correctly classified. Robust accuracy is the fraction that
 * survives all four. As in the reference code, Square's window schedule is not rescaled to the
 * query budget (see {@link SquareOptions.rescaleSchedule}).
 */
import * as tf from '@tensorflow/tfjs';
import type { Attack, Classifier } from '../types.js';
import { Rng } from '../util/rng.js';
import { Apgd } from './apgd.js';
import { FabTargeted } from './fab.js';
import { SquareAttack } from './square.js';
import { checkAttackInput, checkEps, predict, scatterRows, takeRows } from './tensor-util.js';

/** Options of {@link AutoAttack}; the defaults are the standard version's budgets. */
export interface AutoAttackOptions {
  eps: number;
  /** APGD iterations (default 100). */
  apgdIter?: number;
  /** FAB-T iterations per target (default 100). */
  fabIter?: number;
  /** Square queries per example (default 5000). */
  squareQueries?: number;
  /** Target classes of APGD-T and FAB-T (default 9). */
  nTargetClasses?: number;
  /** Stages to run, in order (default all four). */
  stages?: AutoAttackStage[];
  rng?: Rng | number;
}

export type AutoAttackStage = 'apgd-ce' | 'apgd-t' | 'fab-t' | 'square';

/** Robust accuracy after each stage of one {@link AutoAttack.runDetailed} call. */
export interface AutoAttackBreakdown {
  /** Accuracy on the clean inputs. */
  clean: number;
  /** Accuracy after each stage (cumulative: examples broken by any stage so far count as broken). */
  stages: { name: AutoAttackStage; robustAccuracy: number; seconds: number }[];
  /** Number of examples. */
  n: number;
}

/** AutoAttack (standard, L-inf), implementing {@link Attack}. */
export class AutoAttack implements Attack {
  readonly name = 'autoattack';
  readonly eps: number;
  readonly stages: AutoAttackStage[];
  /** Breakdown of the last `run`. */
  lastBreakdown: AutoAttackBreakdown | undefined;
  private readonly attacks: Record<AutoAttackStage, Attack>;

  constructor(opts: AutoAttackOptions) {
    checkEps('AutoAttack', opts.eps);
    this.eps = opts.eps;
    const rng = opts.rng instanceof Rng ? opts.rng : new Rng(opts.rng ?? 0);
    const nTargetClasses = opts.nTargetClasses ?? 9;
    this.stages = opts.stages ?? ['apgd-ce', 'apgd-t', 'fab-t', 'square'];
    for (const s of this.stages) {
      if (!['apgd-ce', 'apgd-t', 'fab-t', 'square'].includes(s)) {
        throw new Error(`AutoAttack: unknown stage '${s}' (expected apgd-ce, apgd-t, fab-t, square)`);
      }
    }
    this.attacks = {
      'apgd-ce': new Apgd({ eps: opts.eps, nIter: opts.apgdIter, loss: 'ce', rng }),
      'apgd-t': new Apgd({ eps: opts.eps, nIter: opts.apgdIter, loss: 'dlr-targeted', nTargetClasses, rng }),
      'fab-t': new FabTargeted({ eps: opts.eps, nIter: opts.fabIter, nTargetClasses, rng }),
      // The reference builds its Square with resc_schedule=False: p halves at raw query counts.
      square: new SquareAttack({ eps: opts.eps, nQueries: opts.squareQueries, rescaleSchedule: false, rng }),
    };
  }

  run(model: Classifier, x: tf.Tensor4D, y: tf.Tensor1D): tf.Tensor4D {
    const { xAdv, breakdown } = this.runDetailed(model, x, y);
    this.lastBreakdown = breakdown;
    return xAdv;
  }

  runDetailed(model: Classifier, x: tf.Tensor4D, y: tf.Tensor1D): { xAdv: tf.Tensor4D; breakdown: AutoAttackBreakdown } {
    checkAttackInput('AutoAttack', x, y);
    const n = x.shape[0];
    const labels = y.dataSync();
    const pred0 = predict(model, x);
    const robust = Array.from({ length: n }, (_, i) => pred0[i] === labels[i]);
    const count = () => robust.filter(Boolean).length;
    const breakdown: AutoAttackBreakdown = { clean: n ? count() / n : 0, stages: [], n };
    let xAdv = x.clone();
    for (const stage of this.stages) {
      const t0 = performance.now();
      const idx: number[] = [];
      for (let i = 0; i < n; i++) if (robust[i]) idx.push(i);
      if (idx.length > 0) {
        const xs = takeRows(x, idx);
        const ys = takeRows(y, idx);
        const adv = this.attacks[stage].run(model, xs, ys);
        const pred = predict(model, adv);
        // Keep only the examples this stage broke; the others stay as they were.
        const broken: number[] = [];
        const brokenRows: number[] = [];
        idx.forEach((i, j) => {
          if (pred[j] !== labels[i]) {
            robust[i] = false;
            broken.push(i);
            brokenRows.push(j);
          }
        });
        if (broken.length > 0) {
          const rows = takeRows(adv, brokenRows);
          const next = scatterRows(xAdv, broken, rows);
          xAdv.dispose();
          rows.dispose();
          xAdv = next;
        }
        tf.dispose([xs, ys, adv]);
      }
      breakdown.stages.push({ name: stage, robustAccuracy: n ? count() / n : 0, seconds: (performance.now() - t0) / 1000 });
    }
    return { xAdv, breakdown };
  }
}
