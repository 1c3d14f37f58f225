/** The in-memory shapes of a loaded data set. */

/** Names of the data sets `loadDataset` knows. */
export type DatasetName = 'mnist-digits' | 'mnist' | 'fashion-mnist' | 'cifar10' | 'cifar100';

/** All data set names, in a stable order (for CLI help and validation). */
export const DATASET_NAMES: readonly DatasetName[] = [
  'mnist-digits',
  'mnist',
  'fashion-mnist',
  'cifar10',
  'cifar100',
];

/** A set of images with their labels, as flat typed arrays. */
export interface ImageSet {
  /** `count * height * width * channels` values, NHWC, in [0,1]. */
  images: Float32Array;
  /** `count` class indices in [0, numClasses). */
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

/** A loaded data set: a train and a test split plus what a model needs to know about it. */
export interface Dataset {
  name: DatasetName;
  train: ImageSet;
  test: ImageSet;
  numClasses: number;
  classNames: string[];
  /** Per-channel mean for the model's normalisation layer (0 for MNIST-like sets: none). */
  mean: number[];
  /** Per-channel std for the model's normalisation layer (1 for MNIST-like sets: none). */
  std: number[];
}

/** Number of values of one image of `set`. */
export function imageSize(set: Pick<ImageSet, 'height' | 'width' | 'channels'>): number {
  return set.height * set.width * set.channels;
}

/** Joins several ImageSets of the same image shape (the five CIFAR-10 training batches). */
export function concatImageSets(sets: ImageSet[]): ImageSet {
  if (sets.length === 0) throw new Error('concatImageSets: no sets given');
  const { height, width, channels } = sets[0];
  for (const s of sets) {
    if (s.height !== height || s.width !== width || s.channels !== channels) {
      throw new Error(
        `concatImageSets: image shapes differ (${height}x${width}x${channels} vs ${s.height}x${s.width}x${s.channels})`,
      );
    }
  }
  const count = sets.reduce((a, s) => a + s.count, 0);
  const images = new Float32Array(count * height * width * channels);
  const labels = new Int32Array(count);
  let at = 0;
  for (const s of sets) {
    images.set(s.images, at * height * width * channels);
    labels.set(s.labels, at);
    at += s.count;
  }
  return { images, labels, count, height, width, channels };
}
