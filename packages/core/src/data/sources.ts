/**
 * Where the full data sets come from and what their bytes must hash to. URLs and SHA-256 sums are
 * the ones TensorFlow Datasets pins (tensorflow_datasets/url_checksums/{mnist,fashion_mnist,
 * cifar10,cifar100}.txt), which also match torchvision's MNIST sums. Every file here has a published
 * SHA-256, so no file falls back to MD5 (the downloader supports MD5 for sources that only have that).
 */

/** One file to download. */
export interface RemoteFile {
  url: string;
  /** File name in the cache folder. */
  file: string;
  sha256?: string;
  md5?: string;
  /** Expected size in bytes (for progress totals and an early truncation check). */
  bytes?: number;
}

/** The archives of each downloadable data set. */
export interface DatasetSource {
  files: RemoteFile[];
  /** For tarballs: the folder the archive unpacks to (inside the data set's cache folder). */
  extractsTo?: string;
}

const MNIST_BASE = 'https://storage.googleapis.com/cvdf-datasets/mnist/';
const FASHION_BASE = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';

/** Download sources per data set ('mnist-digits' is embedded and needs none). */
export const DATASET_SOURCES = {
  mnist: {
    files: [
      { url: `${MNIST_BASE}train-images-idx3-ubyte.gz`, file: 'train-images-idx3-ubyte.gz', bytes: 9912422,
        sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609' },
      { url: `${MNIST_BASE}train-labels-idx1-ubyte.gz`, file: 'train-labels-idx1-ubyte.gz', bytes: 28881,
        sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c' },
      { url: `${MNIST_BASE}t10k-images-idx3-ubyte.gz`, file: 't10k-images-idx3-ubyte.gz', bytes: 1648877,
        sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6' },
      { url: `${MNIST_BASE}t10k-labels-idx1-ubyte.gz`, file: 't10k-labels-idx1-ubyte.gz', bytes: 4542,
        sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6' },
    ],
  },
  // Debian's dataset-fashion-mnist recompresses these files, so its copies hash differently; the
  // loader reads those without checking sums, only downloads are checked.
  'fashion-mnist': {
    files: [
      { url: `${FASHION_BASE}train-images-idx3-ubyte.gz`, file: 'train-images-idx3-ubyte.gz', bytes: 26421880,
        sha256: '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84' },
      { url: `${FASHION_BASE}train-labels-idx1-ubyte.gz`, file: 'train-labels-idx1-ubyte.gz', bytes: 29515,
        sha256: 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845' },
      { url: `${FASHION_BASE}t10k-images-idx3-ubyte.gz`, file: 't10k-images-idx3-ubyte.gz', bytes: 4422102,
        sha256: '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073' },
      { url: `${FASHION_BASE}t10k-labels-idx1-ubyte.gz`, file: 't10k-labels-idx1-ubyte.gz', bytes: 5148,
        sha256: '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5' },
    ],
  },
  cifar10: {
    files: [
      { url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz', file: 'cifar-10-binary.tar.gz', bytes: 170052171,
        sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd' },
    ],
    extractsTo: 'cifar-10-batches-bin',
  },
  cifar100: {
    files: [
      { url: 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz', file: 'cifar-100-binary.tar.gz', bytes: 168513733,
        sha256: '58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec' },
    ],
    extractsTo: 'cifar-100-binary',
  },
} satisfies Record<string, DatasetSource>;

/** Data sets that can be downloaded. */
export type DownloadableDataset = keyof typeof DATASET_SOURCES;
