/**
 * AutoAttack's checks on the model itself (after the reference's `checks.py`), run on one batch
 * before an evaluation: each finding says why AutoAttack's figure may not be trusted.
 * - `probabilities`: the outputs look like probabilities (every value in [0,1], rows summing to
 *   1) rather than logits, which flattens the attacks' losses;
 * - `zero-gradients`: some correctly classified inputs (those the attacks run on; on a randomised
 *   model, correct in the gradient's own pass) have an exactly zero gradient of the DLR loss
 *   (cross-entropy with fewer than 3 classes), so gradient attacks cannot move them;
 * - `randomized`: repeated forward passes on the same batch differ (a randomised defence: use the
 *   `rand` version); not reported for the `rand` version itself, as in the reference;
 * - `dynamic`: an example's output changes with the rest of the batch (e.g. batch statistics at
 *   test time), so attacking a subset is not attacking the model evaluated; not checked on a
 *   randomised model (its outputs differ anyway);
 * - `n-classes`: too few classes for the DLR losses or for the target classes asked for.
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../types.js';
import { crossEntropyPerExample } from '../losses/cross-entropy.js';
import { dlrLossPerExample } from '../losses/dlr.js';
import { inputGradient } from '../attacks/gradient.js';
import type { AutoAttackStage, AutoAttackVersion } from '../attacks/autoattack.js';
import type { SanityFinding } from './sanity.js';

/** Options of {@link modelChecks}. */
export interface ModelCheckOptions {
  /** The AutoAttack version evaluated (`rand` skips the randomness check). */
  version?: AutoAttackVersion;
  /** The AutoAttack stages evaluated (for the class-count check; default none). */
  stages?: readonly AutoAttackStage[];
  /** Target classes of APGD-T and FAB-T (default 9). */
  nTargetClasses?: number;
  /** Forward passes of the randomness check (default 5). */
  passes?: number;
  /** Largest L2 distance between L2-normalised outputs that counts as equal (default 1e-4). */
  tolerance?: number;
}

