/**
 * A small reader for the ustar archives the CIFAR tarballs are. Safe by construction: it never
 * follows or creates links, and refuses any entry whose path would leave the target directory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DataFormatError } from './errors.js';

const BLOCK = 512;

/** One regular file or directory of an archive. */
export interface TarEntry {
  /** Relative POSIX path inside the archive, checked to stay inside it. */
  path: string;
  type: 'file' | 'directory';
  data: Uint8Array;
}

function text(bytes: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && bytes[end] !== 0) end++;
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(start, end));
}

function octal(bytes: Uint8Array, start: number, length: number, field: string, file: string, at: number): number {
  if (bytes[start] & 0x80) {
    throw new DataFormatError(file, `tar header at byte ${at}: base-256 ${field} is not supported`);
  }
  const s = text(bytes, start, length).trim();
  if (!/^[0-7]*$/.test(s)) {
    throw new DataFormatError(file, `tar header at byte ${at}: ${field} '${s}' is not an octal number`);
  }
  return s === '' ? 0 : parseInt(s, 8);
}

function isZeroBlock(bytes: Uint8Array, at: number): boolean {
  for (let i = at; i < at + BLOCK; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * Checks that an archive path stays inside the directory it is extracted to, and returns it
 * normalised.
 * @throws DataFormatError for absolute paths, `..` components, or empty names.
 */
export function safeEntryPath(name: string, file: string): string {
  if (name.includes('\0')) throw new DataFormatError(file, `tar entry '${name}' has a NUL in its path`);
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.startsWith('\\')) {
    throw new DataFormatError(file, `tar entry '${name}' has an absolute path; refusing to extract it`);
  }
  const parts = name.split(/[/\\]/);
  if (parts.includes('..')) {
    throw new DataFormatError(file, `tar entry '${name}' leaves the target directory ('..'); refusing to extract it`);
  }
  const clean = parts.filter((p) => p !== '' && p !== '.').join('/');
  if (clean === '') throw new DataFormatError(file, `tar entry '${name}' has an empty path`);
  return clean;
}

/** Reads `path=` from a pax extended header (records `"<len> <key>=<value>\n"`). */
function paxPath(data: Uint8Array, file: string, at: number): string | undefined {
  const s = new TextDecoder('utf-8', { fatal: false }).decode(data);
  let pos = 0;
  let found: string | undefined;
  while (pos < s.length) {
    const space = s.indexOf(' ', pos);
    const len = space < 0 ? NaN : Number(s.slice(pos, space));
    if (!Number.isInteger(len) || len <= space - pos || pos + len > s.length) {
      throw new DataFormatError(file, `tar pax header at byte ${at} is malformed`);
    }
    const rec = s.slice(space + 1, pos + len).replace(/\n$/, '');
    const eq = rec.indexOf('=');
    if (eq > 0 && rec.slice(0, eq) === 'path') found = rec.slice(eq + 1);
    pos += len;
  }
  return found;
}

/**
 * Lists the regular files and directories of a tar archive (not compressed: gunzip first).
 * @param file name used in error messages.
 * @throws DataFormatError on a bad checksum, a truncated archive, a link or device entry, or an
 *   unsafe path.
 */
export function readTar(bytes: Uint8Array, file: string): TarEntry[] {
  const entries: TarEntry[] = [];
  let at = 0;
  let longName: string | undefined;
  while (at < bytes.length) {
    if (at + BLOCK > bytes.length) {
      throw new DataFormatError(file, `truncated tar archive: ${bytes.length - at} stray bytes at byte ${at}`);
    }
    if (isZeroBlock(bytes, at)) break;
    const stored = octal(bytes, at + 148, 8, 'checksum', file, at);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : bytes[at + i];
    if (sum !== stored) {
      throw new DataFormatError(file, `tar header at byte ${at} has a bad checksum (corrupt or not a tar archive)`);
    }
    const size = octal(bytes, at + 124, 12, 'size', file, at);
    const type = String.fromCharCode(bytes[at + 156]);
    const ustar = text(bytes, at + 257, 6) === 'ustar';
    const prefix = ustar ? text(bytes, at + 345, 155) : '';
    let name = text(bytes, at, 100);
    if (prefix) name = `${prefix}/${name}`;
    const dataStart = at + BLOCK;
    if (dataStart + size > bytes.length) {
      throw new DataFormatError(
        file,
        `truncated tar archive: entry '${name}' needs ${size} bytes, only ${bytes.length - dataStart} left`,
      );
    }
    const data = bytes.subarray(dataStart, dataStart + size);
    const headerAt = at;
    at = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'L') {
      longName = text(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      longName = paxPath(data, file, headerAt) ?? longName;
      continue;
    }
    if (type === 'g') continue;
    if (longName !== undefined) {
      name = longName;
      longName = undefined;
    }
    if (type === '1' || type === '2') {
      throw new DataFormatError(file, `tar entry '${name}' is a ${type === '2' ? 'symbolic' : 'hard'} link; refusing to extract links`);
    }
    if (type !== '0' && type !== '\0' && type !== '5' && type !== '7') {
      throw new DataFormatError(file, `tar entry '${name}' has unsupported type '${type}' (only files and directories)`);
    }
    const clean = safeEntryPath(name, file);
    entries.push({ path: clean, type: type === '5' ? 'directory' : 'file', data });
  }
  return entries;
}

/**
 * Extracts the files of a tar archive under `targetDir`. Every entry is checked before anything is
 * written, so a refused archive leaves nothing behind.
 * @returns the extracted files' paths, relative to `targetDir`.
 */
export function extractTar(bytes: Uint8Array, targetDir: string, file: string): string[] {
  const entries = readTar(bytes, file);
  const root = path.resolve(targetDir);
  for (const e of entries) {
    const dest = path.resolve(root, e.path);
    if (dest !== root && !dest.startsWith(root + path.sep)) {
      throw new DataFormatError(file, `tar entry '${e.path}' resolves outside ${root}; refusing to extract it`);
    }
  }
  const written: string[] = [];
  for (const e of entries) {
    const dest = path.resolve(root, e.path);
    try {
      if (e.type === 'directory') {
        mkdirSync(dest, { recursive: true });
      } else {
        mkdirSync(path.dirname(dest), { recursive: true });
        writeFileSync(dest, e.data);
        written.push(e.path);
      }
    } catch (err) {
      throw new DataFormatError(file, `cannot extract entry '${e.path}' to ${dest} (${(err as Error).message})`);
    }
  }
  return written;
}
