import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFormatError, DownloadError, resolveCacheDir, downloadFile, fetchDataset, loadDataset } from '@cat/core';
import { cifarRecord, concat, gzip, idxImages, idxLabels, tarArchive } from './fixtures.js';

const payload = new Uint8Array(200_000).map((_, i) => (i * 31) % 251);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

// A CIFAR-10 tarball in the real layout, 1 record per batch, labels 0..5.
const rec = (label: number) => cifarRecord([label], (c, i, j) => label * 10 + c + i + j);
const cifarTgz = gzip(tarArchive([
  { name: 'cifar-10-batches-bin/', type: '5' },
  ...[1, 2, 3, 4, 5].map((k) => ({ name: `cifar-10-batches-bin/data_batch_${k}.bin`, data: rec(k - 1) })),
  { name: 'cifar-10-batches-bin/test_batch.bin', data: concat([rec(5), rec(6)]) },
]));

// A tiny MNIST in the real file names (gzip IDX), 4 train and 2 test images.
const mnistFiles: Record<string, Uint8Array> = {
  'train-images-idx3-ubyte.gz': gzip(idxImages(4, 28, 28, (n) => n)),
  'train-labels-idx1-ubyte.gz': gzip(idxLabels([3, 1, 4, 1])),
  't10k-images-idx3-ubyte.gz': gzip(idxImages(2, 28, 28, () => 200)),
  't10k-labels-idx1-ubyte.gz': gzip(idxLabels([5, 9])),
};

let server: http.Server;
let base = '';
const work = mkdtempSync(path.join(tmpdir(), 'cat-dl-'));

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/file.bin') {
      res.writeHead(200, { 'content-length': payload.length });
      res.end(payload);
    } else if (url === '/truncated.bin') {
      // Announces the full length, sends half, then drops the connection.
      res.writeHead(200, { 'content-length': payload.length });
      res.write(payload.subarray(0, payload.length / 2), () => res.socket?.destroy());
    } else if (url === '/moved') {
      res.writeHead(302, { location: '/file.bin' });
      res.end();
    } else if (url.startsWith('/mnist/')) {
      const body = mnistFiles[url.slice('/mnist/'.length)];
      if (!body) {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    } else if (url === '/cifar.tgz') {
      res.writeHead(200, { 'content-length': cifarTgz.length });
      res.end(cifarTgz);
    } else {
      res.writeHead(404);
      res.end('no');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(work, { recursive: true, force: true });
});

const freshDir = () => mkdtempSync(path.join(work, 'c-'));

