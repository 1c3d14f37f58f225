import * as tf from '@tensorflow/tfjs';
import { Rng, type TrainState } from '@cat/core';
import { tinyClassifier, tinyMaskNet, TOY_CLASSES, TOY_SHAPE } from '../attacks/tiny-models.js';

/** A linear classifier on the toy shape: smooth everywhere, so finite differences are clean. */
export function linearClassifier(seed: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: TOY_SHAPE }),
      tf.layers.dense({ units: TOY_CLASSES, kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
    ],
  });
}

/** A training state with tiny f and g; SGD by default so updates are exactly `-lr * grad`. */
export function tinyState(
  opts: { seed?: number; linear?: boolean; lr?: number; adam?: boolean; epoch?: number; epochs?: number } = {},
): TrainState {
  const seed = opts.seed ?? 1;
  const lr = opts.lr ?? 0.1;
  const make = () => (opts.adam ? tf.train.adam(lr) : tf.train.sgd(lr));
  return {
    f: opts.linear ? linearClassifier(seed) : tinyClassifier(TOY_SHAPE, TOY_CLASSES, seed),
    g: tinyMaskNet(TOY_SHAPE, seed + 100),
    optF: make(),
    optG: make(),
    rng: new Rng(seed),
    epoch: opts.epoch ?? 0,
    epochs: opts.epochs ?? 10,
  };
}

/** Trainable weights as flat arrays (a snapshot). */
export function snapshot(model: tf.LayersModel): Float32Array[] {
  return model.trainableWeights.map((w) => (w.read().dataSync() as Float32Array).slice());
}

/** Largest absolute change between two snapshots. */
export function maxChange(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((arr, i) => arr.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i][j])))));
  return worst;
}

export function disposeState(state: TrainState): void {
  state.f.dispose();
  state.g?.dispose();
  state.optF.dispose();
  state.optG?.dispose();
}
