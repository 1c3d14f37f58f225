/** `loadDataset`: one entry point for every supported data set. */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { resolveCacheDir } from './cache.js';
import { parseCifar, CIFAR10_LAYOUT, CIFAR100_FINE_LAYOUT, CIFAR100_COARSE_LAYOUT } from './cifar.js';
import { loadMnistDigits } from './digits.js';
import { DataFormatError, DataMissingError } from './errors.js';
import { fetchDataset } from './fetch.js';
import { readDataFile } from './files.js';
import { parseIdxImages, parseIdxLabels } from './idx.js';
import { concatImageSets, type Dataset, type DatasetName, type ImageSet } from './image-set.js';
import { datasetInfo, type DatasetInfo } from './info.js';
import { DATASET_SOURCES, type DatasetSource, type DownloadableDataset } from './sources.js';

/** Options of `loadDataset`. */
export interface LoadOptions {
  /**
   * Folder holding the data set's files (IDX files; for CIFAR the folder that holds
   * `cifar-10-batches-bin/` / `cifar-100-binary/` or their contents; for 'mnist-digits' the folder
   * of 0.json..9.json). Default: Fashion-MNIST looks in /usr/share/datasets/fashion-mnist first,
   * everything else in `<cacheDir>/<name>`.
   */
  dir?: string;
  /** Cache folder for downloads (default `$CAT_CACHE_DIR` or `~/.cache/cat`). */
  cacheDir?: string;
  /**
   * Download missing files into the cache (default false: a missing file is an error). Ignored
   * when `dir` is given: a folder named by the caller is read as it is, never written to.
   */
  download?: boolean;
  /** Download progress in bytes. */
  onProgress?: (done: number, total: number) => void;
  /** Replaces the built-in download URLs and checksums (a mirror; tests). */
  source?: DatasetSource;
  /** CIFAR-100 only: use the 20 coarse labels instead of the 100 fine ones. */
  coarse?: boolean;
}

/** Folder of Debian's `dataset-fashion-mnist` package. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

function howToGet(name: DatasetName, cache: string): string {
  const extra = name === 'fashion-mnist' ? ' or `apt-get install dataset-fashion-mnist`' : '';
  return (
    `Get it with loadDataset('${name}', { download: true }) (cat-cli: --download), which saves it under ` +
    `${path.join(cache, name)}${extra}, or pass the folder that holds it as \`dir\`.`
  );
}

/** The IDX file `base` in `dir`, gzip or raw, whichever exists (gzip preferred). */
function idxPath(dir: string, base: string): string | undefined {
  for (const f of [`${base}.gz`, base]) if (existsSync(path.join(dir, f))) return path.join(dir, f);
  return undefined;
}

function idxComplete(dir: string): boolean {
  return Object.values(IDX_FILES).every((b) => idxPath(dir, b) !== undefined);
}

function checkShape(set: ImageSet, info: DatasetInfo, file: string): void {
  if (set.height !== info.height || set.width !== info.width || set.channels !== info.channels) {
    throw new DataFormatError(
      file,
      `images are ${set.height}x${set.width}x${set.channels}, expected ${info.height}x${info.width}x${info.channels} for ${info.name}`,
    );
  }
}

function readIdxSplit(dir: string, images: string, labels: string, info: DatasetInfo): ImageSet {
  const imgFile = idxPath(dir, images) ?? path.join(dir, `${images}.gz`);
  const lblFile = idxPath(dir, labels) ?? path.join(dir, `${labels}.gz`);
  const img = parseIdxImages(readDataFile(imgFile), imgFile);
  const lbl = parseIdxLabels(readDataFile(lblFile), lblFile, info.numClasses);
  if (img.count !== lbl.length) {
    throw new DataFormatError(imgFile, `holds ${img.count} images but ${lblFile} holds ${lbl.length} labels; they must agree`);
  }
  const set: ImageSet = { images: img.images, labels: lbl, count: img.count, height: img.height, width: img.width, channels: 1 };
  checkShape(set, info, imgFile);
  return set;
}

async function locate(name: DownloadableDataset, candidates: string[], complete: (d: string) => boolean, opts: LoadOptions): Promise<string> {
  const found = candidates.find(complete);
  if (found) return found;
  const cache = resolveCacheDir(opts.cacheDir);
  if (opts.download && opts.dir === undefined) {
    const dir = await fetchDataset(name, { cacheDir: cache, onProgress: opts.onProgress, source: opts.source });
    if (complete(dir)) return dir;
    throw new DataFormatError(dir, `downloaded ${name} but its files are not where expected`);
  }
  return candidates[0];
}

