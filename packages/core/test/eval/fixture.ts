/**
 * A small honest model for the evaluation tests: a 784-64-10 MLP trained for a few seconds on
 * the embedded MNIST digits (tfjs cpu), plus a deliberately masked copy whose logits are scaled by
 * 1e4 so softmax saturates and cross-entropy gradients vanish.
 */
import * as tf from '@tensorflow/tfjs';
import { loadMnistDigits, type ImageSet } from '@cat/core';
import type { Classifier } from '@cat/core';

export interface Fixture {
  model: tf.LayersModel;
  honest: Classifier;
  masked: Classifier;
  test: ImageSet;
  /** The first `n` test images as tensors. */
  testTensors(n: number): { x: tf.Tensor4D; y: tf.Tensor1D };
}

let cached: Promise<Fixture> | undefined;

export function trainedFixture(): Promise<Fixture> {
  cached ??= build();
  return cached;
}

async function build(): Promise<Fixture> {
  await tf.setBackend('cpu');
  const { train, test } = loadMnistDigits();
  const nTrain = 1500;
  const xs = tf.tensor4d(train.images.subarray(0, nTrain * 784), [nTrain, 28, 28, 1]);
  const ys = tf.oneHot(tf.tensor1d(train.labels.subarray(0, nTrain), 'int32'), 10);
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(3e-3), loss: tf.losses.softmaxCrossEntropy });
  await model.fit(xs, ys, { epochs: 8, batchSize: 100, shuffle: false, verbose: 0 });
  tf.dispose([xs, ys]);
  const honest: Classifier = (x) => model.apply(x) as tf.Tensor2D;
  const masked: Classifier = (x) => tf.mul(model.apply(x) as tf.Tensor2D, 1e4) as tf.Tensor2D;
  return {
    model,
    honest,
    masked,
    test,
    testTensors(n: number) {
      return {
        x: tf.tensor4d(test.images.subarray(0, n * 784), [n, 28, 28, 1]),
        y: tf.tensor1d(test.labels.subarray(0, n), 'int32'),
      };
    },
  };
}

/** Accuracy of `model` on (x, y), in [0,1]. */
export function accuracy(model: Classifier, x: tf.Tensor4D, y: tf.Tensor1D): number {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(model(x), 1), y), 'float32')).dataSync()[0]);
}

/** Largest |a - b| over all elements. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}
