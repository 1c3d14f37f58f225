import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pngSize, svgSize } from '@cat/viz';
import { vizRuns } from '../src/commands/viz.js';
import { main } from '@cat/cli';
import { tempDir, writeFakeRun } from './eval-fixture.js';

let cat: string;
let at: string;

beforeAll(async () => {
  const root = tempDir('viz');
  cat = await writeFakeRun(path.join(root, 'cat'), { method: 'cat-cent' });
  at = await writeFakeRun(path.join(root, 'at'), { method: 'at' });
});

describe('cat-cli viz', () => {
  it('writes the mask grid and training curves as PNG and SVG', async () => {
    const lines: string[] = [];
    // Square needs no gradients (gradient attacks on the CNN are slow on this shared cpu).
    const files = await vizRuns([cat], { backend: 'cpu', grid: 3, attack: 'square', squareQueries: 3, scale: 2 }, (l) => lines.push(l));
    const dir = path.join(cat, 'viz');
    expect(files.sort()).toEqual(['mask-grid.png', 'mask-grid.svg', 'training-curves.png', 'training-curves.svg'].map((f) => path.join(dir, f)));
    const grid = pngSize(fs.readFileSync(path.join(dir, 'mask-grid.png')));
    const parsed = svgSize(fs.readFileSync(path.join(dir, 'mask-grid.svg'), 'utf8'));
    expect([grid.width, grid.height]).toEqual([parsed.width, parsed.height]);
    // 3 columns of 56-pixel cells with 4-pixel gaps, plus the 130-pixel label margin.
    expect(grid.width).toBe(130 + 3 * 56 + 4 * 4);
    const curves = fs.readFileSync(path.join(dir, 'training-curves.svg'), 'utf8');
    expect(svgSize(curves).width).toBeGreaterThan(100);
    expect(pngSize(fs.readFileSync(path.join(dir, 'training-curves.png'))).width).toBe(2 * svgSize(curves).width);
  });

  it('skips the grid for a run without a mask net, and says so', async () => {
    const lines: string[] = [];
    const out = tempDir('viz-out');
    const files = await vizRuns([at], { backend: 'cpu', out }, (l) => lines.push(l));
    expect(files.map((f) => path.basename(f)).sort()).toEqual(['training-curves.png', 'training-curves.svg']);
    expect(lines.join('\n')).toMatch(/no mask network/);
  });

  it('rejects bad flags with a clear message', async () => {
    const err: string[] = [];
    const ew = process.stderr.write.bind(process.stderr);
    (process.stderr as any).write = (s: string) => (err.push(String(s)), true);
    try {
      expect(await main(['viz', cat, '--images', '1,x'])).not.toBe(0);
      expect(await main(['viz', cat, '--backend', 'cpu', '--images', '99999'])).toBe(2);
    } finally {
      (process.stderr as any).write = ew;
    }
    expect(err.join('')).toMatch(/--images: expected comma-separated test-image indices/);
    expect(err.join('')).toMatch(/--images: index 99999 is outside the test set/);
  });
});
