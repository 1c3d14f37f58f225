import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CIFAR100_FINE_NAMES, DataFormatError, DataMissingError, datasetInfo, loadDataset, parseDigitFile,
  type ImageSet,
} from '@cat/core';
import { cifarRecord, concat, gzip, idxImages, idxLabels } from './fixtures.js';

const work = mkdtempSync(path.join(tmpdir(), 'cat-load-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const dirFor = (name: string) => {
  const d = path.join(work, name);
  mkdirSync(d, { recursive: true });
  return d;
};

function perClass(set: ImageSet, k = 10): number[] {
  const c = new Array(k).fill(0);
  for (const l of set.labels) c[l]++;
  return c;
}

/** A hashable key of image n, for overlap checks. */
function key(set: ImageSet, n: number): string {
  const per = set.height * set.width * set.channels;
  return Buffer.from(set.images.buffer, set.images.byteOffset + n * per * 4, per * 4).toString('base64');
}

describe("'mnist-digits' (embedded)", async () => {
  const ds = await loadDataset('mnist-digits');
  const pkgDir = path.dirname(createRequire(import.meta.url).resolve('mnist/package.json', { paths: [path.resolve('packages/core')] }));
  const sizes = Array.from({ length: 10 }, (_, c) =>
    JSON.parse(readFileSync(path.join(pkgDir, 'src', 'digits', `${c}.json`), 'utf8')).data.length / 784);

  it('splits 8,000 / 2,000, each class 80/20 (test = round(20%))', () => {
    expect(ds.train.count).toBe(8000);
    expect(ds.test.count).toBe(2000);
    expect(perClass(ds.test)).toEqual(sizes.map((n) => Math.round(0.2 * n)));
    expect(perClass(ds.train)).toEqual(sizes.map((n) => n - Math.round(0.2 * n)));
    expect([ds.train.height, ds.train.width, ds.train.channels]).toEqual([28, 28, 1]);
    expect(ds.mean).toEqual([0]);
    expect(ds.std).toEqual([1]);
  });

  it('has pixels in [0,1] and train and test share no image', () => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of ds.train.images) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    expect(lo).toBe(0);
    expect(hi).toBeCloseTo(1, 6);
    const train = new Set(Array.from({ length: ds.train.count }, (_, n) => key(ds.train, n)));
    let shared = 0;
    for (let n = 0; n < ds.test.count; n++) if (train.has(key(ds.test, n))) shared++;
    expect(shared).toBe(0);
  });

  it('is the same split every time, and the train split mixes classes', async () => {
    const again = await loadDataset('mnist-digits');
    expect(Buffer.from(again.test.labels.buffer).equals(Buffer.from(ds.test.labels.buffer))).toBe(true);
    expect(key(again.train, 123)).toBe(key(ds.train, 123));
    expect(new Set(ds.train.labels.subarray(0, 50)).size).toBeGreaterThan(5);
  });

  it('rejects a malformed digit file', () => {
    expect(() => parseDigitFile('{"data": [1', '3.json')).toThrow(/3.json: not valid JSON/);
    expect(() => parseDigitFile('{"data": [0.5]}', '3.json')).toThrow(/multiple of 784/);
    expect(() => parseDigitFile(JSON.stringify({ data: [...new Array(783).fill(0), 2] }), '3.json')).toThrow(/value 2 at index 783/);
  });
});

describe("'fashion-mnist' from Debian's files", () => {
  it('loads 60,000 + 10,000 images with the known first labels', async () => {
    const ds = await loadDataset('fashion-mnist');
    expect(ds.train.count).toBe(60000);
    expect(ds.test.count).toBe(10000);
    // The first training labels of Fashion-MNIST: ankle boot, T-shirt, T-shirt, dress, T-shirt.
    expect(Array.from(ds.train.labels.subarray(0, 5))).toEqual([9, 0, 0, 3, 0]);
    expect(perClass(ds.test)).toEqual(new Array(10).fill(1000));
    expect(ds.classNames[9]).toBe('Ankle boot');
  });
});