describe('downloadFile', () => {
  it('downloads, verifies SHA-256, renames into place and reports progress', async () => {
    const dir = freshDir();
    const dest = path.join(dir, 'file.bin');
    const seen: Array<[number, number]> = [];
    await downloadFile(`${base}/file.bin`, dest, { sha256: sha(payload), bytes: payload.length, onProgress: (d, t) => seen.push([d, t]) });
    expect(sha(new Uint8Array(readFileSync(dest)))).toBe(sha(payload));
    expect(readdirSync(dir)).toEqual(['file.bin']);
    expect(seen.at(-1)).toEqual([payload.length, payload.length]);
    expect(seen.every(([d], k) => k === 0 || d >= seen[k - 1][0])).toBe(true);
  });

  it('verifies MD5 when only that is given, and follows redirects', async () => {
    const dest = path.join(freshDir(), 'm.bin');
    await downloadFile(`${base}/moved`, dest, { md5: md5(payload) });
    expect(readFileSync(dest).length).toBe(payload.length);
  });

  it('on a checksum mismatch throws a clear error and leaves nothing in the cache', async () => {
    const dir = freshDir();
    const dest = path.join(dir, 'file.bin');
    const wrong = '0'.repeat(64);
    const p = downloadFile(`${base}/file.bin`, dest, { sha256: wrong });
    await expect(p).rejects.toThrow(DataFormatError);
    await expect(downloadFile(`${base}/file.bin`, dest, { sha256: wrong })).rejects.toThrow(
      new RegExp(`file.bin: SHA-256 mismatch: expected ${wrong}, got ${sha(payload)}`),
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('on a truncated response throws and leaves nothing', async () => {
    const dir = freshDir();
    const p = downloadFile(`${base}/truncated.bin`, path.join(dir, 't.bin'), { sha256: sha(payload) });
    await expect(p).rejects.toThrow(DownloadError);
    await expect(downloadFile(`${base}/truncated.bin`, path.join(dir, 't.bin'), { sha256: sha(payload) })).rejects.toThrow(
      /truncated.bin: download (interrupted|truncated)/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a wrong announced size, HTTP errors, bad URLs and missing checksums', async () => {
    const dir = freshDir();
    await expect(downloadFile(`${base}/file.bin`, path.join(dir, 'a'), { sha256: sha(payload), bytes: 5 })).rejects.toThrow(/announces 200000 bytes, expected 5/);
    await expect(downloadFile(`${base}/nothing`, path.join(dir, 'b'), { sha256: sha(payload) })).rejects.toThrow(/nothing: HTTP status 404/);
    await expect(downloadFile('ftp://x/y', path.join(dir, 'c'), { sha256: sha(payload) })).rejects.toThrow(/unsupported protocol ftp:/);
    await expect(downloadFile(`${base}/file.bin`, path.join(dir, 'd'), {})).rejects.toThrow(/give a sha256 or md5/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('fetchDataset + loadDataset', () => {
  it('downloads a CIFAR-10 tarball, unpacks it in the cache and loads it', async () => {
    const cache = freshDir();
    const source = {
      files: [{ url: `${base}/cifar.tgz`, file: 'cifar-10-binary.tar.gz', sha256: sha(cifarTgz), bytes: cifarTgz.length }],
      extractsTo: 'cifar-10-batches-bin',
    };
    let last = 0;
    const dir = await fetchDataset('cifar10', { cacheDir: cache, source, onProgress: (d) => (last = d) });
    expect(last).toBe(cifarTgz.length);
    expect(dir).toBe(path.join(cache, 'cifar10'));
    expect(readdirSync(dir)).toEqual(['cifar-10-batches-bin']);
    const ds = await loadDataset('cifar10', { cacheDir: cache });
    expect(Array.from(ds.train.labels)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(ds.test.labels)).toEqual([5, 6]);
    expect(ds.train.images[3072 + 2]).toBeCloseTo((10 + 2) / 255, 6); // record 1, pixel (0,0), blue
  });

  it("loadDataset('mnist', { download: true }) fetches the four IDX files once, then reads the cache", async () => {
    const cache = freshDir();
    const source = {
      files: Object.entries(mnistFiles).map(([file, body]) => ({ url: `${base}/mnist/${file}`, file, sha256: sha(body), bytes: body.length })),
    };
    const total = Object.values(mnistFiles).reduce((a, b) => a + b.length, 0);
    const seen: number[] = [];
    await expect(loadDataset('mnist', { cacheDir: cache })).rejects.toThrow(/file not found/);
    const ds = await loadDataset('mnist', { cacheDir: cache, download: true, source, onProgress: (d, t) => seen.push(d, t) });
    expect(Array.from(ds.train.labels)).toEqual([3, 1, 4, 1]);
    expect(Array.from(ds.test.labels)).toEqual([5, 9]);
    expect(seen.slice(-2)).toEqual([total, total]);
    expect(readdirSync(path.join(cache, 'mnist')).sort()).toEqual(Object.keys(mnistFiles).sort());
    // A second load finds everything cached: a source that cannot be fetched is never used.
    const offline = { files: source.files.map((f) => ({ ...f, url: `${base}/gone` })) };
    const again = await loadDataset('mnist', { cacheDir: cache, download: true, source: offline });
    expect(Array.from(again.test.labels)).toEqual([5, 9]);
  });

  it('a bad checksum leaves the cache without the archive and without an unpacked folder', async () => {
    const cache = freshDir();
    const source = { files: [{ url: `${base}/cifar.tgz`, file: 'cifar-10-binary.tar.gz', sha256: 'f'.repeat(64) }], extractsTo: 'cifar-10-batches-bin' };
    await expect(fetchDataset('cifar10', { cacheDir: cache, source })).rejects.toThrow(/SHA-256 mismatch/);
    expect(readdirSync(path.join(cache, 'cifar10'))).toEqual([]);
  });

  it('cacheDir: option, then CAT_CACHE_DIR, then ~/.cache/cat', () => {
    const old = process.env.CAT_CACHE_DIR;
    try {
      process.env.CAT_CACHE_DIR = '/tmp/from-env';
      expect(resolveCacheDir('/tmp/explicit')).toBe('/tmp/explicit');
      expect(resolveCacheDir()).toBe('/tmp/from-env');
      delete process.env.CAT_CACHE_DIR;
      expect(resolveCacheDir()).toMatch(/\.cache\/cat$/);
    } finally {
      if (old === undefined) delete process.env.CAT_CACHE_DIR;
      else process.env.CAT_CACHE_DIR = old;
    }
  });
});
