/**
 * AutoAttack, L-inf or L2 (Croce & Hein, ICML 2020), in the reference code's versions: each stage runs
 * only on the examples every earlier stage left correctly classified, and robust accuracy is the
 * fraction that survives them all.
 * - `standard`: APGD-CE, APGD-T (targeted DLR, 9 target classes), FAB-T (9 target classes),
 *   Square (5000 queries); one restart each.
 * - `plus`: APGD-CE and APGD-DLR with 5 restarts, FAB (untargeted) with 5 restarts, Square (5000
 *   queries), APGD-T and FAB-T (9 target classes, one restart).
 * - `rand`, for randomised defences: APGD-CE and APGD-DLR, one restart, gradients averaged over 20
 *   draws (EOT).
 * - `custom`: the stages given, at the reference's constructor settings (5 restarts for APGD-CE,
 *   APGD-DLR and FAB; FAB-T always runs one).
 * As in the reference code, Square's window schedule is not rescaled to the query budget (see
 * {@link SquareOptions.rescaleSchedule}). In L2 every version runs the same stages at the same
 * settings as in L-inf, each stage in L2, as the reference's `set_version` does for both norms.
 */
import * as tf from '@tensorflow/tfjs';
import type { Attack, Classifier } from '../types.js';
import type { Rng } from '../util/rng.js';
import { Apgd } from './apgd.js';
import { indicesWhere, predict, scatterRows, takeRows } from './batch-rows.js';
import { checkAttackInputs } from './check-inputs.js';
import { defineAttack } from './entry.js';
import { Fab } from './fab.js';
import { checkEps, checkNorm, resolveRng } from './options.js';
import { NORMS, type Norm } from './projection.js';
import { SquareAttack } from './square.js';

/** AutoAttack's stages under the reference's names. */
export const AUTOATTACK_STAGES = ['apgd-ce', 'apgd-dlr', 'fab', 'square', 'apgd-t', 'fab-t'] as const;
export type AutoAttackStage = (typeof AUTOATTACK_STAGES)[number];

export const AUTOATTACK_VERSIONS = ['standard', 'plus', 'rand', 'custom'] as const;
export type AutoAttackVersion = (typeof AUTOATTACK_VERSIONS)[number];

/**
 * What each version runs: its stages in order, the restarts of the untargeted APGD and FAB
 * stages and the EOT draws of APGD, as the reference's `set_version` (and, for `custom`, its
 * constructor) sets them.
 */
export const AUTOATTACK_VERSION_SETTINGS: Readonly<
  Record<AutoAttackVersion, { stages: readonly AutoAttackStage[]; restarts: number; eotIter: number }>
> = {
  standard: { stages: ['apgd-ce', 'apgd-t', 'fab-t', 'square'], restarts: 1, eotIter: 1 },
  plus: { stages: ['apgd-ce', 'apgd-dlr', 'fab', 'square', 'apgd-t', 'fab-t'], restarts: 5, eotIter: 1 },
  rand: { stages: ['apgd-ce', 'apgd-dlr'], restarts: 1, eotIter: 20 },
  custom: { stages: ['apgd-ce', 'apgd-t', 'fab-t', 'square'], restarts: 5, eotIter: 1 },
};

/** The AutoAttack version each AutoAttack name runs. */
export const AUTOATTACK_NAME_VERSIONS: Readonly<Record<string, AutoAttackVersion>> = {
  autoattack: 'standard',
  'autoattack-plus': 'plus',
  'autoattack-rand': 'rand',
  'autoattack-custom': 'custom',
};

/** The evaluation name of an AutoAttack version (`autoattack` for the standard one). */
export function autoAttackName(version: AutoAttackVersion): string {
  return Object.keys(AUTOATTACK_NAME_VERSIONS).find((k) => AUTOATTACK_NAME_VERSIONS[k] === version)!;
}

/** Parses a comma-separated list of AutoAttack stages (a `custom` version's); throws naming the bad one. */
export function parseAutoAttackStages(text: string): AutoAttackStage[] {
  const names = text.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  if (names.length === 0) throw new Error(`expected a comma-separated list of AutoAttack stages (${AUTOATTACK_STAGES.join(', ')}), got '${text}'`);
  return checkStages(names);
}

