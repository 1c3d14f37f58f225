import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFormatError, extractTar, readTar, safeEntryPath } from '@cat/core';
import { tarArchive } from './fixtures.js';

const work = mkdtempSync(path.join(tmpdir(), 'cat-tar-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const bytes = (s: string) => new TextEncoder().encode(s);

describe('tar reader', () => {
  it('reads an archive written by GNU tar (files, folders, a >100-char path)', () => {
    const src = path.join(work, 'src');
    const long = 'd'.repeat(60) + '/' + 'e'.repeat(60);
    mkdirSync(path.join(src, 'top', long), { recursive: true });
    writeFileSync(path.join(src, 'top', 'a.bin'), Buffer.alloc(1000, 7));
    writeFileSync(path.join(src, 'top', long, 'b.txt'), 'hello');
    const tarFile = path.join(work, 'gnu.tar');
    execFileSync('tar', ['-cf', tarFile, '-C', src, 'top']);
    const entries = readTar(new Uint8Array(readFileSync(tarFile)), tarFile);
    const files = entries.filter((e) => e.type === 'file');
    expect(files.map((e) => e.path).sort()).toEqual([`top/${long}/b.txt`, 'top/a.bin'].sort());
    const a = files.find((e) => e.path === 'top/a.bin')!;
    expect(a.data.length).toBe(1000);
    expect(a.data.every((v) => v === 7)).toBe(true);
    expect(new TextDecoder().decode(files.find((e) => e.path.endsWith('b.txt'))!.data)).toBe('hello');
  });

  it('extracts into the target folder', () => {
    const out = path.join(work, 'out1');
    const written = extractTar(tarArchive([{ name: 'x/', type: '5' }, { name: 'x/y.bin', data: bytes('abc') }]), out, 'a.tar');
    expect(written).toEqual(['x/y.bin']);
    expect(readFileSync(path.join(out, 'x', 'y.bin'), 'utf8')).toBe('abc');
  });

  it.each([
    ['an absolute path', '/etc/cat-evil', /absolute path/],
    ['a .. component', 'ok/../../evil', /leaves the target directory/],
    ['a leading ..', '../evil', /leaves the target directory/],
  ])('refuses %s and writes nothing', (_what, name, msg) => {
    const out = path.join(work, `bad-${Math.random().toString(36).slice(2)}`);
    const archive = tarArchive([{ name: 'first.txt', data: bytes('1') }, { name, data: bytes('2') }]);
    expect(() => extractTar(archive, out, 'evil.tar')).toThrow(DataFormatError);
    expect(() => extractTar(archive, out, 'evil.tar')).toThrow(msg);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses symbolic and hard links (also from GNU tar)', () => {
    expect(() => readTar(tarArchive([{ name: 'l', type: '2', linkName: '/etc/passwd' }]), 'l.tar')).toThrow(/symbolic link/);
    expect(() => readTar(tarArchive([{ name: 'h', type: '1', linkName: 'x' }]), 'h.tar')).toThrow(/hard link/);
    const src = path.join(work, 'lnk');
    mkdirSync(src);
    symlinkSync('/etc/hostname', path.join(src, 'link'));
    const tarFile = path.join(work, 'lnk.tar');
    execFileSync('tar', ['-cf', tarFile, '-C', src, 'link']);
    expect(() => readTar(new Uint8Array(readFileSync(tarFile)), tarFile)).toThrow(/lnk.tar: tar entry 'link' is a symbolic link/);
  });

  it('rejects a truncated archive and a bad checksum', () => {
    const archive = tarArchive([{ name: 'f', data: new Uint8Array(2000) }]);
    expect(() => readTar(archive.subarray(0, 1500), 't.tar')).toThrow(/truncated tar archive/);
    expect(() => readTar(archive.subarray(0, 700), 't.tar')).toThrow(/truncated tar archive/);
    const bad = archive.slice();
    bad[10] ^= 1;
    expect(() => readTar(bad, 't.tar')).toThrow(/bad checksum/);
  });

  it('normalises safe paths', () => {
    expect(safeEntryPath('./a//b/./c', 'x')).toBe('a/b/c');
    expect(() => safeEntryPath('./', 'x')).toThrow(/empty path/);
  });

  it('leaves no stray files: the out folder holds exactly the archive', () => {
    const out = path.join(work, 'out2');
    extractTar(tarArchive([{ name: 'p.txt', data: bytes('p') }, { name: 'q/r.txt', data: bytes('r') }]), out, 'b.tar');
    expect(readdirSync(out).sort()).toEqual(['p.txt', 'q']);
  });
});
