import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  asClassifier,
  buildMaskNet,
  CatMethod,
  describeMaskStats,
  isMaskCollapsed,
  maskStats,
  meanMaskStats,
  PGD,
  Rng,
  setInitialMask,
  tauAt,
} from '@cat/core';
import { tinyClassifier, tinyMaskNet } from '../attacks/tiny-models.js';
import { disposeState, tinyState } from './fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('mask statistics', () => {
  it('match hand-computed values: mean, fractions below 0.01 / above 0.99, stroke and background means', () => {
    // One 2x3 single-channel image: stroke where x > 0.5, background where x < 0.1, one pixel in between.
    const x = tf.tensor4d([0.9, 0.8, 0.05, 0, 0.3, 0.0], [1, 2, 3, 1]);
    const m = tf.tensor4d([0.2, 0.4, 0.995, 0.005, 0.5, 1.0], [1, 2, 3, 1]);
    const s = maskStats(m, x);
    expect(s.mean).toBeCloseTo((0.2 + 0.4 + 0.995 + 0.005 + 0.5 + 1) / 6, 6);
    expect(s.low).toBeCloseTo(1 / 6, 6);
    expect(s.high).toBeCloseTo(2 / 6, 6);
    expect(s.stroke).toBeCloseTo(0.3, 6);
    expect(s.background).toBeCloseTo((0.995 + 0.005 + 1) / 3, 6);
    expect(describeMaskStats(s)).toBe('mean 0.517, <0.01 16.7%, >0.99 33.3%, stroke 0.300, background 0.667');
    tf.dispose([x, m]);
  });

  it('colour images have no stroke/background split; a batch without stroke pixels has no stroke mean', () => {
    const rgb = maskStats(tf.fill([2, 2, 2, 3], 0.5) as tf.Tensor4D, tf.fill([2, 2, 2, 3], 0.9) as tf.Tensor4D);
    expect(rgb).toEqual({ mean: 0.5, low: 0, high: 0 });
    const dark = maskStats(tf.fill([1, 2, 2, 1], 0.25) as tf.Tensor4D, tf.zeros([1, 2, 2, 1]) as tf.Tensor4D);
    expect(dark).toEqual({ mean: 0.25, low: 0, high: 0, background: 0.25 });
  });

  it('epoch means average each field over the steps that have it; the collapse test is > 99% below 0.01', () => {
    expect(meanMaskStats([])).toBeNull();
    const avg = meanMaskStats([
      { mean: 0.2, low: 0.5, high: 0, stroke: 0.1 },
      { mean: 0.4, low: 0.7, high: 0.2 },
    ])!;
    expect(avg.mean).toBeCloseTo(0.3, 12);
    expect(avg.low).toBeCloseTo(0.6, 12);
    expect(avg.high).toBeCloseTo(0.1, 12);
    expect(avg.stroke).toBeCloseTo(0.1, 12);
    expect(avg.background).toBeUndefined();
    expect(isMaskCollapsed({ mean: 0, low: 0.99, high: 0 })).toBe(false);
    expect(isMaskCollapsed({ mean: 0, low: 0.991, high: 0 })).toBe(true);
  });

  it('CatMethod records the statistics of the mask its step 3 used, and none under the ablations', () => {
    const state = tinyState();
    const x = tf.randomUniform([6, 6, 6, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
    const cat = new CatMethod({ eps: 0.1, alpha: 0.05, steps: 1, a: 1, b: 0.3 });
    expect(cat.lastMaskStats).toBeNull();
    const xAdv = cat.perturb(state, { x, y });
    const expected = tf.tidy(() => maskStats(state.g!.apply(xAdv, { training: true }) as tf.Tensor4D, x));
    cat.updateClassifier(state, { x, y }, xAdv);
    expect(cat.lastMaskStats!.mean).toBeCloseTo(expected.mean, 5);
    expect(cat.lastMaskStats!.stroke).toBeCloseTo(expected.stroke!, 5);
    const a2 = new CatMethod({ eps: 0.1, alpha: 0.05, steps: 1, ablation: 'A2' });
    a2.step(state, { x, y });
    expect(a2.lastMaskStats).toBeNull();
    tf.dispose([x, y, xAdv]);
    disposeState(state);
  });
});

