/**
 * The NaN / divergence guard: a non-finite loss term or weight stops the run with an error that
 * says where it happened and which checkpoint is the last good one.
 */
import * as tf from '@tensorflow/tfjs';
import { describeMaskStats, MASK_COLLAPSE_FRACTION, MASK_LOW, type MaskStats, type StepLosses } from '@cat/core';

/** Where in the run a check happened, for the error message. */
export interface GuardContext {
  /** 1-based epoch. */
  epoch: number;
  /** 1-based step within the epoch. */
  step: number;
  /** 1-based step over the whole run. */
  globalStep: number;
  /** Human description of the last complete checkpoint. */
  lastGood: string;
}

/** Thrown when training produced a non-finite number; nothing is saved after it. */
export class DivergenceError extends Error {
  constructor(message: string, readonly where: GuardContext, readonly term: string) {
    super(message);
    this.name = 'DivergenceError';
  }
}

function describe(ctx: GuardContext): string {
  return `epoch ${ctx.epoch}, step ${ctx.step} (global step ${ctx.globalStep})`;
}

/** Throw a {@link DivergenceError} if any loss term is not a finite number. */
export function checkLosses(losses: StepLosses, ctx: GuardContext): void {
  for (const [term, v] of Object.entries(losses)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new DivergenceError(
        `training diverged at ${describe(ctx)}: loss term "${term}" is ${v}; stopped without saving. Last good checkpoint: ${ctx.lastGood}`,
        ctx,
        term,
      );
    }
  }
}

/**
 * Throw a {@link DivergenceError} if any weight of the named models is not finite. One fused
 * reduction per model and a single read-back keep this cheap enough to run every step.
 */
export function checkWeights(models: Record<string, tf.LayersModel | undefined>, ctx: GuardContext): void {
  const names = Object.keys(models).filter((k) => models[k] !== undefined);
  const flags = tf.tidy(() =>
    tf.stack(
      names.map((k) => {
        const ws = models[k]!.weights.map((w) => tf.sum(tf.cast(tf.logicalNot(tf.isFinite(w.read())), 'int32')));
        return ws.length ? tf.addN(ws) : tf.scalar(0, 'int32');
      }),
    ),
  );
  const bad = flags.dataSync();
  flags.dispose();
  names.forEach((k, i) => {
    if (bad[i] > 0) {
      const w = models[k]!.weights.find((v) => tf.tidy(() => tf.any(tf.logicalNot(tf.isFinite(v.read()))).dataSync()[0]));
      const term = `weight ${w?.originalName ?? '?'} of ${k}`;
      throw new DivergenceError(
        `training diverged at ${describe(ctx)}: ${term} has ${bad[i]} non-finite value(s); stopped without saving. Last good checkpoint: ${ctx.lastGood}`,
        ctx,
        term,
      );
    }
  });
}

/**
 * Thrown when CAT's mask collapsed over an epoch (more than 99% of its values below 0.01): the
 * calibrated example is then the natural image, the KL term is 0, and the run would silently
 * train a non-robust natural classifier. Checkpoints already written stay as they are.
 */
export class MaskCollapseError extends Error {
  constructor(message: string, readonly epoch: number, readonly stats: MaskStats) {
    super(message);
    this.name = 'MaskCollapseError';
  }
}

/**
 * The {@link MaskCollapseError} naming the epoch, the statistics and the fix, for `stats` (the
 * mask statistics at the end of an epoch: the mean over its last quarter of steps) that
 * `isMaskCollapsed` found collapsed: more than {@link MASK_COLLAPSE_FRACTION} of the values below
 * {@link MASK_LOW}.
 */
export function maskCollapseError(stats: MaskStats, epoch: number, lastGood: string): MaskCollapseError {
  return new MaskCollapseError(
    `the CAT mask collapsed in epoch ${epoch}: ${(100 * stats.low).toFixed(1)}% of its values are below ${MASK_LOW} ` +
      `over the epoch's last quarter of steps (more than ${100 * MASK_COLLAPSE_FRACTION}% is a collapse; ${describeMaskStats(stats)}). The calibrated example is the ` +
      'natural image, the KL term is 0 and the run is training a non-robust natural classifier, so it stopped without saving this epoch. ' +
      "Fix: train with cat's default recipe (--recipe cat, its mask settings chosen against this collapse), or set " +
      '--mask-init 0.95, --mask-lr-scale 0.1 or --mask-warmup-epochs 1 yourself; --allow-mask-collapse goes on anyway. ' +
      `Last complete checkpoint: ${lastGood}`,
    epoch,
    stats,
  );
}
