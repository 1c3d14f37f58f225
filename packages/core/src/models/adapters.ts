/** Views of a tfjs model as the function types attacks, losses and methods take. */
import type * as tf from '@tensorflow/tfjs';
import { runModel } from './run-model.js';
import type { Classifier, MaskNet } from '../types.js';

function singleOutputRank(model: tf.LayersModel, who: string): number {
  if (model == null || typeof (model as { apply?: unknown }).apply !== 'function') {
    throw new Error(`${who}: expected a tf.LayersModel, got ${String(model)}`);
  }
  if (model.outputs.length !== 1) {
    throw new Error(`${who}: model ${model.name} has ${model.outputs.length} outputs, expected 1`);
  }
  return model.outputs[0].shape.length;
}

/**
 * A `Classifier` computing `model.apply(x, { training })` (by {@link runModel}, which frees
 * intermediates early). `training` picks BatchNorm's mode: false uses (and keeps) the running
 * statistics, true normalises with batch statistics and updates the running ones on every call.
 */
export function asClassifier(model: tf.LayersModel, training = false): Classifier {
  const rank = singleOutputRank(model, 'asClassifier');
  if (rank !== 2) throw new Error(`asClassifier: model ${model.name} outputs rank ${rank}, expected logits [N, classes]`);
  return (x) => runModel(model, x, training) as tf.Tensor2D;
}

/** A `MaskNet` computing `model.apply(x, { training })` (see {@link asClassifier}). */
export function asMaskNet(model: tf.LayersModel, training = false): MaskNet {
  const rank = singleOutputRank(model, 'asMaskNet');
  if (rank !== 4) throw new Error(`asMaskNet: model ${model.name} outputs rank ${rank}, expected a mask [N, H, W, C]`);
  return (x) => runModel(model, x, training) as tf.Tensor4D;
}
