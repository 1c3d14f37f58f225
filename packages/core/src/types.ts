/**
 * The shapes every part of @cat/core agrees on. Read this file first: data yields `Batch`es,
 * models are `Classifier`s to attacks and losses, every attack is an `Attack`, every training
 * method is a `TrainMethod`.
 */
import type * as tf from '@tensorflow/tfjs';
import type { MaskStats } from './methods/mask-stats.js';
import type { Rng } from './util/rng.js';

/** Images NHWC float32 in [0,1]; labels int32 class indices. */
export interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor1D;
}

/**
 * A classifier as attacks and losses see it: images in [0,1] (NHWC) to logits `[N, classes]`.
 * Dataset normalisation, if any, is inside (the model's first layer).
 */
export type Classifier = (x: tf.Tensor4D) => tf.Tensor2D;

/** A mask network: image in [0,1] to a per-pixel soft mask in (0,1) of the same shape. */
export type MaskNet = (x: tf.Tensor4D) => tf.Tensor4D;

/**
 * Every attack has this call shape (as in torchattacks): configure in the constructor, then
 * `run(model, x, y)`. The result is a new tensor owned by the caller, carries no gradient, and
 * satisfies `|x_adv - x|_inf <= eps` and `x_adv` in [0,1].
 */
export interface Attack {
  readonly name: string;
  run(model: Classifier, x: tf.Tensor4D, y: tf.Tensor1D): tf.Tensor4D;
}

/** Loss terms of one training step, as plain numbers (already read back from the backend). */
export type StepLosses = Record<string, number>;

/** What a training method may read and update in one step. */
export interface TrainState {
  /** The classifier being trained. */
  f: tf.LayersModel;
  /** The mask network (CAT only). */
  g?: tf.LayersModel;
  optF: tf.Optimizer;
  optG?: tf.Optimizer;
  /** Seeded randomness for attack starts; its state is checkpointed. */
  rng: Rng;
  /** Current epoch (0-based), for schedules inside a method (FAT's tau). */
  epoch: number;
  /** Total epochs of the run. */
  epochs: number;
}

/** Every training method has this call shape: one optimisation step on one batch. */
export interface TrainMethod {
  readonly name: string;
  /** True when the method trains a mask network `g` (CAT). */
  readonly needsMask: boolean;
  step(state: TrainState, batch: Batch): StepLosses;
  /**
   * Methods with a mask (CAT): statistics of the mask of the last step, read by the trainer
   * after each step to watch for a collapse. Null before the first step.
   */
  readonly lastMaskStats?: MaskStats | null;
}
