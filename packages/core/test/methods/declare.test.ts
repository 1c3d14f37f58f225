import { describe, expect, it } from 'vitest';
import { checkOption, declareMethod, defaultOf, methodDefaults, resolveOptions, type OptionSpec } from '@cat/core';

describe('option declarations', () => {
  const specs = {
    rate: { type: 'number', min: 0, exclusiveMin: true, default: { mnist: 0.5, cifar: 0.1 }, help: 'a rate' },
    share: { type: 'number', min: 0, max: 1, note: 'a fraction', default: 0.5, help: 'a share' },
    count: { type: 'integer', min: 1, default: 3, help: 'a count' },
    on: { type: 'boolean', default: false, help: 'a switch' },
    kind: { type: 'choice', choices: { x: 'ex', y: 'why' }, default: 'x', help: 'a kind' },
    radius: { type: 'number', min: 0, default: null, help: 'a radius, none for eps' },
  } as const satisfies Record<string, OptionSpec>;

  it('fills the family defaults and leaves a null default unset', () => {
    expect(resolveOptions('toy', specs, {})).toEqual({ rate: 0.1, share: 0.5, count: 3, on: false, kind: 'x', radius: undefined });
    expect(resolveOptions('toy', specs, { radius: 0.2 }, 'mnist')).toMatchObject({ rate: 0.5, radius: 0.2 });
    expect(defaultOf(specs.rate, 'mnist')).toBe(0.5);
  });

  it('names the option and the range it broke', () => {
    expect(() => resolveOptions('toy', specs, { rate: 0 })).toThrow("toy: rate must be a finite number > 0, got 0");
    expect(() => resolveOptions('toy', specs, { share: 2 })).toThrow('toy: share must be a number in [0, 1] (a fraction), got 2');
    expect(() => resolveOptions('toy', specs, { count: 1.5 })).toThrow('toy: count must be an integer >= 1, got 1.5');
    expect(() => resolveOptions('toy', specs, { on: 'yes' as never })).toThrow('toy: on must be true or false, got yes');
    expect(() => resolveOptions('toy', specs, { kind: 'z' as never })).toThrow("toy: kind must be 'x' or 'y', got 'z'");
    expect(() => resolveOptions('toy', specs, { rate: Number.NaN })).toThrow(/rate must be a finite number > 0, got NaN/);
    expect(() => resolveOptions('toy', specs, { speed: 1 } as never)).toThrow("toy: unknown option 'speed' (known: rate, share, count, on, kind, radius)");
    expect(() => checkOption('toy', 'c', { type: 'custom', default: 0, help: '' }, 1)).toThrow(/without a check/);
  });

  it('a declaration is checked by the compiler and builds through create', () => {
    const toy = declareMethod<{ rate?: number }>({
      name: 'toy',
      label: 'Toy',
      summary: 'a toy',
      needsMask: false,
      options: { rate: specs.rate },
      create: (o) => ({ name: 'toy', needsMask: false, step: () => ({ loss: resolveOptions('toy', { rate: specs.rate }, o).rate as number }) }) as never,
      describe: (s, show) => `rate ${show(s.rate as number)}`,
    });
    expect(toy.describe({ rate: 0.25 }, String)).toBe('rate 0.25');
    expect(toy.create({ rate: 2 }).step(undefined as never, undefined as never)).toEqual({ loss: 2 });
  });

  it('methodDefaults now agrees with the presets on Fashion-MNIST (eps 0.1)', () => {
    expect(methodDefaults('trades', 'fashion-mnist')).toMatchObject({ eps: 0.1, alpha: 0.005, beta: 6 });
    expect(methodDefaults('natural', 'mnist')).toEqual({});
  });
});
