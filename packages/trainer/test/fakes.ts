/**
 * Tiny stand-ins for the heavy parts (data, models, method) so the trainer's own logic can be
 * tested in seconds on the cpu backend. Evaluation stays real (core's PGD and evaluate).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, type ImageSet, type TrainMethod } from '@cat/core';
import { coreDeps, type TrainConfigInput, type TrainData, type TrainDeps } from '@cat/trainer';

const H = 8;
const K = 4;

/** Four classes of 8x8 gray images, each brighter in its own quadrant, plus seeded noise. */
export function syntheticSet(count: number, seed: number): ImageSet {
  const rng = new Rng(seed);
  const images = new Float32Array(count * H * H);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const k = i % K;
    labels[i] = k;
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < H; c++) {
        const inQuad = (r < H / 2 ? 0 : 2) + (c < H / 2 ? 0 : 1) === k;
        images[i * H * H + r * H + c] = Math.min(1, (inQuad ? 0.7 : 0.1) + 0.2 * rng.next());
      }
    }
  }
  return { images, labels, count, height: H, width: H, channels: 1 };
}

export const fakeData: TrainData = { train: syntheticSet(48, 1), test: syntheticSet(16, 2), numClasses: K, mean: [0], std: [1] };

/** Where a fake method should misbehave. */
export interface Fault {
  epoch: number;
  step: number;
  kind: 'nan-loss' | 'nan-weight';
}

/**
 * A fake training method: one CE step on `x + U(-0.05, 0.05)` noise drawn with a seed from the
 * run's RNG (so resume must restore that RNG exactly), and one step of `g` towards a mask of 0.5.
 */
export function fakeMethod(fault?: Fault): TrainMethod {
  let epochSeen = -1;
  let step = 0;
  return {
    name: 'fake',
    needsMask: true,
    step(state, batch) {
      if (state.epoch !== epochSeen) {
        epochSeen = state.epoch;
        step = 0;
      }
      step++;
      const seed = state.rng.seed();
      const lossF = state.optF.minimize(
        () =>
          tf.tidy(() => {
            const xn = tf.add(batch.x, tf.randomUniform(batch.x.shape, -0.05, 0.05, 'float32', seed));
            const logits = state.f.apply(xn, { training: true }) as tf.Tensor2D;
            return tf.losses.softmaxCrossEntropy(tf.oneHot(batch.y, K), logits) as tf.Scalar;
          }),
        true,
        state.f.trainableWeights.map((w) => w.read() as tf.Variable),
      )!;
      const lossG = state.optG!.minimize(
        () => tf.tidy(() => tf.mean(tf.square(tf.sub(state.g!.apply(batch.x) as tf.Tensor, 0.5))) as tf.Scalar),
        true,
        state.g!.trainableWeights.map((w) => w.read() as tf.Variable),
      )!;
      const out = { loss_f: lossF.dataSync()[0], loss_g: lossG.dataSync()[0] };
      tf.dispose([lossF, lossG]);
      if (fault && fault.epoch === state.epoch + 1 && fault.step === step) {
        if (fault.kind === 'nan-loss') out.loss_g = NaN;
        else state.f.weights[0].write(tf.fill(state.f.weights[0].shape as number[], NaN));
      }
      return out;
    },
  };
}

/** A two-layer dense classifier and a one-conv mask net, seeded. */
export function fakeModels(seed: number): { f: tf.LayersModel; g: tf.LayersModel } {
  const f = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [H, H, 1] }),
      tf.layers.dense({ units: 6, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: K, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
  const g = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [H, H, 1],
        filters: 1,
        kernelSize: 3,
        padding: 'same',
        activation: 'sigmoid',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }),
      }),
    ],
  });
  return { f, g };
}

/** Deps with the fakes; evaluation is core's real one (natural + PGD). */
export function fakeDeps(fault?: Fault): Partial<TrainDeps> {
  return {
    setBackend: async () => {
      await tf.setBackend('cpu');
      return tf.getBackend();
    },
    loadData: async () => fakeData,
    buildModels: (cfg) => fakeModels(cfg.seed),
    createMethod: () => fakeMethod(fault),
    evaluate: coreDeps.evaluate,
  };
}

/** A small config for the fakes; `out` must be given. */
export function tinyConfig(out: string, extra: Partial<TrainConfigInput> = {}): TrainConfigInput {
  return {
    method: 'cat-cent',
    dataset: 'mnist-digits',
    eps: 0.1,
    alpha: 0.05,
    evalSteps: 2,
    epochs: 3,
    batch: 16,
    seed: 7,
    backend: 'cpu',
    lr: 0.01,
    milestones: [2],
    out,
    ...extra,
  };
}
