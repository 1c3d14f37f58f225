/**
 * The page of `cat-cli serve` in headless Chromium (Debian's /usr/bin/chromium via
 * playwright-core): two runs this test trains (CAT-cent and AT, a few steps on the embedded
 * digits) are served by the serve command's server; the page attacks a fixed test image with
 * PGD (no random start, fixed eps, steps and step size) on both, and its predictions must be
 * those of @cat/core's PGD run in Node on the cpu backend on the same image and exported models.
 * The page may fetch nothing but the local server. It saves a screenshot in the test's folder;
 * with CAT_UPDATE_DOCS=1 it writes docs/images/page.png, the one the README shows. A second
 * page with plain tfjs and no cat code loads the exported f with tf.loadLayersModel and gives
 * the checkpoint's logits.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrate, loadModel, PGD } from '@cat/core';
import { loadRun } from '@cat/trainer';
import type { SiteImages, SiteManifest } from '@cat/web';
import { selectBackend } from '../../packages/cli/src/commands/eval.js';
import { serveRuns } from '../../packages/cli/src/commands/serve.js';
import { REPO_ROOT, runCli } from '../reliability/cli-process.js';

const CHROMIUM = '/usr/bin/chromium';
/** The README's screenshot, rewritten only on request so that a test run leaves the tree clean. */
const DOCS_SCREENSHOT = path.join(REPO_ROOT, 'docs', 'images', 'page.png');
/** The attack the page and Node both run: deterministic (starts at x). */
const SETTINGS = { eps: 0.2, steps: 5, alpha: 0.05 };
/**
 * webgl (or wasm) against Node's cpu backend: the same float32 maths in another order. Measured
 * here (webgl on SwiftShader): at most 3e-7 on these probabilities; a gradient component that
 * rounds to the other sign moves one pixel by 2 alpha in a step, still far below this.
 */
const PROB_TOLERANCE = 1e-3;

