/**
 * Real digits for the benchmark workloads (speed depends on the weights, so every engine trains
 * a few steps on real data before it is timed: PyTorch's PGD-20 on the MNIST CNN runs about 3.4x
 * faster once trained a few steps than freshly initialised).
 */
import { batches, batchToTensors, loadDataset, Rng, type Batch, type ImageSet } from '@cat/core';

let digitsTrain: Promise<ImageSet> | undefined;

/** The 8,000 training digits of 'mnist-digits', loaded once per process. */
export function trainDigits(): Promise<ImageSet> {
  digitsTrain ??= loadDataset('mnist-digits').then((d) => d.train);
  return digitsTrain;
}

/**
 * The first `count` images of a 28x28x1 set as 32x32x3 images: zero-padded by 2 pixels on each
 * side and repeated over 3 channels, the input shape of the CIFAR models (the PyTorch peer does
 * the same, so both engines see the same pixels).
 */
export function digitsAsColour(set: ImageSet, count: number): ImageSet {
  if (set.height !== 28 || set.width !== 28 || set.channels !== 1) {
    throw new Error(`digitsAsColour: expected 28x28x1 images, got ${set.height}x${set.width}x${set.channels}`);
  }
  const n = Math.min(count, set.count);
  const images = new Float32Array(n * 32 * 32 * 3);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        const v = set.images[i * 784 + r * 28 + c];
        const o = ((i * 32 + r + 2) * 32 + c + 2) * 3;
        images[o] = v;
        images[o + 1] = v;
        images[o + 2] = v;
      }
    }
  }
  return { images, labels: set.labels.slice(0, n), count: n, height: 32, width: 32, channels: 3 };
}

/**
 * `count` batches of `batchSize` shuffled images of `set` (cycling through it when it is too
 * small), as tensors the caller disposes.
 */
export function takeBatches(set: ImageSet, batchSize: number, count: number, seed: number): Batch[] {
  if (batchSize > set.count) {
    throw new Error(`bench: batch ${batchSize} is larger than the ${set.count} images available`);
  }
  const rng = new Rng(seed);
  const out: Batch[] = [];
  while (out.length < count) {
    for (const b of batches(set, { batchSize, rng, dropLast: true })) {
      out.push(batchToTensors(b, set));
      if (out.length === count) break;
    }
  }
  return out;
}