describe('the mask start (setInitialMask, buildMaskNet initialMask)', () => {
  it('sets the output bias to logit(m0), so the mask starts near m0', () => {
    const g = buildMaskNet('mnist-mask', { inputShape: [28, 28, 1], seed: 1, initialMask: 0.95 });
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 5);
    const m = tf.tidy(() => tf.mean(g.predict(x) as tf.Tensor).dataSync()[0]);
    expect(Math.abs(m - 0.95)).toBeLessThan(0.05);
    const plain = buildMaskNet('mnist-mask', { inputShape: [28, 28, 1], seed: 1 });
    const m0 = tf.tidy(() => tf.mean(plain.predict(x) as tf.Tensor).dataSync()[0]);
    expect(Math.abs(m0 - 0.5)).toBeLessThan(0.1);
    const tiny = tinyMaskNet([4, 4, 1], 2);
    setInitialMask(tiny, 0.2);
    const bias = tiny.layers[0].getWeights()[1].dataSync();
    expect(bias[0]).toBeCloseTo(Math.log(0.2 / 0.8), 6);
    expect(() => setInitialMask(tiny, 1)).toThrow(/must be a number in \(0, 1\)/);
    expect(() => buildMaskNet('mnist-mask', { inputShape: [28, 28, 1], initialMask: 0 })).toThrow(/must be a number in \(0, 1\)/);
    tf.dispose([x]);
    [g, plain, tiny].forEach((n) => n.dispose());
  });
});

describe("the authors' feasible set: start radius and no clamp", () => {
  it('PGD with clamp false stays in the eps ball but may leave [0,1]; startRadius bounds the random start', () => {
    const f = tinyClassifier([8, 8, 1], 3, 4);
    const model = asClassifier(f, false);
    const x = tf.tidy(() => tf.concat([tf.zeros([2, 8, 8, 1]), tf.ones([2, 8, 8, 1])]) as tf.Tensor4D);
    const y = tf.tensor1d([0, 1, 2, 0], 'int32');
    const free = new PGD({ eps: 0.3, alpha: 0.1, steps: 3, clamp: false, rng: new Rng(1) }).run(model, x, y);
    const clamped = new PGD({ eps: 0.3, alpha: 0.1, steps: 3, rng: new Rng(1) }).run(model, x, y);
    const d = tf.tidy(() => tf.max(tf.abs(tf.sub(free, x))).dataSync()[0]);
    expect(d).toBeLessThanOrEqual(0.3 + 1e-6);
    expect(tf.tidy(() => tf.min(free).dataSync()[0])).toBeLessThan(-0.05);
    expect(tf.tidy(() => tf.max(free).dataSync()[0])).toBeGreaterThan(1.05);
    expect(tf.tidy(() => tf.min(clamped).dataSync()[0])).toBeGreaterThanOrEqual(0);
    // One step of size 0 shows the start: U(-0.1, 0.1) around x, whatever eps is.
    const start = new PGD({ eps: 0.3, alpha: 1e-12, steps: 1, clamp: false, startRadius: 0.1, rng: new Rng(2) }).run(model, x, y);
    const r = tf.tidy(() => tf.max(tf.abs(tf.sub(start, x))).dataSync()[0]);
    expect(r).toBeLessThanOrEqual(0.1 + 1e-6);
    expect(r).toBeGreaterThan(0.09);
    tf.dispose([x, y, free, clamped, start]);
    f.dispose();
  });

  it('CAT with clamp false leaves the calibrated example unclamped', () => {
    const state = tinyState();
    const x = tf.zeros([3, 6, 6, 1]) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1, 2], 'int32');
    const cat = new CatMethod({ eps: 0.3, alpha: 0.1, steps: 2, clamp: false, startRadius: 0.1 });
    const xAdv = cat.perturb(state, { x, y });
    expect(tf.tidy(() => tf.min(xAdv).dataSync()[0])).toBeLessThan(0);
    const xCal = cat.calibrated(state, x, xAdv);
    expect(tf.tidy(() => tf.min(xCal).dataSync()[0])).toBeLessThan(0);
    const clamped = new CatMethod({ eps: 0.3, alpha: 0.1, steps: 2 }).calibrated(state, x, xAdv);
    expect(tf.tidy(() => tf.min(clamped).dataSync()[0])).toBe(0);
    tf.dispose([x, y, xAdv, xCal, clamped]);
    disposeState(state);
  });
});

describe("FAT's own tau schedule", () => {
  it('tau 0, 1, 2, 3 from epochs 0, 30, 50, 70 of 120, and the same stages on a shorter run', () => {
    const fat = { fractions: [30 / 120, 50 / 120, 70 / 120] };
    expect([0, 29, 30, 49, 50, 69, 70, 119].map((e) => tauAt(fat, e, 120))).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect([0, 1, 2].map((e) => tauAt(fat, e, 3))).toEqual([0, 1, 3]);
    expect([0, 3, 5, 7].map((e) => tauAt(fat, e, 12))).toEqual([0, 1, 2, 3]);
  });
});
