/**
 * Tiny tfjs models and a separable toy problem so attack and method tests run in seconds on the
 * cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import { asClassifier, type Classifier, Rng } from '@cat/core';

/** A conv + dense classifier on `[h, w, c]` images with seeded weights. */
export function tinyClassifier(shape: [number, number, number], classes: number, seed: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: shape,
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
        biasInitializer: tf.initializers.constant({ value: 0.01 }),
      }),
      tf.layers.flatten(),
      tf.layers.dense({ units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}

/** A tiny mask net: one conv to the image's channel count, then a sigmoid. */
export function tinyMaskNet(shape: [number, number, number], seed: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: shape,
        filters: shape[2],
        kernelSize: 3,
        padding: 'same',
        activation: 'sigmoid',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
        biasInitializer: tf.initializers.constant({ value: 0.5 }),
      }),
    ],
  });
}

/** Random images in [0,1] and random int32 labels from a seeded stream. */
export function randomBatch(
  rng: Rng,
  n: number,
  shape: [number, number, number],
  classes: number,
): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const size = n * shape[0] * shape[1] * shape[2];
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.next();
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = rng.int(classes);
  return { x: tf.tensor4d(values, [n, ...shape]), y: tf.tensor1d(labels, 'int32') };
}

export const TOY_SHAPE: [number, number, number] = [6, 6, 1];
export const TOY_CLASSES = 3;

/** The most classes the toy problem encodes: three row bands, then three column bands. */
export const TOY_MAX_CLASSES = 6;

/**
 * A separable toy problem: faint noise plus a bright bar whose band encodes the class. Classes
 * 0-2 are 2x6 bars in row band k (the {@link TOY_CLASSES} problem); with `classes` above 3,
 * classes 3-5 are 6x2 bars in column band k - 3, so the attacks that need 4+ classes (APGD-T,
 * AutoAttack) have a problem too. Clean accuracy reaches 100 % in a few dozen steps, and an eps
 * of 0.3 suffices to move the bar. The same stream gives the same images for any `classes`.
 */
export function toyBatch(rng: Rng, n: number, classes = TOY_CLASSES): { x: tf.Tensor4D; y: tf.Tensor1D } {
  if (!Number.isInteger(classes) || classes < 2 || classes > TOY_MAX_CLASSES) {
    throw new Error(`toyBatch: classes must be an integer in [2, ${TOY_MAX_CLASSES}], got ${classes}`);
  }
  const [h, w] = TOY_SHAPE;
  const values = new Float32Array(n * h * w);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % classes;
    labels[i] = k;
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        const bar = k < 3 ? Math.floor(r / 2) === k : Math.floor(c / 2) === k - 3;
        values[i * h * w + r * w + c] = bar ? 0.55 + 0.1 * rng.next() : 0.2 * rng.next();
      }
    }
  }
  return { x: tf.tensor4d(values, [n, h, w, 1]), y: tf.tensor1d(labels, 'int32') };
}

/** Trains a tiny classifier naturally on the toy problem with `classes` classes (Adam, full batch). */
export function trainedToyClassifier(seed: number, steps = 60, classes = TOY_CLASSES): tf.LayersModel {
  const model = tinyClassifier(TOY_SHAPE, classes, seed);
  const data = toyBatch(new Rng(seed), 20 * classes, classes);
  const opt = tf.train.adam(0.05);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      opt.minimize(
        () => tf.losses.softmaxCrossEntropy(tf.oneHot(data.y, classes), model.apply(data.x) as tf.Tensor) as tf.Scalar,
        false,
        vars,
      );
    });
  }
  tf.dispose([data.x, data.y]);
  opt.dispose();
  return model;
}

/**
 * Trained toy classifiers by class count (at least {@link TOY_CLASSES}), each trained once on first
 * use: the 3-class one for most attacks, wider ones for those that need more classes.
 */
export function trainedToyClassifiers(seed: number): { get(classes: number): tf.LayersModel; dispose(): void } {
  const models = new Map<number, tf.LayersModel>();
  return {
    get(classes) {
      const k = Math.max(classes, TOY_CLASSES);
      if (!models.has(k)) models.set(k, trainedToyClassifier(seed, 60, k));
      return models.get(k)!;
    },
    dispose: () => tf.dispose([...models.values()]),
  };
}

/** Fraction of examples the classifier labels correctly. */
export function accuracy(model: Classifier, x: tf.Tensor4D, y: tf.Tensor1D): number {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(model(x), 1), y), 'float32')).dataSync()[0]);
}

/** `asClassifier` in inference mode (re-exported so tests need one import). */
export const inference = (m: tf.LayersModel): Classifier => asClassifier(m, false);
