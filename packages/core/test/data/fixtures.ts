/**
 * Builders of small data files in the real formats, written independently of the parsers (the
 * layouts follow the format descriptions, not the parser code).
 */
import { gzipSync } from 'node:zlib';

export const gzip = (b: Uint8Array): Uint8Array => new Uint8Array(gzipSync(b));

function be32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

/** An IDX images file: magic 0x00000803, count, rows, cols, then `count*rows*cols` bytes. */
export function idxImages(count: number, rows: number, cols: number, pixel: (n: number, i: number, j: number) => number): Uint8Array {
  const out = [0, 0, 8, 3, ...be32(count), ...be32(rows), ...be32(cols)];
  for (let n = 0; n < count; n++) for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out.push(pixel(n, i, j) & 0xff);
  return Uint8Array.from(out);
}

/** An IDX labels file: magic 0x00000801, count, then one byte a label. */
export function idxLabels(labels: number[]): Uint8Array {
  return Uint8Array.from([0, 0, 8, 1, ...be32(labels.length), ...labels]);
}

/** One CIFAR record: label bytes, then 1024 R, 1024 G, 1024 B bytes. `pixel(c, i, j)`. */
export function cifarRecord(labelBytes: number[], pixel: (c: number, i: number, j: number) => number): Uint8Array {
  const out = new Uint8Array(labelBytes.length + 3072);
  out.set(labelBytes, 0);
  for (let c = 0; c < 3; c++) for (let i = 0; i < 32; i++) for (let j = 0; j < 32; j++) {
    out[labelBytes.length + c * 1024 + i * 32 + j] = pixel(c, i, j) & 0xff;
  }
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A tar entry for `tarArchive`: type '0' file, '5' directory, '2' symlink, '1' hard link. */
export interface FakeEntry {
  name: string;
  data?: Uint8Array;
  type?: string;
  linkName?: string;
}

/** A ustar archive (POSIX.1-1988 header layout) ending with two zero blocks. */
export function tarArchive(entries: FakeEntry[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const e of entries) {
    const data = e.data ?? new Uint8Array(0);
    const h = new Uint8Array(512);
    h.set(enc.encode(e.name).subarray(0, 100), 0);
    h.set(enc.encode('0000644\0'), 100);
    h.set(enc.encode('0000000\0'), 108);
    h.set(enc.encode('0000000\0'), 116);
    h.set(enc.encode(data.length.toString(8).padStart(11, '0') + '\0'), 124);
    h.set(enc.encode('00000000000\0'), 136);
    h[156] = (e.type ?? '0').charCodeAt(0);
    if (e.linkName) h.set(enc.encode(e.linkName), 157);
    h.set(enc.encode('ustar\0'), 257);
    h.set(enc.encode('00'), 263);
    h.fill(0x20, 148, 156);
    const sum = h.reduce((a, b) => a + b, 0);
    h.set(enc.encode(sum.toString(8).padStart(6, '0') + '\0 '), 148);
    blocks.push(h);
    const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
    padded.set(data);
    blocks.push(padded);
  }
  blocks.push(new Uint8Array(1024));
  return concat(blocks);
}
