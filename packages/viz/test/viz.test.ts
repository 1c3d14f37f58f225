import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { Resvg } from '@resvg/resvg-js';
import { createAttack } from '@cat/core';
import {
  accuracyVsEps,
  accuracyVsEpsSpec,
  figure2Data,
  maskGridFigure,
  maskGridPng,
  renderVegaLite,
  sweepChartSpec,
  trainingCurvesSpec,
} from '@cat/viz';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** SVG must parse (resvg throws on malformed XML) and have the stated size. */
function checkSvg(svg: string): { width: number; height: number } {
  expect(svg.startsWith('<svg')).toBe(true);
  const r = new Resvg(svg);
  return { width: r.width, height: r.height };
}

function grid(n: number, h = 6, w = 5) {
  const natural = tf.randomUniform([n, h, w, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  return {
    natural,
    adversarial: tf.clipByValue(tf.add(natural, 0.1), 0, 1) as tf.Tensor4D,
    mask: tf.fill([n, h, w, 1], 0.5) as tf.Tensor4D,
    calibrated: tf.clipByValue(tf.add(natural, 0.05), 0, 1) as tf.Tensor4D,
  };
}

describe('mask grid (Figure 2)', () => {
  it('lays the four rows out with pngjs at the expected size and pixel values', () => {
    const g = grid(3);
    const png = PNG.sync.read(maskGridPng(g, { scale: 2, pad: 1 }));
    expect(png.width).toBe(3 * 10 + 4 * 1);
    expect(png.height).toBe(4 * 12 + 5 * 1);
    // Row 2 (mask) is 0.5 grey: pixel at (x=1, y=1 + 2*(12+1)).
    const o = ((1 + 2 * 13) * png.width + 1) * 4;
    expect(png.data[o]).toBe(128);
    // The first natural pixel, upscaled into a 2x2 block.
    const v = Math.round(g.natural.dataSync()[0] * 255);
    for (const [x, y] of [[1, 1], [2, 1], [1, 2], [2, 2]]) expect(png.data[(y * png.width + x) * 4]).toBe(v);
    // Gap pixels stay white.
    expect(png.data[0]).toBe(255);
  });

  it('adds row and column labels in an SVG that parses, and a PNG of its size', () => {
    const g = grid(2);
    const fig = maskGridFigure(g, { scale: 4, columnLabels: ['y=1', 'y=2'] });
    const size = checkSvg(fig.svg);
    expect(fig.svg).toContain('calibrated adv.');
    expect(fig.svg).toContain('y=2');
    const png = PNG.sync.read(fig.png);
    expect(png.width).toBe(size.width);
    expect(png.height).toBe(size.height);
    // Label text rendered: some dark pixels in the label margin.
    let dark = 0;
    for (let y = 0; y < png.height; y++) for (let x = 0; x < 120; x++) if (png.data[(y * png.width + x) * 4] < 100) dark++;
    expect(dark).toBeGreaterThan(20);
  });

  it('rejects rows of different shapes', () => {
    const g = grid(2);
    expect(() => maskGridPng({ ...g, mask: tf.zeros([3, 6, 5, 1]) as tf.Tensor4D })).toThrow(/row mask has shape/);
  });

  it('computes calibrated = clip(x + mask * delta) from f, g and an attack', () => {
    const w = tf.variable(tf.randomNormal([16, 3], 0, 1, 'float32', 2));
    const f = (x: tf.Tensor4D) => tf.matMul(tf.reshape(x, [x.shape[0], 16]), w) as tf.Tensor2D;
    const g = (x: tf.Tensor4D) => tf.fill(x.shape, 0.25) as tf.Tensor4D;
    const x = tf.randomUniform([2, 4, 4, 1], 0.2, 0.8, 'float32', 3) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1], 'int32');
    const d = figure2Data(f, g, x, y, createAttack('fgsm', { eps: 0.1 }));
    const expected = tf.add(x, tf.mul(tf.sub(d.adversarial, x), 0.25));
    expect(tf.max(tf.abs(tf.sub(d.calibrated, expected))).dataSync()[0]).toBeLessThan(1e-6);
    expect(tf.max(tf.abs(tf.sub(d.adversarial, x))).dataSync()[0]).toBeCloseTo(0.1, 5);
    expect(d.predictions.natural).toHaveLength(2);
  });
});

