import { describe, expect, it } from 'vitest';
import { ConfigError, PRESETS, configDifferences, piecewiseLr, resolveConfig } from '@cat/trainer';

const base = { method: 'cat-cent', dataset: 'mnist' };

describe('resolveConfig', () => {
  it('fills the spec defaults from the preset', () => {
    // The default recipe changes CAT's a and mask settings on MNIST-like data (docs/FIDELITY.md).
    expect(resolveConfig(base)).toMatchObject({ a: 6, maskInit: 0.95, maskLrScale: 0.1, recipe: 'cat' });
    const m = resolveConfig({ ...base, recipe: 'spec' });
    expect(m).toMatchObject({ eps: 0.3, alpha: 0.015, steps: 20, a: 1, b: 0.3, kappa: 150, optimizer: 'adam', lr: 1e-3, milestones: [30], epochs: 40, batch: 100, augment: false, arch: 'mnist-cnn', maskArch: 'mnist-mask' });
    const c = resolveConfig({ method: 'cat-cw', dataset: 'cifar10' });
    expect(c).toMatchObject({ eps: 8 / 255, alpha: 2 / 255, steps: 10, a: 5, b: 0.05, kappa: 50, optimizer: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4, milestones: [100, 120], epochs: 140, batch: 128, augment: true });
    expect(resolveConfig({ method: 'at', dataset: 'cifar100' })).toMatchObject({ milestones: [100, 110], epochs: 120 });
    expect(resolveConfig({ method: 'at', dataset: 'cifar10', arch: 'wide-resnet' }).milestones).toEqual([100, 110]);
    expect(PRESETS['mnist-digits']).toBe(PRESETS.mnist);
  });

  it('scales the preset alpha with a user eps (alpha = eps/20 on MNIST)', () => {
    expect(resolveConfig({ ...base, eps: 0.4 }).alpha).toBeCloseTo(0.02, 12);
    expect(resolveConfig({ ...base, eps: 0.4, alpha: 0.01 }).alpha).toBe(0.01);
  });

  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['eps < 0', { eps: -0.1 }, /invalid eps: must be in \[0, 1\].*-0.1/],
    ['eps > 1', { eps: 1.5 }, /invalid eps: must be in \[0, 1\]/],
    ['alpha 0', { alpha: 0 }, /invalid alpha: must be > 0/],
    ['alpha > eps', { eps: 0.1, alpha: 0.2 }, /alpha \(0.2\) exceeds eps \(0.1\)/],
    ['steps 0', { steps: 0 }, /invalid steps: expected an integer >= 1, got 0/],
    ['steps 1.5', { steps: 1.5 }, /invalid steps/],
    ['unknown method', { method: 'cat-cnet' }, /unknown method "cat-cnet"; expected one of .*cat-cent/],
    ['unknown dataset', { dataset: 'svhn' }, /unknown dataset "svhn"/],
    ['unknown backend', { backend: 'gpu' }, /unknown backend "gpu"; expected one of native, cpu, wasm, tensorflow/],
    ['batch 0', { batch: 0 }, /invalid batch/],
    ['epochs 0', { epochs: 0 }, /invalid epochs/],
    ['a negative', { a: -1 }, /invalid a: must be >= 0/],
    ['b negative', { b: -0.1 }, /invalid b: must be >= 0/],
    ['kappa negative', { kappa: -5 }, /invalid kappa/],
    ['NaN lr', { lr: Number.NaN }, /invalid lr: expected a finite number/],
    ['string eps', { eps: '0.3' }, /invalid eps: expected a finite number, got "0.3"/],
    ['milestones unsorted', { milestones: [30, 10] }, /milestones: must be strictly increasing/],
    ['unknown key', { epsilon: 0.3 }, /unknown config key "epsilon"/],
    ['subset 0', { trainSubset: 0 }, /invalid trainSubset/],
    ['seed negative', { seed: -1 }, /invalid seed/],
    ['unknown arch', { arch: 'resnet50' }, /unknown arch "resnet50"; expected one of mnist-cnn, preact-resnet18, wide-resnet/],
    ['unknown mask arch', { maskArch: 'unet' }, /unknown maskArch "unet"; expected one of mnist-mask, resnet18-mask/],
    ['mask arch for a method without g', { method: 'trades', maskArch: 'resnet18-mask' }, /maskArch: applies to the methods with a mask network \(.*cat-cent.*\) only, not to trades/],
  ];
  it.each(bad)('rejects %s', (_name, extra, msg) => {
    expect(() => resolveConfig({ ...base, ...extra } as any)).toThrow(ConfigError);
    expect(() => resolveConfig({ ...base, ...extra } as any)).toThrow(msg);
  });

  it("takes another mask network for CAT; a method without g keeps the preset's", () => {
    expect(resolveConfig({ ...base, maskArch: 'resnet18-mask' }).maskArch).toBe('resnet18-mask');
    expect(resolveConfig({ ...base, method: 'trades', maskArch: 'mnist-mask' }).maskArch).toBe('mnist-mask');
  });

  it('accepts alpha == eps and eps == 0', () => {
    expect(resolveConfig({ ...base, eps: 0.1, alpha: 0.1 }).alpha).toBe(0.1);
    expect(resolveConfig({ ...base, eps: 0 }).eps).toBe(0);
  });

  it('compares configs ignoring out and backend', () => {
    const a = resolveConfig(base);
    expect(configDifferences(a as any, { ...a, out: 'x', backend: 'native' })).toEqual([]);
    expect(configDifferences(a as any, { ...a, b: 0.1 })).toEqual(['b (saved 0.3, asked 0.1)']);
  });
});

describe('piecewiseLr', () => {
  it('multiplies by 0.1 at each milestone reached (MultiStepLR)', () => {
    const lrs = [0, 99, 100, 119, 120, 139].map((e) => piecewiseLr(0.1, [100, 120], e));
    expect(lrs[0]).toBe(0.1);
    expect(lrs[1]).toBe(0.1);
    expect(lrs[2]).toBeCloseTo(0.01, 15);
    expect(lrs[3]).toBeCloseTo(0.01, 15);
    expect(lrs[4]).toBeCloseTo(0.001, 15);
    expect(lrs[5]).toBeCloseTo(0.001, 15);
    expect(piecewiseLr(1e-3, [30], 29)).toBe(1e-3);
    expect(piecewiseLr(1e-3, [30], 30)).toBeCloseTo(1e-4, 15);
    expect(() => piecewiseLr(0.1, [1], -1)).toThrow(/epoch must be an integer >= 0/);
  });
});
