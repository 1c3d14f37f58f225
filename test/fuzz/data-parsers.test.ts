/**
 * Property-based fuzzing of every parser of outside data: random and mutated bytes either parse
 * or throw a DataFormatError that names the file, never anything else, and never hang.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CIFAR100_FINE_LAYOUT, CIFAR10_LAYOUT, DataFormatError, extractTar, maybeGunzip, parseCifar, parseDigitFile,
  parseIdxImages, parseIdxLabels, readTar,
} from '@cat/core';
import { cifarRecord, concat, gzip, idxImages, idxLabels, tarArchive } from '../../packages/core/test/data/fixtures.js';

const FILE = 'fuzzed/input-file.bin';
const RUNS = 200;

/** Runs `parse`; anything thrown must be a DataFormatError naming FILE. */
function onlyDataErrors(parse: () => unknown): void {
  try {
    parse();
  } catch (e) {
    if (!(e instanceof DataFormatError)) throw new Error(`threw ${(e as Error)?.constructor?.name}: ${String(e)}`);
    expect(e.message).toContain(FILE);
  }
}

/** Valid bytes with a few bytes overwritten, some bytes inserted or the tail cut. */
function mutated(base: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc
    .record({
      edits: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 8 }),
      insertAt: fc.option(fc.nat()),
      insert: fc.uint8Array({ maxLength: 8 }),
      cut: fc.option(fc.nat()),
    })
    .map(({ edits, insertAt, insert, cut }) => {
      let b: Uint8Array = base.slice();
      for (const e of edits) b[e.at % b.length] = e.value;
      if (insertAt !== null) {
        const at = insertAt % (b.length + 1);
        b = concat([b.subarray(0, at), insert, b.subarray(at)]);
      }
      if (cut !== null) b = b.subarray(0, cut % (b.length + 1));
      return b;
    });
}

/** Random bytes, random bytes behind the gzip magic, or mutations of `valid`. */
function inputs(valid: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 2048 }),
    fc.uint8Array({ maxLength: 512 }).map((b) => concat([Uint8Array.from([0x1f, 0x8b, 8, 0]), b])),
    ...valid.map(mutated),
    ...valid.map((v) => mutated(gzip(v))),
  );
}

const timed = (name: string, body: () => void) =>
  it(name, () => {
    const start = Date.now();
    body();
    expect(Date.now() - start).toBeLessThan(30_000);
  });

describe('fuzz: parsers of outside data', () => {
  const images = idxImages(2, 5, 4, (n, i, j) => n + i * j);
  const labels = idxLabels([0, 9, 3]);

  timed('IDX images', () => {
    fc.assert(fc.property(inputs([images, labels]), (b) => onlyDataErrors(() => parseIdxImages(b, FILE))), { numRuns: RUNS });
  });

  timed('IDX labels', () => {
    fc.assert(fc.property(inputs([labels, images]), (b) => onlyDataErrors(() => parseIdxLabels(b, FILE, 10))), { numRuns: RUNS });
  });

  timed('gzip wrapper', () => {
    fc.assert(fc.property(inputs([labels]), (b) => onlyDataErrors(() => maybeGunzip(b, FILE, 1 << 20))), { numRuns: RUNS });
  });

  timed('CIFAR-10 and CIFAR-100 records', () => {
    const c10 = concat([cifarRecord([3], (c, i, j) => c + i + j), cifarRecord([7], () => 9)]);
    const c100 = cifarRecord([5, 60], (c) => c);
    fc.assert(
      fc.property(inputs([c10, c100]), fc.boolean(), (b, fine) =>
        onlyDataErrors(() => parseCifar(b, FILE, fine ? CIFAR100_FINE_LAYOUT : CIFAR10_LAYOUT))),
      { numRuns: RUNS },
    );
  });

  const archive = tarArchive([
    { name: 'dir/', type: '5' },
    { name: 'dir/a.bin', data: Uint8Array.from([1, 2, 3]) },
    { name: 'dir/b.bin', data: new Uint8Array(700).fill(5) },
  ]);

  timed('tar reader', () => {
    fc.assert(fc.property(inputs([archive]), (b) => onlyDataErrors(() => readTar(b, FILE))), { numRuns: RUNS });
  });

  // Targets are base/inner/<k>: an entry escaping its target by one or two levels would show up
  // as a stray name in inner/ or base/.
  const base = mkdtempSync(path.join(tmpdir(), 'cat-fuzz-tar-'));
  const out = path.join(base, 'inner');
  mkdirSync(out);
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  /** Every path under `dir`, recursively, checked to be a plain file or folder. */
  function walk(dir: string): void {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      const st = statSync(p, { throwIfNoEntry: true });
      if (!st.isFile() && !st.isDirectory()) throw new Error(`extracted a special file ${p}`);
      if (st.isDirectory()) walk(p);
    }
  }

  timed('tar extraction never writes outside its folder or writes links', () => {
    let k = 0;
    fc.assert(
      fc.property(mutated(archive), (b) => {
        const target = path.join(out, String(k++));
        onlyDataErrors(() => extractTar(b, target, FILE));
        try {
          walk(target);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        }
      }),
      { numRuns: 100 },
    );
    expect(readdirSync(base)).toEqual(['inner']);
    expect(readdirSync(out).every((name) => /^\d+$/.test(name))).toBe(true);
  });

  timed('embedded digit JSON', () => {
    const valid = JSON.stringify({ data: Array.from({ length: 784 }, (_, i) => (i % 7) / 7) });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.json({ maxDepth: 2 }),
          mutated(new TextEncoder().encode(valid)).map((b) => new TextDecoder().decode(b)),
        ),
        (text) => onlyDataErrors(() => parseDigitFile(text, FILE)),
      ),
      { numRuns: RUNS },
    );
  });
});