describe('charts (vega-lite -> vega -> SVG -> resvg PNG)', () => {
  it('draws training curves from metrics lines', async () => {
    const metrics = [1, 2, 3].map((epoch) => ({
      type: 'epoch',
      epoch,
      naturalAcc: 0.5 + 0.1 * epoch,
      pgd10Acc: 0.2 + 0.1 * epoch,
      losses: { lossF: 1 / epoch, lossG: 0.5 / epoch },
    }));
    const fig = await renderVegaLite(trainingCurvesSpec([{ label: 'run-a', metrics }]), 2);
    const size = checkSvg(fig.svg);
    expect(fig.svg).toContain('Test accuracy');
    expect(fig.svg).toContain('lossG');
    const png = PNG.sync.read(fig.png);
    expect(png.width).toBe(Math.round(size.width * 2));
    expect(png.height).toBe(Math.round(size.height * 2));
    expect(fig.svg).not.toContain('Mask g(x + delta)');
  });

  it("adds a panel of the mask's statistics for CAT runs", async () => {
    const metrics = [1, 2].map((epoch) => ({
      type: 'epoch',
      epoch,
      naturalAcc: 0.5,
      pgd10Acc: 0.2,
      losses: { loss_f: 1 },
      mask: { mean: 0.8, low: 0, high: 0.1, stroke: 0.6, background: 0.9 },
    }));
    const fig = await renderVegaLite(trainingCurvesSpec([{ label: 'cat', metrics }]), 1);
    expect(fig.svg).toContain('Mask g(x + delta)');
    expect(fig.svg).toContain('on background');
    expect(fig.svg).toContain('fraction &lt; 0.01');
  });

  it('draws accuracy against eps across runs', async () => {
    const points = ['AT', 'CAT'].flatMap((run, r) => [0, 0.1, 0.2].map((eps) => ({ run, eps, accuracy: 0.9 - eps * (2 - r) })));
    const fig = await renderVegaLite(accuracyVsEpsSpec(points), 1);
    const size = checkSvg(fig.svg);
    expect(fig.svg).toContain('CAT');
    const png = PNG.sync.read(fig.png);
    expect([png.width, png.height]).toEqual([size.width, size.height]);
  });

  it('draws a sweep as one panel per quantity with error bars and flagged points', async () => {
    const points = ['AT', 'CAT-cent'].flatMap((series, i) =>
      [0.1, 0.2].flatMap((x) => [
        { panel: 'Robust accuracy (PGD-20)', series, x, value: 80 - 100 * x + i, std: i, flagged: i === 1 && x === 0.2 },
        { panel: 'Natural + robust accuracy (PGD-20)', series, x, value: 170 - 100 * x + i },
      ]),
    );
    const spec = sweepChartSpec(points, { xTitle: 'training eps', title: 'sweep' }) as any;
    expect(spec.hconcat.map((p: any) => p.title)).toEqual(['Robust accuracy (PGD-20)', 'Natural + robust accuracy (PGD-20)']);
    const fig = await renderVegaLite(spec, 1);
    checkSvg(fig.svg);
    expect(fig.svg).toContain('CAT-cent');
    expect(fig.svg).toContain('training eps');
    expect(() => sweepChartSpec([], { xTitle: 'x' })).toThrow(/no points/);
    expect(() => sweepChartSpec([{ panel: 'p', series: 's', x: 0, value: Number.NaN }], { xTitle: 'x' })).toThrow(/not finite/);
  });

  it('refuses empty metrics with a clear error', () => {
    expect(() => trainingCurvesSpec([{ label: 'r', metrics: [] }])).toThrow(/metrics.jsonl is empty/);
  });
});

describe('accuracyVsEps', () => {
  it('gives natural accuracy at eps 0 and falls as eps grows', async () => {
    const w = tf.randomNormal([16, 3], 0, 1, 'float32', 7);
    const f = (x: tf.Tensor4D) => tf.matMul(tf.reshape(x, [x.shape[0], 16]), w) as tf.Tensor2D;
    const images = tf.randomUniform([30, 4, 4, 1], 0, 1, 'float32', 8) as tf.Tensor4D;
    // Labels are the model's own predictions: natural accuracy is exactly 1.
    const labels = Int32Array.from(tf.argMax(f(images), 1).dataSync());
    const set = { images: images.dataSync() as Float32Array, labels, count: 30, height: 4, width: 4, channels: 1 };
    const pts = await accuracyVsEps('lin', f, set, [0, 0.05, 0.3]);
    expect(pts.map((p) => p.eps)).toEqual([0, 0.05, 0.3]);
    expect(pts[0].accuracy).toBe(1);
    expect(pts[1].accuracy).toBeLessThanOrEqual(pts[0].accuracy);
    expect(pts[2].accuracy).toBeLessThan(pts[0].accuracy);
    expect(pts[2].accuracy).toBeLessThanOrEqual(pts[1].accuracy);
  });
});
