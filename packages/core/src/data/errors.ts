/**
 * Errors of the data layer. Every problem with outside data (a file on disk, a download) ends in
 * one of these, so a caller can tell "the data is bad or absent" from a bug, and the message always
 * names the file.
 */

/** Base class of every data error; `file` is the path or URL the problem is about. */
export class DataError extends Error {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = new.target.name;
    this.file = file;
  }
}

/**
 * The bytes of a data file are not what the format promises: wrong magic number, truncated,
 * corrupt compression, counts or labels out of range, a checksum mismatch.
 */
export class DataFormatError extends DataError {}

/** A data file that is needed is not there; the message says where it was looked for and how to get it. */
export class DataMissingError extends DataError {}

/** A download failed for a reason other than the bytes themselves (network, HTTP status). */
export class DownloadError extends DataError {}