function writeMnist(dir: string, opts: { trainCount?: number; testLabels?: number[]; gz?: boolean } = {}): void {
  const z = (b: Uint8Array) => (opts.gz ? gzip(b) : b);
  const ext = opts.gz ? '.gz' : '';
  const n = opts.trainCount ?? 6;
  writeFileSync(path.join(dir, `train-images-idx3-ubyte${ext}`), z(idxImages(n, 28, 28, (k, i, j) => k + i + j)));
  writeFileSync(path.join(dir, `train-labels-idx1-ubyte${ext}`), z(idxLabels(Array.from({ length: 6 }, (_, k) => k))));
  const tl = opts.testLabels ?? [7, 8, 9];
  writeFileSync(path.join(dir, `t10k-images-idx3-ubyte${ext}`), z(idxImages(3, 28, 28, () => 255)));
  writeFileSync(path.join(dir, `t10k-labels-idx1-ubyte${ext}`), z(idxLabels(tl)));
}

describe("'mnist' from a folder of IDX files", () => {
  it('loads raw and gzip files', async () => {
    for (const gz of [false, true]) {
      const dir = dirFor(`mnist-${gz}`);
      writeMnist(dir, { gz });
      const ds = await loadDataset('mnist', { dir });
      expect(Array.from(ds.train.labels)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(ds.test.images[0]).toBe(1);
      expect(ds.train.images[2 * 784 + 28 * 1 + 3]).toBeCloseTo(6 / 255, 7);
    }
  });

  it('rejects image and label counts that disagree, naming both files', async () => {
    const dir = dirFor('mnist-count');
    writeMnist(dir, { trainCount: 5 });
    await expect(loadDataset('mnist', { dir })).rejects.toThrow(DataFormatError);
    await expect(loadDataset('mnist', { dir })).rejects.toThrow(/train-images-idx3-ubyte: holds 5 images but .*train-labels-idx1-ubyte holds 6 labels/);
  });

  it('rejects labels out of range and images of the wrong size', async () => {
    const dir = dirFor('mnist-range');
    writeMnist(dir, { testLabels: [1, 12, 3] });
    await expect(loadDataset('mnist', { dir })).rejects.toThrow(/t10k-labels-idx1-ubyte: label 12 at index 1 is out of range: expected 0..9/);
    const dir2 = dirFor('mnist-shape');
    writeMnist(dir2);
    writeFileSync(path.join(dir2, 't10k-images-idx3-ubyte'), idxImages(3, 32, 32, () => 0));
    await expect(loadDataset('mnist', { dir: dir2 })).rejects.toThrow(/images are 32x32x1, expected 28x28x1 for mnist/);
  });

  it('says which file is missing, where it looked and how to get it', async () => {
    const dir = dirFor('mnist-missing');
    writeMnist(dir);
    rmSync(path.join(dir, 't10k-labels-idx1-ubyte'));
    const p = loadDataset('mnist', { dir });
    await expect(p).rejects.toThrow(DataMissingError);
    await expect(loadDataset('mnist', { dir })).rejects.toThrow(
      new RegExp(`t10k-labels-idx1-ubyte.gz: IDX file not found \\(looked in ${dir}.*download: true`),
    );
    const cache = dirFor('empty-cache');
    await expect(loadDataset('mnist', { cacheDir: cache })).rejects.toThrow(new RegExp(`${path.join(cache, 'mnist')}.*--download`));
  });
});

describe("'cifar10' and 'cifar100' from folders of binary files", () => {
  const rec10 = (l: number) => cifarRecord([l], (c, i, j) => l + c * 3 + i + j);

  it('loads CIFAR-10 from a cifar-10-batches-bin folder with the robust-overfitting mean/std', async () => {
    const root = dirFor('c10');
    const dir = path.join(root, 'cifar-10-batches-bin');
    mkdirSync(dir);
    for (let k = 1; k <= 5; k++) writeFileSync(path.join(dir, `data_batch_${k}.bin`), concat([rec10(k), rec10(0)]));
    writeFileSync(path.join(dir, 'test_batch.bin'), rec10(9));
    const ds = await loadDataset('cifar10', { dir: root });
    expect(ds.train.count).toBe(10);
    expect(Array.from(ds.train.labels)).toEqual([1, 0, 2, 0, 3, 0, 4, 0, 5, 0]);
    expect(Array.from(ds.test.labels)).toEqual([9]);
    expect(ds.mean).toEqual([0.4914, 0.4822, 0.4465]);
    expect(ds.std).toEqual([0.2471, 0.2435, 0.2616]);
    expect(ds.classNames[3]).toBe('cat');
  });

  it('rejects a truncated batch, naming it', async () => {
    const dir = dirFor('c10-trunc');
    for (let k = 1; k <= 5; k++) writeFileSync(path.join(dir, `data_batch_${k}.bin`), rec10(k));
    writeFileSync(path.join(dir, 'test_batch.bin'), rec10(1).subarray(0, 3000));
    await expect(loadDataset('cifar10', { dir })).rejects.toThrow(/test_batch.bin: CIFAR file size 3000 is not a multiple/);
  });

  it('says which CIFAR file is missing', async () => {
    const dir = dirFor('c10-missing');
    writeFileSync(path.join(dir, 'data_batch_1.bin'), rec10(1));
    await expect(loadDataset('cifar10', { dir })).rejects.toThrow(/data_batch_2.bin: CIFAR file not found \(looked in/);
  });

  it('loads CIFAR-100 fine labels with names from fine_label_names.txt, or coarse ones', async () => {
    const root = dirFor('c100');
    const dir = path.join(root, 'cifar-100-binary');
    mkdirSync(dir);
    const r = (coarse: number, fine: number) => cifarRecord([coarse, fine], () => fine);
    writeFileSync(path.join(dir, 'train.bin'), concat([r(1, 42), r(19, 99)]));
    writeFileSync(path.join(dir, 'test.bin'), r(0, 0));
    writeFileSync(path.join(dir, 'fine_label_names.txt'), CIFAR100_FINE_NAMES.map((n) => n.toUpperCase()).join('\n') + '\n\n');
    const ds = await loadDataset('cifar100', { dir: root });
    expect(Array.from(ds.train.labels)).toEqual([42, 99]);
    expect(ds.numClasses).toBe(100);
    expect(ds.classNames[99]).toBe('WORM');
    expect(ds.std).toEqual([0.2673, 0.2564, 0.2762]);
    const coarse = await loadDataset('cifar100', { dir: root, coarse: true });
    expect(Array.from(coarse.train.labels)).toEqual([1, 19]);
    expect(coarse.numClasses).toBe(20);
    writeFileSync(path.join(dir, 'fine_label_names.txt'), 'a\nb\n');
    await expect(loadDataset('cifar100', { dir: root })).rejects.toThrow(/fine_label_names.txt: holds 2 class names, expected 100/);
  });
});

describe('datasetInfo', () => {
  it('knows shapes, classes and normalisation without loading', () => {
    const c = datasetInfo('cifar100');
    expect([c.height, c.width, c.channels, c.numClasses, c.classNames.length]).toEqual([32, 32, 3, 100, 100]);
    expect(new Set(c.classNames).size).toBe(100);
    expect(c.mean).toEqual([0.5071, 0.4865, 0.4409]);
    expect(datasetInfo('fashion-mnist').std).toEqual([1]);
    expect(datasetInfo('mnist-digits').trainCount).toBe(8000);
  });
  it('rejects an unknown name, listing the known ones', async () => {
    expect(() => datasetInfo('svhn' as never)).toThrow(/unknown dataset 'svhn'; expected one of: mnist-digits, mnist, fashion-mnist, cifar10, cifar100/);
    await expect(loadDataset('svhn' as never)).rejects.toThrow(/unknown dataset/);
  });
});
