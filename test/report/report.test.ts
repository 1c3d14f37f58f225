/**
 * The HTML report opened in headless Chromium (Debian's /usr/bin/chromium via playwright-core):
 * its tables and pictures must be present and render, with nothing fetched from outside.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { evalRuns } from '../../packages/cli/src/commands/eval.js';
import { reportRuns } from '../../packages/cli/src/commands/report.js';
import { tempDir, writeFakeRun } from '../../packages/cli/test/eval-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
let browser: Browser;
let html: string;

beforeAll(async () => {
  const root = tempDir('report');
  const runs = [
    await writeFakeRun(path.join(root, 'cat-s1'), { method: 'cat-cent', seed: 1 }),
    await writeFakeRun(path.join(root, 'cat-s2'), { method: 'cat-cent', seed: 2 }),
  ];
  const quiet = () => {};
  // Square only: forward passes (gradient attacks on the untrained CNN are slow on this cpu).
  for (const r of runs) await evalRuns([r], { backend: 'cpu', limit: 4, batch: 4, attacks: ['square'], squareQueries: 3, log: quiet });
  html = await reportRuns(runs, { backend: 'cpu', grid: 2, attack: 'square', squareQueries: 3, out: path.join(root, 'report.html') }, quiet);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('cat-cli report', () => {
  it('is one self-contained HTML file whose tables and images render in Chromium', async () => {
    expect(fs.existsSync(html)).toBe(true);
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });

    expect(await page.title()).toContain('cat report');
    // The combined table: one row for the two seeds (mean ± std), paper columns.
    const headers = await page.$$eval('table.paper-table thead th', (ths) => ths.map((t) => t.textContent?.trim()));
    expect(headers.slice(0, 3)).toEqual(['Method', 'Natural', 'Square']);
    expect(headers[headers.length - 1]).toBe('Avg');
    const firstTable = await page.$$eval('table.paper-table', (ts) => ts.length);
    expect(firstTable).toBe(3); // combined + one per run
    const cell = await page.$eval('table.paper-table tbody tr td:nth-child(2)', (td) => td.textContent ?? '');
    expect(cell).toMatch(/^\d+\.\d\d ± \d+\.\d\d$/);

    // Mask grids as PNG data URIs that decode, training curves as inline SVG.
    const imgs = await page.$$eval('figure img', (els) =>
      els.map((e) => ({ src: (e as HTMLImageElement).src.slice(0, 22), w: (e as HTMLImageElement).naturalWidth, done: (e as HTMLImageElement).complete })),
    );
    expect(imgs).toHaveLength(2);
    for (const i of imgs) {
      expect(i.src).toBe('data:image/png;base64,');
      expect(i.done).toBe(true);
      expect(i.w).toBeGreaterThan(100);
    }
    const svgs = await page.$$eval('figure .svg svg', (els) => els.map((e) => e.getBoundingClientRect().width));
    expect(svgs).toHaveLength(2);
    for (const w of svgs) expect(w).toBeGreaterThan(100);

    // Nothing but the page itself (and its data URIs) was requested.
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
    await page.close();
  });
});
