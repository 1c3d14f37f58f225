/**
 * Downloads that never leave a half-written or unverified file in place: the bytes stream to a
 * temporary file beside the destination while being hashed, and only a complete, verified file is
 * renamed to its final name (rename is atomic within a folder).
 */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataFormatError, DownloadError } from './errors.js';

/** Options of `downloadFile`. */
export interface DownloadOptions {
  /** Expected SHA-256 (hex). Preferred. */
  sha256?: string;
  /** Expected MD5 (hex), for sources that publish nothing stronger. */
  md5?: string;
  /** Expected size in bytes; a response of another length is refused. */
  bytes?: number;
  /** Called as bytes arrive; `total` is the Content-Length (or `bytes`), 0 when unknown. */
  onProgress?: (done: number, total: number) => void;
  /** Abort when no data arrives for this long (default 60 s). */
  idleTimeoutMs?: number;
  /** Redirects followed at most (default 5). */
  maxRedirects?: number;
}

function get(url: string, idleTimeoutMs: number): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      reject(new DownloadError(url, 'not a valid URL'));
      return;
    }
    const lib = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : undefined;
    if (!lib) {
      reject(new DownloadError(url, `unsupported protocol ${parsed.protocol}, expected http: or https:`));
      return;
    }
    const req = lib.get(parsed, (res) => resolve(res));
    req.setTimeout(idleTimeoutMs, () => req.destroy(new Error(`no data for ${idleTimeoutMs} ms`)));
    req.on('error', (e) => reject(new DownloadError(url, `request failed (${e.message})`)));
  });
}

async function open(url: string, idleTimeoutMs: number, maxRedirects: number): Promise<{ res: http.IncomingMessage; url: string }> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const res = await get(current, idleTimeoutMs);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (hop >= maxRedirects) throw new DownloadError(url, `more than ${maxRedirects} redirects`);
      current = new URL(res.headers.location, current).toString();
      continue;
    }
    if (status !== 200) {
      res.resume();
      throw new DownloadError(current, `HTTP status ${status} ${res.statusMessage ?? ''}`.trim());
    }
    return { res, url: current };
  }
}

/**
 * Downloads `url` to `dest`, verifying its checksum before it appears under that name.
 * On any failure nothing is left at `dest` or beside it.
 * @throws DownloadError on network or HTTP failures and truncated responses; DataFormatError on a
 *   checksum or size mismatch.
 */
export async function downloadFile(url: string, dest: string, opts: DownloadOptions = {}): Promise<void> {
  if (!opts.sha256 && !opts.md5) {
    throw new Error(`downloadFile(${url}): give a sha256 or md5 checksum; unverified downloads are refused`);
  }
  mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.part-${process.pid}-${Date.now().toString(36)}`;
  try {
    const { res, url: finalUrl } = await open(url, opts.idleTimeoutMs ?? 60_000, opts.maxRedirects ?? 5);
    const header = Number(res.headers['content-length']);
    const declared = Number.isFinite(header) && header >= 0 ? header : undefined;
    if (declared !== undefined && opts.bytes !== undefined && declared !== opts.bytes) {
      res.resume();
      throw new DataFormatError(finalUrl, `server announces ${declared} bytes, expected ${opts.bytes}; refusing the download`);
    }
    const total = declared ?? opts.bytes ?? 0;
    const sha = createHash('sha256');
    const md5 = createHash('md5');
    let done = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        sha.update(chunk);
        if (opts.md5) md5.update(chunk);
        done += chunk.length;
        opts.onProgress?.(done, total);
        cb(null, chunk);
      },
    });
    try {
      // Open the temporary file synchronously: a lazily opened stream can create it after an
      // early network error has already run the cleanup below, leaving a stray .part file.
      await pipeline(res, meter, createWriteStream(tmp, { fd: openSync(tmp, 'w') }));
    } catch (e) {
      throw new DownloadError(finalUrl, `download interrupted after ${done} of ${total || 'unknown'} bytes (${(e as Error).message})`);
    }
    if (declared !== undefined && done !== declared) {
      throw new DownloadError(finalUrl, `download truncated: received ${done} of ${declared} bytes`);
    }
    if (opts.bytes !== undefined && done !== opts.bytes) {
      throw new DataFormatError(finalUrl, `downloaded ${done} bytes, expected ${opts.bytes}`);
    }
    if (opts.sha256) {
      const got = sha.digest('hex');
      if (got !== opts.sha256.toLowerCase()) {
        throw new DataFormatError(finalUrl, `SHA-256 mismatch: expected ${opts.sha256}, got ${got}; the file is corrupt or changed upstream, nothing was saved`);
      }
    }
    if (opts.md5) {
      const got = md5.digest('hex');
      if (got !== opts.md5.toLowerCase()) {
        throw new DataFormatError(finalUrl, `MD5 mismatch: expected ${opts.md5}, got ${got}; the file is corrupt or changed upstream, nothing was saved`);
      }
    }
    renameSync(tmp, dest);
  } finally {
    rmSync(tmp, { force: true });
  }
}
