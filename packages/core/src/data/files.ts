/** Reading data files with errors that say which file, where it was looked for, and how to get it. */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DataFormatError, DataMissingError } from './errors.js';

/**
 * The bytes of a data file.
 * @param howToGet one sentence appended to the error when the file is missing.
 * @throws DataMissingError when the file does not exist; DataFormatError when it cannot be read.
 */
export function readDataFile(file: string, howToGet = ''): Uint8Array {
  if (!existsSync(file)) {
    const where = path.dirname(path.resolve(file));
    throw new DataMissingError(file, `file not found (looked in ${where}).${howToGet ? ' ' + howToGet : ''}`);
  }
  try {
    const b = readFileSync(file);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new DataFormatError(file, `cannot read file (${(e as Error).message})`);
  }
}