async function loadIdxDataset(name: 'mnist' | 'fashion-mnist', opts: LoadOptions): Promise<Dataset> {
  const info = datasetInfo(name);
  const cache = resolveCacheDir(opts.cacheDir);
  const candidates = opts.dir !== undefined
    ? [path.resolve(opts.dir)]
    : name === 'fashion-mnist'
      ? [DEBIAN_FASHION_MNIST_DIR, path.join(cache, name)]
      : [path.join(cache, name)];
  const dir = await locate(name, candidates, idxComplete, opts);
  if (!idxComplete(dir)) {
    const missing = Object.values(IDX_FILES).find((b) => idxPath(dir, b) === undefined)!;
    throw new DataMissingError(
      path.join(dir, `${missing}.gz`),
      `IDX file not found (looked in ${candidates.join(' and ')}, raw or .gz). ${howToGet(name, cache)}`,
    );
  }
  return {
    name,
    train: readIdxSplit(dir, IDX_FILES.trainImages, IDX_FILES.trainLabels, info),
    test: readIdxSplit(dir, IDX_FILES.testImages, IDX_FILES.testLabels, info),
    numClasses: info.numClasses,
    classNames: info.classNames,
    mean: info.mean,
    std: info.std,
  };
}

const CIFAR10_TRAIN = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];

/** The folder that directly holds `files`: `dir/sub` or `dir` itself. */
function cifarFolder(dir: string, sub: string, files: string[]): string | undefined {
  for (const d of [path.join(dir, sub), dir]) if (files.every((f) => existsSync(path.join(d, f)))) return d;
  return undefined;
}

async function loadCifarDataset(name: 'cifar10' | 'cifar100', opts: LoadOptions): Promise<Dataset> {
  const info = datasetInfo(name);
  const cache = resolveCacheDir(opts.cacheDir);
  const sub = DATASET_SOURCES[name].extractsTo;
  const trainFiles = name === 'cifar10' ? CIFAR10_TRAIN : ['train.bin'];
  const testFile = name === 'cifar10' ? 'test_batch.bin' : 'test.bin';
  const all = [...trainFiles, testFile];
  const candidates = opts.dir !== undefined ? [path.resolve(opts.dir)] : [path.join(cache, name)];
  const root = await locate(name, candidates, (d) => cifarFolder(d, sub, all) !== undefined, opts);
  const dir = cifarFolder(root, sub, all);
  if (!dir) {
    const missing = all.find((f) => !existsSync(path.join(root, sub, f)) && !existsSync(path.join(root, f)))!;
    throw new DataMissingError(
      path.join(root, sub, missing),
      `CIFAR file not found (looked in ${path.join(root, sub)} and ${root}). ${howToGet(name, cache)}`,
    );
  }
  const layout = name === 'cifar10' ? CIFAR10_LAYOUT : opts.coarse ? CIFAR100_COARSE_LAYOUT : CIFAR100_FINE_LAYOUT;
  const read = (f: string) => parseCifar(readDataFile(path.join(dir, f)), path.join(dir, f), layout);
  const train = concatImageSets(trainFiles.map(read));
  const test = read(testFile);
  let classNames = info.classNames;
  let numClasses = info.numClasses;
  if (name === 'cifar100') {
    const namesFile = path.join(dir, opts.coarse ? 'coarse_label_names.txt' : 'fine_label_names.txt');
    numClasses = layout.numClasses;
    classNames = existsSync(namesFile)
      ? readLabelNames(namesFile, numClasses)
      : opts.coarse ? Array.from({ length: 20 }, (_, i) => `superclass ${i}`) : info.classNames;
  }
  return { name, train, test, numClasses, classNames, mean: info.mean, std: info.std };
}

/** Class names, one a line (blank lines ignored), checked to number `count`. */
function readLabelNames(file: string, count: number): string[] {
  const names = readFileSync(file, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
  if (names.length !== count) throw new DataFormatError(file, `holds ${names.length} class names, expected ${count}`);
  return names;
}

/**
 * Loads a data set into memory: images NHWC float32 in [0,1], int32 labels.
 *
 * 'mnist-digits' is embedded (no files, no network). 'fashion-mnist' reads Debian's files by
 * default. The others read `opts.dir` or the cache and, with `download: true`, fetch what is missing.
 * @throws DataMissingError naming the missing file, where it was looked for and how to get it;
 *   DataFormatError for a corrupt file; Error for an unknown name.
 */
export async function loadDataset(name: DatasetName, opts: LoadOptions = {}): Promise<Dataset> {
  const info = datasetInfo(name);
  switch (name) {
    case 'mnist-digits': {
      const { train, test } = loadMnistDigits(opts.dir);
      return { name, train, test, numClasses: info.numClasses, classNames: info.classNames, mean: info.mean, std: info.std };
    }
    case 'mnist':
    case 'fashion-mnist':
      return loadIdxDataset(name, opts);
    case 'cifar10':
    case 'cifar100':
      return loadCifarDataset(name, opts);
  }
}
