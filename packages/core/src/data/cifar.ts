/**
 * The binary version of CIFAR-10 and CIFAR-100 (https://www.cs.toronto.edu/~kriz/cifar.html):
 * fixed-size records of label byte(s) then a 32x32x3 image stored channel-major (1024 red, 1024
 * green, 1024 blue bytes, each row-major). Converted here to NHWC floats in [0,1].
 */
import { DataFormatError } from './errors.js';
import type { ImageSet } from './image-set.js';
import { maybeGunzip } from './gzip.js';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXELS = 3 * PLANE;

/** How the label bytes of one record are laid out. */
export interface CifarLayout {
  /** Label bytes before each image: 1 (CIFAR-10) or 2 (CIFAR-100: coarse, fine). */
  labelBytes: 1 | 2;
  /** Which label byte is the label (CIFAR-100: 0 coarse, 1 fine). */
  labelIndex: number;
  /** Labels must lie in [0, numClasses). */
  numClasses: number;
}

/** CIFAR-10: one label byte, 10 classes. */
export const CIFAR10_LAYOUT: CifarLayout = { labelBytes: 1, labelIndex: 0, numClasses: 10 };
/** CIFAR-100 with its 100 fine labels (the default). */
export const CIFAR100_FINE_LAYOUT: CifarLayout = { labelBytes: 2, labelIndex: 1, numClasses: 100 };
/** CIFAR-100 with its 20 coarse labels (superclasses). */
export const CIFAR100_COARSE_LAYOUT: CifarLayout = { labelBytes: 2, labelIndex: 0, numClasses: 20 };

/**
 * Parses the records of one CIFAR binary file (raw or gzip) into an NHWC ImageSet.
 * @throws DataFormatError when the file is empty, its size is not a whole number of records, or a
 *   label is out of range.
 */
export function parseCifar(raw: Uint8Array, file: string, layout: CifarLayout): ImageSet {
  const bytes = maybeGunzip(raw, file);
  const record = layout.labelBytes + PIXELS;
  if (bytes.length === 0) throw new DataFormatError(file, 'CIFAR file is empty');
  if (bytes.length % record !== 0) {
    throw new DataFormatError(
      file,
      `CIFAR file size ${bytes.length} is not a multiple of the record size ${record} ` +
        `(${layout.labelBytes} label byte(s) + ${PIXELS} pixel bytes): truncated or not this CIFAR variant`,
    );
  }
  const count = bytes.length / record;
  const images = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const base = n * record;
    const label = bytes[base + layout.labelIndex];
    if (label >= layout.numClasses) {
      throw new DataFormatError(
        file,
        `label ${label} of record ${n} is out of range: expected 0..${layout.numClasses - 1}`,
      );
    }
    labels[n] = label;
    const src = base + layout.labelBytes;
    const dst = n * PIXELS;
    // CHW -> HWC: pixel p of channel c goes to (p * 3 + c).
    for (let c = 0; c < 3; c++) {
      const plane = src + c * PLANE;
      for (let p = 0; p < PLANE; p++) images[dst + p * 3 + c] = bytes[plane + p] / 255;
    }
  }
  return { images, labels, count, height: SIDE, width: SIDE, channels: 3 };
}
