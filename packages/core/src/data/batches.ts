/** Seeded shuffling and batching of an ImageSet, and turning a batch into tensors. */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../types.js';
import type { Rng } from '../util/rng.js';
import { padCropFlip } from './augment.js';
import { imageSize, type ImageSet } from './image-set.js';

/** One batch as plain arrays: `size` images (NHWC) and their labels. */
export interface ArrayBatch {
  x: Float32Array;
  y: Int32Array;
  size: number;
}

/** Options of `batches`. */
export interface BatchOptions {
  batchSize: number;
  /** Shuffle with this generator (the order is drawn when iteration starts); in order when absent. */
  rng?: Rng;
  /** Drop a last batch smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /** Pad-4 random crop + horizontal flip per image, drawn from `rng` (which is then required). */
  augment?: boolean;
  /** Padding of the random crop (default 4, as for CIFAR). */
  pad?: number;
}

/** Number of batches `batches(set, opts)` yields. */
export function batchCount(set: ImageSet, opts: Pick<BatchOptions, 'batchSize' | 'dropLast'>): number {
  return opts.dropLast ? Math.floor(set.count / opts.batchSize) : Math.ceil(set.count / opts.batchSize);
}

/**
 * Yields the set in batches, shuffled by `opts.rng` when given. Each batch owns fresh arrays.
 * @throws Error for a batch size that is not a positive integer, or `augment` without `rng`.
 */
export function* batches(set: ImageSet, opts: BatchOptions): Generator<ArrayBatch> {
  const { batchSize, rng, dropLast = false, augment = false, pad = 4 } = opts;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batches: batchSize must be a positive integer, got ${batchSize}`);
  }
  if (augment && !rng) throw new Error('batches: augment needs an rng (augmentation is random)');
  if (!Number.isInteger(pad) || pad < 0) throw new Error(`batches: pad must be a non-negative integer, got ${pad}`);
  const per = imageSize(set);
  const order = rng ? rng.permutation(set.count) : Int32Array.from({ length: set.count }, (_, i) => i);
  for (let start = 0; start < set.count; start += batchSize) {
    const size = Math.min(batchSize, set.count - start);
    if (size < batchSize && dropLast) return;
    const x = new Float32Array(size * per);
    const y = new Int32Array(size);
    for (let b = 0; b < size; b++) {
      const idx = order[start + b];
      y[b] = set.labels[idx];
      if (augment) {
        padCropFlip(set.images, idx * per, x, b * per, set.height, set.width, set.channels, pad, rng!);
      } else {
        x.set(set.images.subarray(idx * per, (idx + 1) * per), b * per);
      }
    }
    yield { x, y, size };
  }
}

/** The batch as tensors `x: [size, H, W, C]` float32 and `y: [size]` int32 (caller disposes). */
export function batchToTensors(batch: ArrayBatch, set: Pick<ImageSet, 'height' | 'width' | 'channels'>): Batch {
  if (batch.x.length !== batch.size * imageSize(set) || batch.y.length !== batch.size) {
    throw new Error(
      `batchToTensors: batch of ${batch.size} holds ${batch.x.length} values and ${batch.y.length} labels, ` +
        `expected ${batch.size * imageSize(set)} values (${set.height}x${set.width}x${set.channels} each) and ${batch.size} labels`,
    );
  }
  return {
    x: tf.tensor4d(batch.x, [batch.size, set.height, set.width, set.channels]),
    y: tf.tensor1d(batch.y, 'int32'),
  };
}
