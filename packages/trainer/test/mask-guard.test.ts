import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setInitialMask } from '@cat/core';
import { coreDeps, MaskCollapseError, readMetricsLog, resolveConfig, train, type TrainConfig, type TrainEvent } from '@cat/trainer';
import { fakeDeps, fakeModels, tinyConfig } from './fakes.js';

let tmp: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cat-mask-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The real CAT method (its mask statistics and all) on the fake data and models. */
const realCatDeps = () => ({
  ...fakeDeps(),
  createMethod: coreDeps.createMethod,
  buildModels: (cfg: TrainConfig) => {
    const models = fakeModels(cfg.seed);
    if (cfg.maskInit !== null) setInitialMask(models.g, cfg.maskInit);
    return models;
  },
});

/**
 * A run forced to collapse: g is held still in epoch 1 at a mask of 0.02 (not collapsed: no value
 * is below 0.01), then a huge b (the mask's CE weight) drives it to 0 within epoch 2.
 */
const collapsing = (out: string, extra: Record<string, unknown> = {}) =>
  tinyConfig(out, { recipe: 'spec', b: 200, lr: 0.1, batch: 4, epochs: 3, steps: 1, maskWarmupEpochs: 1, maskInit: 0.02, ...extra });

describe('mask health', () => {
  it('the collapse guard stops the run naming the epoch, the statistics and the fix; the checkpoints stay intact', async () => {
    const out = path.join(tmp, 'collapse');
    const err = await train(collapsing(out), { deps: realCatDeps(), onProgress: () => {} }).catch((e) => e);
    expect(err).toBeInstanceOf(MaskCollapseError);
    expect(err.epoch).toBe(2);
    expect(err.stats.low).toBeGreaterThan(0.99);
    expect(err.message).toMatch(/the CAT mask collapsed in epoch 2: \d+\.\d% of its values are below 0\.01/);
    expect(err.message).toMatch(/mean 0\.0\d\d, <0\.01 \d+\.\d%/);
    expect(err.message).toMatch(/--recipe cat/);
    expect(err.message).toMatch(/--allow-mask-collapse/);
    expect(err.message).toContain(`${path.join(out, 'checkpoints', 'last')} (epoch 1)`);
    // Epoch 1's checkpoints and metrics line are there, nothing of epoch 2.
    const state = JSON.parse(fs.readFileSync(path.join(out, 'checkpoints/last/state.json'), 'utf8'));
    expect(state.epoch).toBe(1);
    expect(fs.existsSync(path.join(out, 'checkpoints/best/g/weights.bin'))).toBe(true);
    const before = fs.readFileSync(path.join(out, 'checkpoints/last/g/weights.bin'));
    expect(readMetricsLog(path.join(out, 'metrics.jsonl')).records.map((m) => m.epoch)).toEqual([1]);

    // --allow-mask-collapse (a run-neutral setting) resumes the same run and goes on, loudly.
    const warnings: string[] = [];
    const r = await train(collapsing(out, { allowMaskCollapse: true }), {
      deps: realCatDeps(),
      resume: true,
      onProgress: (e: TrainEvent) => e.type === 'warning' && warnings.push(e.message),
    });
    expect(r.metrics.map((m) => m.epoch)).toEqual([1, 2, 3]);
    expect(r.metrics[1].maskEnd!.low).toBeGreaterThan(0.99);
    expect(warnings.some((w) => /epoch 2: the CAT mask has collapsed/.test(w))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'checkpoints/last/g/weights.bin')).equals(before)).toBe(false);
    tf.dispose([r.f, r.g!] as tf.LayersModel[]);
  });

  it('metrics.jsonl carries the mask statistics of every CAT epoch, and none for a method without a mask', async () => {
    const out = path.join(tmp, 'stats');
    const r = await train(tinyConfig(out, { recipe: 'spec', b: 0, epochs: 2, steps: 1, batch: 24 }), { deps: realCatDeps(), onProgress: () => {} });
    const log = readMetricsLog(path.join(out, 'metrics.jsonl')).records;
    expect(log).toEqual(r.metrics);
    for (const m of log) {
      for (const s of [m.mask!, m.maskEnd!]) {
        expect(s.mean).toBeGreaterThan(0);
        expect(s.mean).toBeLessThanOrEqual(1);
        for (const k of ['low', 'high'] as const) expect(s[k]).toBeGreaterThanOrEqual(0);
        // The synthetic images are single-channel with bright quadrants (x > 0.5): stroke pixels.
        expect(s.stroke).toBeGreaterThan(0);
      }
    }
    tf.dispose([r.f, r.g!] as tf.LayersModel[]);

    const plain = await train(tinyConfig(path.join(tmp, 'fake'), { epochs: 1 }), { deps: fakeDeps(), onProgress: () => {} });
    expect(plain.metrics[0].mask).toBeUndefined();
    tf.dispose([plain.f, plain.g!] as tf.LayersModel[]);
  });

  it("the recipes: 'spec' is SPEC.md's mask settings, 'cat' the preset's; the mask settings are refused for other methods", () => {
    const spec = resolveConfig({ method: 'cat-cent', dataset: 'mnist-digits', recipe: 'spec' });
    expect([spec.maskWarmupEpochs, spec.maskInit, spec.maskLrScale]).toEqual([0, null, 1]);
    const flags = resolveConfig({ method: 'cat-cw', dataset: 'mnist-digits', recipe: 'spec', maskInit: 0.9, maskLrScale: 0.5 });
    expect([flags.maskInit, flags.maskLrScale]).toEqual([0.9, 0.5]);
    const trades = resolveConfig({ method: 'trades', dataset: 'mnist-digits' });
    expect([trades.maskWarmupEpochs, trades.maskInit, trades.maskLrScale]).toEqual([0, null, 1]);
    expect(() => resolveConfig({ method: 'trades', dataset: 'mnist-digits', maskInit: 0.9 })).toThrow(/maskInit: applies to the CAT methods only/);
    expect(() => resolveConfig({ method: 'cat-cent', dataset: 'mnist-digits', maskInit: 1 })).toThrow(/maskInit: must be in \(0, 1\)/);
    expect(() => resolveConfig({ method: 'cat-cent', dataset: 'mnist-digits', maskLrScale: 0 })).toThrow(/maskLrScale: must be in \(0, 1\]/);
    expect(() => resolveConfig({ method: 'cat-cent', dataset: 'mnist-digits', recipe: 'paper' })).toThrow(/unknown recipe/);
  });

  it("'authors' is the CAT authors' MNIST script; on CIFAR it is SPEC.md's recipe; baselines refuse it", () => {
    const a = resolveConfig({ method: 'cat-cent', dataset: 'mnist', recipe: 'authors' });
    expect(a).toMatchObject({ eps: 0.4, alpha: 0.02, steps: 20, startRadius: 0.1, clamp: false, milestones: [31], maskInit: null, maskLrScale: 1, maskWarmupEpochs: 0 });
    expect(a).toMatchObject({ evalEps: 0.3, evalAlpha: 0.015, evalSteps: 20, evalRandomStart: false, optimizer: 'adam', lr: 1e-3, a: 1, b: 0.3 });
    // Their eps is a default like any other: --eps 0.3 keeps alpha = eps/20.
    const at03 = resolveConfig({ method: 'cat-cw', dataset: 'mnist', recipe: 'authors', eps: 0.3 });
    expect(at03).toMatchObject({ eps: 0.3, kappa: 150 });
    expect(at03.alpha).toBeCloseTo(0.015, 12);
    const c = resolveConfig({ method: 'cat-cw', dataset: 'cifar10', recipe: 'authors' });
    const spec = resolveConfig({ method: 'cat-cw', dataset: 'cifar10', recipe: 'spec' });
    expect(c).toEqual({ ...spec, recipe: 'authors' });
    expect(c).toMatchObject({ eps: 8 / 255, evalEps: 8 / 255, evalAlpha: 2 / 255, evalSteps: 10, evalRandomStart: true, clamp: true, a: 5, b: 0.05 });
    expect(() => resolveConfig({ method: 'trades', dataset: 'mnist', recipe: 'authors' })).toThrow(/applies to the CAT methods only/);
  });

  it("baselines get their own papers' settings under the default recipe, SPEC.md's shared budget under 'spec'", () => {
    for (const method of ['trades', 'mart', 'fat-trades']) {
      expect(resolveConfig({ method, dataset: 'cifar10' })).toMatchObject({ eps: 0.031, alpha: 0.007, steps: 10 });
      expect(resolveConfig({ method, dataset: 'cifar10', recipe: 'spec' })).toMatchObject({ eps: 8 / 255, alpha: 2 / 255 });
      expect(resolveConfig({ method, dataset: 'mnist-digits' })).toMatchObject({ eps: 0.3, alpha: 0.015 });
    }
    expect(resolveConfig({ method: 'at', dataset: 'cifar10' })).toMatchObject({ eps: 8 / 255, alpha: 2 / 255 });
    expect(resolveConfig({ method: 'cat-cent', dataset: 'cifar10' })).toMatchObject({ eps: 8 / 255, maskInit: null, maskLrScale: 1 });
  });
});
