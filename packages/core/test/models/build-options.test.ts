/** defaultArchs and the builders' argument checks. */
import { describe, expect, it } from 'vitest';
import { CLASSIFIER_ARCHS, MASK_ARCHS, buildClassifier, buildMaskNet, defaultArchs } from '@cat/core';
import type { ClassifierArch, MaskArch } from '@cat/core';

describe('defaultArchs', () => {
  it('maps MNIST-like data sets to the small CNN and CIFAR to PreAct ResNet-18', () => {
    for (const d of ['mnist', 'MNIST', 'mnist-digits', 'fashion-mnist']) {
      expect(defaultArchs(d)).toEqual({ f: 'mnist-cnn', g: 'mnist-mask' });
    }
    for (const d of ['cifar10', 'cifar100', 'CIFAR-10']) {
      expect(defaultArchs(d)).toEqual({ f: 'preact-resnet18', g: 'resnet18-mask' });
    }
    expect(CLASSIFIER_ARCHS).toContain(defaultArchs('cifar10').f);
    expect(MASK_ARCHS).toContain(defaultArchs('mnist').g);
  });

  it('rejects an unknown data set by name', () => {
    expect(() => defaultArchs('imagenet')).toThrow(/no default architectures for data set "imagenet"/);
  });
});

describe('builder argument checks', () => {
  const ok = { inputShape: [8, 8, 1] as [number, number, number], numClasses: 2 };
  it('names the bad option and what was expected', () => {
    expect(() => buildClassifier('resnet' as ClassifierArch, ok)).toThrow(/unknown architecture "resnet" \(expected one of mnist-cnn, preact-resnet18, wide-resnet\)/);
    expect(() => buildMaskNet('unet' as MaskArch, { inputShape: [8, 8, 1] })).toThrow(/unknown architecture "unet"/);
    expect(() => buildClassifier('mnist-cnn', { ...ok, inputShape: [8, 8] as unknown as [number, number, number] })).toThrow(/inputShape must be \[height, width, channels\]/);
    expect(() => buildClassifier('mnist-cnn', { ...ok, inputShape: [8, 0, 1] })).toThrow(/inputShape/);
    expect(() => buildClassifier('mnist-cnn', { ...ok, numClasses: 0 })).toThrow(/numClasses must be a positive integer, got 0/);
    expect(() => buildClassifier('mnist-cnn', { ...ok, seed: 0.5 })).toThrow(/seed must be an integer/);
    expect(() => buildClassifier('wide-resnet', { ...ok, depth: 33 })).toThrow(/depth must be 6n \+ 4/);
    expect(() => buildClassifier('wide-resnet', { ...ok, depth: 4 })).toThrow(/depth must be 6n \+ 4/);
    expect(() => buildClassifier('wide-resnet', { ...ok, widen: 0 })).toThrow(/widen must be a positive integer/);
    expect(() => buildMaskNet('mnist-mask', { inputShape: [8, 8, 1], seed: Number.NaN })).toThrow(/seed must be an integer/);
  });
});
