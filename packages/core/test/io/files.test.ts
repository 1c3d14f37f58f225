/** Crash-safe files: directory swaps and JSON reads that name the file. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commitDir, makeStagingDir, readJsonFile, recoverDir, writeFileAtomic } from '@cat/core';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cat-files-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('files', () => {
  it('commitDir swaps whole directories', () => {
    const dir = path.join(tmp, 'swap');
    for (const v of ['a', 'b']) {
      const s = makeStagingDir(dir);
      fs.writeFileSync(path.join(s, 'v'), v);
      commitDir(s, dir);
      expect(fs.readFileSync(path.join(dir, 'v'), 'utf8')).toBe(v);
    }
    recoverDir(dir);
    expect(fs.readdirSync(tmp).filter((n) => n.startsWith('swap'))).toEqual(['swap']);
  });

  it('writeFileAtomic replaces a file and leaves no temporary file', () => {
    const file = path.join(tmp, 'a.json');
    writeFileAtomic(file, '{"v": 1}');
    writeFileAtomic(file, '{"v": 2}');
    expect(readJsonFile(file, 'test record')).toEqual({ v: 2 });
    expect(fs.readdirSync(tmp).filter((n) => n.startsWith('a.json'))).toEqual(['a.json']);
  });

  it('readJsonFile names the file and what it holds', () => {
    const file = path.join(tmp, 'bad.json');
    fs.writeFileSync(file, '{ not json');
    expect(() => readJsonFile(file, 'test record')).toThrow(/bad\.json: test record is not valid JSON \(/);
    expect(() => readJsonFile(file)).toThrow(/bad\.json is not valid JSON \(/);
    expect(() => readJsonFile(path.join(tmp, 'absent.json'), 'test record')).toThrow(/absent\.json: test record does not exist/);
  });
});