/** Runs AutoAttack's model checks on the batch `(x, y)`; an empty list when nothing looks wrong. */
export function modelChecks(model: Classifier, x: tf.Tensor4D, y: tf.Tensor1D, opts: ModelCheckOptions = {}): SanityFinding[] {
  const n = x.shape[0];
  if (n === 0) throw new Error('modelChecks: empty batch');
  const tol = opts.tolerance ?? 1e-4;
  const findings: SanityFinding[] = [];
  /** Outputs on rows [begin, begin + size) of x, run as a batch of their own. */
  const outputs = (begin = 0, size = n) =>
    tf.tidy(() => model(size === n ? x : (tf.slice(x, [begin, 0, 0, 0], [size, -1, -1, -1]) as tf.Tensor4D)).arraySync() as number[][]);

  const first = outputs();
  const labels = Array.from(y.dataSync());
  const classes = first[0].length;
  const flat = first.flat();
  const rowsSumToOne = first.every((row) => Math.abs(row.reduce((a, v) => a + v, 0) - 1) < 1e-5);
  if (Math.max(...flat) < 1 + 1e-5 && Math.min(...flat) > -1e-5 && rowsSumToOne) {
    findings.push({
      check: 'probabilities',
      message: 'the model outputs look like probabilities (all in [0,1], rows summing to 1): the attacks need logits',
    });
  }

  // Measured always (it decides whether the dynamic check can tell anything); reported unless
  // the evaluation already treats the model as randomised.
  const runs = [first];
  for (let p = 1; p < (opts.passes ?? 5); p++) runs.push(outputs());
  const counts = runs.map((out) => out.filter((row, i) => argmax(row) === labels[i]).length);
  let maxDiff = 0;
  for (let a = 0; a < runs.length; a++) {
    for (let b = a + 1; b < runs.length; b++) maxDiff = Math.max(maxDiff, maxRowDistance(runs[a], runs[b]));
  }
  const randomized = maxDiff > tol || counts.some((c) => c !== counts[0]);
  if (randomized && opts.version !== 'rand') {
    findings.push({
      check: 'randomized',
      message:
        `repeated forward passes on the same inputs differ (normalised outputs up to ${maxDiff.toPrecision(3)} apart, ` +
        `correct counts ${[...new Set(counts)].join('/')}): it looks like a randomised defence; use AutoAttack's rand version`,
    });
  }

  if (!randomized && n > 1) {
    // Each half of the batch alone against the same examples inside the whole batch.
    const half = Math.ceil(n / 2);
    const parts = [...outputs(0, half), ...(half < n ? outputs(half, n - half) : [])];
    const diff = maxRowDistance(first, parts);
    if (diff > tol) {
      findings.push({
        check: 'dynamic',
        message:
          `an example's output changes with the rest of the batch (normalised outputs up to ${diff.toPrecision(3)} apart): ` +
          'it looks like a dynamic defence; AutoAttack, which attacks subsets, may not evaluate it properly',
      });
    }
  }

  // As in AutoAttack, on the inputs the attacks would run on: those classified correctly. The
  // gradient's own forward pass decides which those are: on a randomised model an input right in
  // the first pass may be wrong in that one, and DLR is flat (exactly 1) wherever the true class
  // ranks third, which would read as a zero gradient the attacks never meet.
  const candidates = first.map((row, i) => (argmax(row) === labels[i] ? i : -1)).filter((i) => i >= 0);
  if (candidates.length > 0) {
    const useDlr = classes >= 3;
    const [gradNorms, passLogits] = tf.tidy(() => {
      const idx = tf.tensor1d(candidates, 'int32');
      const ys = tf.gather(y, idx) as tf.Tensor1D;
      const lossFn = (z: tf.Tensor2D) => (useDlr ? dlrLossPerExample(z, ys) : crossEntropyPerExample(z, ys));
      const { logits, loss, grad } = inputGradient(model, tf.gather(x, idx) as tf.Tensor4D, lossFn);
      const out: [Float32Array, number[][]] = [tf.sum(tf.abs(grad), [1, 2, 3]).dataSync() as Float32Array, logits.arraySync() as number[][]];
      tf.dispose([logits, loss]);
      return out;
    });
    const right = candidates.map((i, k) => (argmax(passLogits[k]) === labels[i] ? k : -1)).filter((k) => k >= 0);
    const zero = right.filter((k) => gradNorms[k] === 0).length;
    if (zero > 0) {
      findings.push({
        check: 'zero-gradients',
        message:
          `${zero} of ${right.length} correctly classified inputs (${((zero / right.length) * 100).toFixed(1)}%) have a zero gradient ` +
          `of the ${useDlr ? 'DLR' : 'cross-entropy'} loss: gradient attacks cannot move them and may overstate robustness`,
      });
    }
  }

  const stages = opts.stages ?? [];
  const targets = opts.nTargetClasses ?? 9;
  const problems: string[] = [];
  if (stages.includes('apgd-dlr') && classes < 3) problems.push(`APGD-DLR needs at least 3 classes (the model has ${classes})`);
  if (stages.includes('apgd-t') && classes < 4) problems.push(`APGD-T's targeted DLR loss needs at least 4 classes (the model has ${classes})`);
  for (const s of ['apgd-t', 'fab-t'] as const) {
    if (stages.includes(s) && targets > classes - 1) {
      problems.push(`${s.toUpperCase()} asks for ${targets} target classes, only ${classes - 1} are possible`);
    }
  }
  if (problems.length > 0) findings.push({ check: 'n-classes', message: problems.join('; ') });
  return findings;
}

function argmax(row: number[]): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
  return best;
}

/** Largest L2 distance between matching rows after scaling each row to unit L2 norm. */
function maxRowDistance(a: number[][], b: number[][]): number {
  const unit = (row: number[]) => {
    const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0)) + 1e-10;
    return row.map((v) => v / norm);
  };
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const ua = unit(a[i]);
    const ub = unit(b[i]);
    max = Math.max(max, Math.sqrt(ua.reduce((s, v, j) => s + (v - ub[j]) ** 2, 0)));
  }
  return max;
}