let root: string;
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRuns>>;
let runs: { cat: string; at: string };

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cat-web-page-test-'));
  runs = { cat: path.join(root, 'cat'), at: path.join(root, 'at') };
  const train = (method: string, out: string) =>
    runCli(['train', '--dataset', 'mnist-digits', '--method', method, '--epochs', '3', '--train-subset', '300', '--test-subset', '20', '--batch', '30', '--lr', '0.003', '--steps', '2', '--eval-steps', '2', '--seed', '1', '--out', out]);
  const trained = await Promise.all([train('cat-cent', runs.cat), train('at', runs.at)]);
  for (const t of trained) expect(t.code, t.stderr).toBe(0);
  // An evaluation for the page's table (FGSM on a few images: quick).
  const ev = await runCli(['eval', runs.cat, '--attacks', 'fgsm', '--limit', '20']);
  expect(ev.code, ev.stderr).toBe(0);
  await selectBackend();
  server = await serveRuns([runs.cat, runs.at], { port: 0, images: 8 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** The site's test images as the page decodes them (byte / 255). */
function siteImages(): { meta: SiteImages; image: (i: number) => Float32Array } {
  const meta = JSON.parse(fs.readFileSync(path.join(server.root, 'images.json'), 'utf8')) as SiteImages;
  const bytes = Buffer.from(meta.pixels, 'base64');
  const size = meta.shape[0] * meta.shape[1] * meta.shape[2];
  return { meta, image: (i) => Float32Array.from(bytes.subarray(i * size, (i + 1) * size), (b) => b / 255) };
}

interface NodeOutcome {
  natural: number[];
  adversarial: number[];
  calibrated: number[] | null;
}

const softmax = (t: tf.Tensor) => Array.from(tf.tidy(() => tf.softmax(t as tf.Tensor2D)).dataSync());
const argmax = (p: number[]) => p.indexOf(Math.max(...p));
/** Gap between the top two probabilities. */
const margin = (p: number[]) => {
  const s = [...p].sort((a, b) => b - a);
  return s[0] - s[1];
};

/** @cat/core's PGD in Node on the cpu backend, on the exported models of the site's run `i`. */
async function nodeAttack(i: number, image: Float32Array, shape: [number, number, number], label: number): Promise<NodeOutcome> {
  const f = await loadModel(path.join(server.root, 'runs', String(i), 'f'));
  const gDir = path.join(server.root, 'runs', String(i), 'g');
  const g = fs.existsSync(gDir) ? await loadModel(gDir) : null;
  const x = tf.tensor4d(image, [1, ...shape]);
  const y = tf.tensor1d([label], 'int32');
  const xAdv = new PGD({ ...SETTINGS, randomStart: false }).run((t) => f.predict(t) as tf.Tensor2D, x, y);
  const out = tf.tidy(() => {
    const mask = g ? (g.predict(xAdv) as tf.Tensor4D) : null;
    const xCal = mask ? calibrate(x, tf.sub(xAdv, x) as tf.Tensor4D, mask) : null;
    return {
      natural: softmax(f.predict(x) as tf.Tensor),
      adversarial: softmax(f.predict(xAdv) as tf.Tensor),
      calibrated: xCal ? softmax(f.predict(xCal) as tf.Tensor) : null,
    };
  });
  tf.dispose([x, y, xAdv]);
  f.dispose();
  g?.dispose();
  return out;
}

async function setSlider(page: Page, id: string, value: number): Promise<void> {
  await page.$eval(`#${id}`, (e, v) => {
    (e as HTMLInputElement).value = String(v);
    e.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

describe('cat-cli serve: the page', () => {
  it("attacks a test image with PGD in the browser and agrees with Node's PGD", async () => {
    await tf.setBackend('cpu');
    const manifest = JSON.parse(fs.readFileSync(path.join(server.root, 'site.json'), 'utf8')) as SiteManifest;
    expect(manifest.runs.map((r) => [r.name, r.method, r.hasMask])).toEqual([['cat', 'cat-cent', true], ['at', 'at', false]]);
    expect(manifest.runs[0].hasEval).toBe(true);
    const { meta, image } = siteImages();

    // The fixed image: of the served ones, the one whose predictions are furthest from a tie
    // (tiny runs are unsure; a near tie could flip on float rounding alone). Natural predictions
    // pick three candidates (cheap), Node's PGD decides among them.
    const naturalMargin = async (k: number) => {
      let m = Infinity;
      for (const i of [0, 1]) {
        const f = await loadModel(path.join(server.root, 'runs', String(i), 'f'));
        m = Math.min(m, margin(softmax(tf.tidy(() => f.predict(tf.tensor4d(image(k), [1, ...meta.shape])) as tf.Tensor))));
        f.dispose();
      }
      return m;
    };
    const byNatural: Array<{ k: number; m: number }> = [];
    for (let k = 0; k < meta.count; k++) byNatural.push({ k, m: await naturalMargin(k) });
    const outcomes = [];
    for (const { k } of byNatural.sort((a, b) => b.m - a.m).slice(0, 3)) {
      const both = [await nodeAttack(0, image(k), meta.shape, meta.labels[k]), await nodeAttack(1, image(k), meta.shape, meta.labels[k])];
      const m = Math.min(...both.flatMap((o) => [o.natural, o.adversarial, ...(o.calibrated ? [o.calibrated] : [])].map(margin)));
      outcomes.push({ k, both, m });
    }
    const chosen = outcomes.reduce((a, b) => (b.m > a.m ? b : a));
    // With the top two classes this far apart, probabilities within the tolerance fix the class.
    expect(chosen.m).toBeGreaterThan(2 * PROB_TOLERANCE);

    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The first attack from the address (one attack: webgl on SwiftShader is slow here).
    await page.goto(`${server.url}?attack=pgd&eps=${SETTINGS.eps}&steps=${SETTINGS.steps}&alpha=${SETTINGS.alpha}&image=${chosen.k}`);
    await page.waitForFunction(() => window.catPage?.attacks >= 1 || window.catPage?.error, null, { timeout: 300_000 });
    expect(await page.evaluate(() => window.catPage.error)).toBeNull();

    // The backend: webgl where this Chromium has WebGL (SwiftShader here, even with --disable-gpu), else the wasm fallback; the page says which.
    const hasWebgl = await page.evaluate(() => document.createElement('canvas').getContext('webgl2') !== null || document.createElement('canvas').getContext('webgl') !== null);
    const backend = await page.evaluate(() => window.catPage.backend);
    expect(backend).toBe(hasWebgl ? 'webgl' : 'wasm');
    expect(await page.textContent('#backend')).toContain(`tfjs backend: ${backend}`);

    // The controls show the settings of the address, and follow the sliders.
    expect(await page.$eval('#eps-out', (e) => e.textContent)).toBe(SETTINGS.eps.toFixed(3));
    expect(await page.$eval('#steps-out', (e) => e.textContent)).toBe(String(SETTINGS.steps));
    expect(await page.$eval('#alpha-out', (e) => e.textContent)).toBe(SETTINGS.alpha.toFixed(3));
    expect(await page.$eval('#random-start', (e) => (e as HTMLInputElement).checked)).toBe(false);
    const last = await page.evaluate(() => window.catPage.last!);
    expect(last.settings).toEqual({ attack: 'pgd', ...SETTINGS, randomStart: false });
    expect(last.image).toEqual({ source: 'test', index: chosen.k, label: meta.labels[chosen.k] });
    expect(last.runs.map((r) => r.run)).toEqual(['cat', 'at']);
    const measured: string[] = [];
    for (const [i, ours] of chosen.both.entries()) {
      const theirs = last.runs[i];
      for (const kind of ['natural', 'adversarial', 'calibrated'] as const) {
        const node = ours[kind];
        const web = theirs[kind];
        if (node === null) {
          expect(web, `${theirs.run} ${kind}`).toBeNull();
          continue;
        }
        expect(web!.pred, `${theirs.run} ${kind}`).toBe(argmax(node));
        const worst = Math.max(...node.map((p, c) => Math.abs(p - web!.probs[c])));
        measured.push(`${theirs.run} ${kind} ${worst.toExponential(1)}`);
        expect(worst, `${theirs.run} ${kind}: largest probability difference`).toBeLessThan(PROB_TOLERANCE);
      }
      expect(theirs.linf).toBeLessThanOrEqual(SETTINGS.eps + 1e-6);
      expect(theirs.linf).toBeGreaterThan(SETTINGS.eps / 2);
    }
    process.stderr.write(`page (${backend}) against Node (cpu), largest probability differences: ${measured.join(', ')}\n`);
    expect(last.runs[0].maskMean).toBeGreaterThan(0);
    expect(last.runs[1].maskMean).toBeNull();

    // What the page shows: both runs' columns with three (CAT) and two (AT) probability charts,
    // the predicted classes as data, the curves and the eval table of the CAT run.
    const shown = await page.$$eval('#results .run', (cols) => cols.map((c) => [...c.querySelectorAll('.probs')].map((p) => Number((p as HTMLElement).dataset.pred))));
    expect(shown).toEqual(last.runs.map((r) => [r.natural.pred, r.adversarial.pred, ...(r.calibrated ? [r.calibrated.pred] : [])]));
    expect(await page.$$eval('#runs svg', (s) => s.length)).toBe(4);
    expect(await page.$$eval('#runs .eval td:first-child', (tds) => tds.map((t) => t.textContent))).toEqual(['natural', 'fgsm']);

    expect(errors).toEqual([]);
    // Nothing from anywhere but the local server (data: URIs are in the page itself).
    expect(requests.filter((u) => !u.startsWith(server.url) && !u.startsWith('data:'))).toEqual([]);
    expect(requests.some((u) => u.endsWith('/runs/1/f/weights.bin'))).toBe(true);

    const screenshot = process.env.CAT_UPDATE_DOCS === '1' ? DOCS_SCREENSHOT : path.join(root, 'page.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(fs.statSync(screenshot).size).toBeGreaterThan(20_000);
    // The sliders drive the settings (and the step size follows eps / steps until moved by hand).
    await setSlider(page, 'eps', 0.1);
    expect(await page.$eval('#eps-out', (e) => e.textContent)).toBe('0.100');
    await page.close();
  }, 900_000);

  it('serves an exported f that plain tfjs in the page loads with tf.loadLayersModel, giving the checkpoint logits', async () => {
    await tf.setBackend('cpu');
    const { meta, image } = siteImages();
    const x = Array.from(image(0));
    // The checkpoint's logits, through cat's own loader.
    const run = await loadRun(runs.cat);
    const expected = Array.from(tf.tidy(() => (run.f.predict(tf.tensor4d(x, [1, ...meta.shape])) as tf.Tensor).dataSync()));
    run.f.dispose();
    run.g?.dispose();

    // A page with tfjs's own browser bundle only (injected from node_modules: no request), no cat code.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${server.url}site.json`);
    const tfjs = createRequire(import.meta.url).resolve('@tensorflow/tfjs/dist/tf.min.js');
    await page.addScriptTag({ path: tfjs });
    const logits = await page.evaluate(
      async ({ pixels, shape }) => {
        const tfw = (window as unknown as { tf: typeof tf }).tf;
        const f = await tfw.loadLayersModel(new URL('runs/0/f/model.json', location.href).href);
        return Array.from((f.predict(tfw.tensor4d(pixels, [1, ...shape])) as tf.Tensor).dataSync());
      },
      { pixels: x, shape: meta.shape },
    );
    expect(logits).toHaveLength(expected.length);
    const scale = Math.max(1, ...expected.map(Math.abs));
    for (let c = 0; c < expected.length; c++) expect(Math.abs(logits[c] - expected[c])).toBeLessThan(1e-3 * scale);
    expect(requests.filter((u) => !u.startsWith(server.url))).toEqual([]);
    await context.close();
  }, 300_000);
});
