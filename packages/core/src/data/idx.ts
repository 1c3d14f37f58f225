/**
 * The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a big-endian
 * header `0x00 0x00 <type> <ndim>`, then `ndim` uint32 sizes, then the data. Only unsigned bytes
 * (type 0x08) occur in these data sets, so only those are read.
 */
import { DataFormatError } from './errors.js';
import { maybeGunzip } from './gzip.js';

/** Magic number of an IDX file of images (ubyte, 3 dimensions). */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Magic number of an IDX file of labels (ubyte, 1 dimension). */
export const IDX_LABELS_MAGIC = 0x00000801;

const hex = (v: number) => `0x${v.toString(16).padStart(8, '0')}`;

/** Checks the header of an IDX byte array and returns its dimension sizes and data offset. */
function readHeader(bytes: Uint8Array, file: string, magic: number, what: string): { dims: number[]; offset: number } {
  if (bytes.length < 4) {
    throw new DataFormatError(file, `truncated IDX ${what} file: ${bytes.length} bytes, shorter than the 4-byte magic number`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = view.getUint32(0, false);
  if (found !== magic) {
    throw new DataFormatError(file, `not an IDX ${what} file: magic number ${hex(found)}, expected ${hex(magic)}`);
  }
  const ndim = magic & 0xff;
  const offset = 4 + 4 * ndim;
  if (bytes.length < offset) {
    throw new DataFormatError(file, `truncated IDX ${what} file: header needs ${offset} bytes, file has ${bytes.length}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = offset + dims.reduce((a, b) => a * b, 1);
  if (bytes.length < expected) {
    throw new DataFormatError(
      file,
      `truncated IDX ${what} file: header says ${dims.join('x')} (${expected} bytes), file has ${bytes.length} bytes`,
    );
  }
  if (bytes.length > expected) {
    throw new DataFormatError(
      file,
      `IDX ${what} file has ${bytes.length - expected} bytes after the ${dims.join('x')} data the header announces`,
    );
  }
  return { dims, offset };
}

/** Images of an IDX file, scaled from bytes to [0,1]. */
export interface IdxImages {
  images: Float32Array;
  count: number;
  height: number;
  width: number;
}

/**
 * Parses an IDX image file (raw or gzip).
 * @throws DataFormatError on a wrong magic number, a truncated or over-long file, or zero-sized images.
 */
export function parseIdxImages(raw: Uint8Array, file: string): IdxImages {
  const bytes = maybeGunzip(raw, file);
  const { dims, offset } = readHeader(bytes, file, IDX_IMAGES_MAGIC, 'images');
  const [count, height, width] = dims;
  if (height === 0 || width === 0) {
    throw new DataFormatError(file, `IDX images file declares empty images (${height}x${width})`);
  }
  const n = count * height * width;
  const images = new Float32Array(n);
  for (let i = 0; i < n; i++) images[i] = bytes[offset + i] / 255;
  return { images, count, height, width };
}

/**
 * Parses an IDX label file (raw or gzip).
 * @param numClasses when given, every label must lie in [0, numClasses).
 * @throws DataFormatError on a wrong magic number, a truncated or over-long file, or a label out of range.
 */
export function parseIdxLabels(raw: Uint8Array, file: string, numClasses?: number): Int32Array {
  const bytes = maybeGunzip(raw, file);
  const { dims, offset } = readHeader(bytes, file, IDX_LABELS_MAGIC, 'labels');
  const labels = new Int32Array(dims[0]);
  for (let i = 0; i < labels.length; i++) {
    const v = bytes[offset + i];
    if (numClasses !== undefined && v >= numClasses) {
      throw new DataFormatError(file, `label ${v} at index ${i} is out of range: expected 0..${numClasses - 1}`);
    }
    labels[i] = v;
  }
  return labels;
}
