/** Transparent gzip: data files may come compressed or raw; the magic bytes decide. */
import { gunzipSync } from 'node:zlib';
import { DataFormatError } from './errors.js';

/** True when `bytes` starts with the gzip magic number 0x1f 0x8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Largest decompressed size accepted (1 GiB): well above every supported file (the CIFAR-100
 * tarball is about 180 MB), low enough that a corrupt or hostile file cannot exhaust memory.
 */
export const MAX_GUNZIP_BYTES = 1 << 30;

/**
 * The bytes of `file` decompressed if they are gzip, unchanged otherwise.
 * @param file path or name used in error messages.
 * @throws DataFormatError when the gzip stream is truncated, corrupt or too large.
 */
export function maybeGunzip(bytes: Uint8Array, file: string, maxBytes = MAX_GUNZIP_BYTES): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    const out = gunzipSync(bytes, { maxOutputLength: maxBytes });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    const why = (e as Error).message ?? String(e);
    throw new DataFormatError(file, `gzip data is truncated or corrupt (${why})`);
  }
}