function checkStages(names: readonly string[]): AutoAttackStage[] {
  for (const s of names) {
    if (!(AUTOATTACK_STAGES as readonly string[]).includes(s)) {
      throw new Error(`AutoAttack: unknown stage '${s}' (expected ${AUTOATTACK_STAGES.join(', ')})`);
    }
  }
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`AutoAttack: stage '${dup}' is listed twice`);
  return names as AutoAttackStage[];
}

/** Options of {@link AutoAttack}; the defaults are the version's budgets. */
export interface AutoAttackOptions {
  /** Budget in the norm's measure. */
  eps: number;
  /** Threat model of every stage (default 'Linf'). */
  norm?: Norm;
  /** Version (default `standard`, or `custom` when `stages` is given). */
  version?: AutoAttackVersion;
  /**
   * Stages to run, in order: the `custom` version's list, or with another version some of its
   * own stages, run at its settings (e.g. the standard version's APGD-CE alone).
   */
  stages?: readonly AutoAttackStage[];
  /** APGD iterations (default 100). */
  apgdIter?: number;
  /** FAB and FAB-T iterations (default 100). */
  fabIter?: number;
  /** Square queries per example (default 5000). */
  squareQueries?: number;
  /** Square's initial window fraction (default 0.8). */
  squarePInit?: number;
  /** Target classes of APGD-T and FAB-T (default 9). */
  nTargetClasses?: number;
  /** Restarts of APGD-CE, APGD-DLR and FAB (default: the version's). */
  nRestarts?: number;
  /** EOT draws of APGD-CE and APGD-DLR (default: the version's, 20 for `rand`). */
  eotIter?: number;
  rng?: Rng | number;
}

/** Robust accuracy after each stage of one {@link AutoAttack.runDetailed} call. */
export interface AutoAttackBreakdown {
  /** Accuracy on the clean inputs. */
  clean: number;
  /** Accuracy after each stage (cumulative: examples broken by any stage so far count as broken). */
  stages: { name: AutoAttackStage; robustAccuracy: number; seconds: number }[];
  /** Number of examples. */
  n: number;
}

/** AutoAttack (L-inf or L2), implementing {@link Attack}. */
export class AutoAttack implements Attack {
  readonly name = 'autoattack';
  readonly eps: number;
  readonly norm: Norm;
  readonly version: AutoAttackVersion;
  readonly stages: AutoAttackStage[];
  /** The attack each stage runs, in order (inspect their settings here). */
  readonly plan: readonly { name: AutoAttackStage; attack: Attack }[];
  /** Breakdown of the last `run`. */
  lastBreakdown: AutoAttackBreakdown | undefined;

  constructor(opts: AutoAttackOptions) {
    if (opts === null || typeof opts !== 'object') throw new Error('AutoAttack: options object required');
    this.norm = checkNorm('AutoAttack', opts.norm ?? 'Linf');
    this.eps = checkEps('AutoAttack', opts.eps, this.norm);
    const version = opts.version ?? (opts.stages ? 'custom' : 'standard');
    if (!(AUTOATTACK_VERSIONS as readonly string[]).includes(version)) {
      throw new Error(`AutoAttack: unknown version '${version}' (expected ${AUTOATTACK_VERSIONS.join(', ')})`);
    }
    this.version = version;
    const settings = AUTOATTACK_VERSION_SETTINGS[version];
    this.stages = checkStages(opts.stages ?? settings.stages);
    const foreign = version === 'custom' ? undefined : this.stages.find((st) => !settings.stages.includes(st));
    if (foreign) {
      throw new Error(`AutoAttack: stage '${foreign}' is not in the ${version} version (${settings.stages.join(', ')}); use version 'custom'`);
    }
    const rng = resolveRng(opts.rng);
    const nTargetClasses = opts.nTargetClasses ?? 9;
    const nRestarts = opts.nRestarts ?? settings.restarts;
    const eotIter = opts.eotIter ?? settings.eotIter;
    const { eps, apgdIter: nIter, fabIter } = opts;
    const norm = this.norm;
    const build: Record<AutoAttackStage, () => Attack> = {
      'apgd-ce': () => new Apgd({ eps, norm, nIter, loss: 'ce', nRestarts, eotIter, rng }),
      'apgd-dlr': () => new Apgd({ eps, norm, nIter, loss: 'dlr', nRestarts, eotIter, rng }),
      'apgd-t': () => new Apgd({ eps, norm, nIter, loss: 'dlr-targeted', nTargetClasses, rng }),
      fab: () => new Fab({ eps, norm, nIter: fabIter, targeted: false, nRestarts, rng }),
      'fab-t': () => new Fab({ eps, norm, nIter: fabIter, targeted: true, nTargetClasses, rng }),
      // The reference builds its Square with resc_schedule=False: p halves at raw query counts.
      square: () => new SquareAttack({ eps, norm, nQueries: opts.squareQueries, pInit: opts.squarePInit, rescaleSchedule: false, rng }),
    };
    this.plan = this.stages.map((name) => ({ name, attack: build[name]() }));
  }

