/** Getting a downloadable data set into the cache: download, verify, unpack. */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { resolveCacheDir } from './cache.js';
import { downloadFile } from './download.js';
import { DataFormatError } from './errors.js';
import { maybeGunzip } from './gzip.js';
import { DATASET_SOURCES, type DatasetSource, type DownloadableDataset } from './sources.js';
import { extractTar } from './tar.js';

/** Options of `fetchDataset`. */
export interface FetchOptions {
  /** Cache folder (default: see `resolveCacheDir`). */
  cacheDir?: string;
  /** Progress over all of the data set's files, in bytes. */
  onProgress?: (done: number, total: number) => void;
  /** Replaces the built-in URLs and checksums (tests, mirrors). */
  source?: DatasetSource;
}

/**
 * Makes sure data set `name` is in the cache, downloading and unpacking what is missing, and
 * returns its folder `<cache>/<name>`. Files already there are kept (they were verified before
 * they got their names). A tarball is unpacked into a temporary folder and moved into place
 * whole, then deleted.
 */
export async function fetchDataset(name: DownloadableDataset, opts: FetchOptions = {}): Promise<string> {
  const source: DatasetSource = opts.source ?? DATASET_SOURCES[name];
  const dir = path.join(resolveCacheDir(opts.cacheDir), name);
  mkdirSync(dir, { recursive: true });
  if (source.extractsTo && existsSync(path.join(dir, source.extractsTo))) return dir;

  const todo = source.files.filter((f) => !existsSync(path.join(dir, f.file)));
  const total = todo.reduce((a, f) => a + (f.bytes ?? 0), 0);
  let before = 0;
  for (const f of todo) {
    await downloadFile(f.url, path.join(dir, f.file), {
      sha256: f.sha256,
      md5: f.md5,
      bytes: f.bytes,
      onProgress: (done, fileTotal) => opts.onProgress?.(before + done, total || fileTotal),
    });
    before += f.bytes ?? 0;
  }

  if (source.extractsTo) {
    const tmp = path.join(dir, `.extract-${process.pid}-${Date.now().toString(36)}`);
    try {
      for (const f of source.files) {
        const archive = path.join(dir, f.file);
        extractTar(maybeGunzip(readFileSync(archive), archive), tmp, archive);
      }
      const unpacked = path.join(tmp, source.extractsTo);
      if (!existsSync(unpacked)) {
        throw new DataFormatError(path.join(dir, source.files[0].file), `archive has no folder '${source.extractsTo}'`);
      }
      renameSync(unpacked, path.join(dir, source.extractsTo));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    for (const f of source.files) rmSync(path.join(dir, f.file), { force: true });
  }
  return dir;
}