  run(model: Classifier, x: tf.Tensor4D, y: tf.Tensor1D): tf.Tensor4D {
    const { xAdv, breakdown } = this.runDetailed(model, x, y);
    this.lastBreakdown = breakdown;
    return xAdv;
  }

  runDetailed(model: Classifier, x: tf.Tensor4D, y: tf.Tensor1D): { xAdv: tf.Tensor4D; breakdown: AutoAttackBreakdown } {
    checkAttackInputs('AutoAttack', x, y);
    const n = x.shape[0];
    const labels = y.dataSync();
    const pred0 = predict(model, x);
    const robust = Array.from({ length: n }, (_, i) => pred0[i] === labels[i]);
    const count = () => robust.filter(Boolean).length;
    const breakdown: AutoAttackBreakdown = { clean: n ? count() / n : 0, stages: [], n };
    let xAdv = x.clone();
    for (const { name: stage, attack } of this.plan) {
      const t0 = performance.now();
      const idx = indicesWhere(robust);
      if (idx.length > 0) {
        const xs = takeRows(x, idx);
        const ys = takeRows(y, idx);
        const adv = attack.run(model, xs, ys);
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

/**
 * Registry entry: `autoattack` (the standard version), `autoattack-plus`, `autoattack-rand` and
 * `autoattack-custom` (the context's `aaStages`), with the context's budgets.
 */
export const autoAttackEntry = defineAttack<AutoAttackOptions>({
  kind: 'autoattack',
  match: /^autoattack(?:-(plus|rand|custom))?$/,
  names: Object.keys(AUTOATTACK_NAME_VERSIONS),
  norms: NORMS,
  evalOnly: true,
  // APGD-T's targeted DLR ranks the 4 largest logits, APGD-DLR's the 3 largest.
  minClasses: (m) => {
    const stages: readonly string[] = AUTOATTACK_VERSION_SETTINGS[AUTOATTACK_NAME_VERSIONS[m[0]]].stages;
    return stages.includes('apgd-t') ? 4 : stages.includes('apgd-dlr') ? 3 : 2;
  },
  options: ({ eps, norm, ctx, rng, match }) => {
    const version = AUTOATTACK_NAME_VERSIONS[match[0]];
    return {
      eps,
      norm,
      version,
      stages: version === 'custom' ? ctx.aaStages : undefined,
      apgdIter: ctx.apgdIter,
      fabIter: ctx.fabIter,
      squareQueries: ctx.squareQueries,
      squarePInit: ctx.squarePInit,
      nTargetClasses: ctx.nTargetClasses,
      nRestarts: ctx.restarts,
      rng,
    };
  },
  create: (o) => new AutoAttack(o),
});

/** What {@link autoAttackLog} prints: an AutoAttack result, over one batch or a whole evaluation. */
export interface AutoAttackLogInput {
  version?: string;
  /** Accuracy on the clean inputs, in [0,1]. */
  initialAccuracy: number;
  stages: readonly { name: string; robustAccuracy: number; seconds: number }[];
}

/**
 * AutoAttack's log lines as the reference prints them: the version and its stages, the initial
 * accuracy, the robust accuracy after each stage with the time since the first stage began, and
 * the final robust accuracy.
 */
export function autoAttackLog(r: AutoAttackLogInput): string[] {
  const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
  const lines = [`initial accuracy: ${pct(r.initialAccuracy)}`];
  if (r.version) lines.unshift(`using ${r.version} version including ${r.stages.map((s) => s.name).join(', ')}`);
  let total = 0;
  for (const s of r.stages) {
    total += s.seconds;
    lines.push(`robust accuracy after ${s.name.toUpperCase()}: ${pct(s.robustAccuracy)} (total time ${total.toFixed(1)} s)`);
  }
  lines.push(`robust accuracy: ${pct(r.stages.length ? r.stages[r.stages.length - 1].robustAccuracy : r.initialAccuracy)}`);
  return lines;
}
