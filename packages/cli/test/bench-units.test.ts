import { describe, expect, it } from 'vitest';
import type { ImageSet } from '@cat/core';
import { digitsAsColour } from '../src/commands/bench/data.js';
import { formatReport, type BenchReport } from '../src/commands/bench/report.js';
import { isPureTfjs, suiteSpec, SUITE_NAMES } from '../src/commands/bench/suites.js';
import { resolveBackends, resolveSize } from '../src/commands/bench/run.js';
import { benchOptionsFromFlags } from '../src/commands/bench.js';
import { CliError } from '../src/errors.js';

function digitSet(count: number): ImageSet {
  const images = new Float32Array(count * 784);
  for (let i = 0; i < images.length; i++) images[i] = (i % 251) / 250;
  return { images, labels: Int32Array.from({ length: count }, (_, i) => i % 10), count, height: 28, width: 28, channels: 1 };
}

describe('suites', () => {
  it('knows the three suites at their full sizes', () => {
    expect([...SUITE_NAMES]).toEqual(['pgd20-mnist', 'cat-step-mnist', 'cat-step-resnet18']);
    expect(suiteSpec('pgd20-mnist').full).toEqual({ batch: 100, pgdSteps: 20 });
    expect(suiteSpec('cat-step-mnist').full).toEqual({ batch: 100, pgdSteps: 20 });
    expect(suiteSpec('cat-step-resnet18').full).toEqual({ batch: 128, pgdSteps: 10 });
  });

  it('rejects an unknown suite, naming it and the known ones', () => {
    expect(() => suiteSpec('pgd7')).toThrow(/unknown bench suite 'pgd7'.*pgd20-mnist, cat-step-mnist, cat-step-resnet18/);
  });

  it('runs full size on native and reduced on the pure-tfjs backends, flagged', () => {
    const spec = suiteSpec('cat-step-mnist');
    expect(isPureTfjs('cpu') && isPureTfjs('wasm') && !isPureTfjs('native')).toBe(true);
    expect(resolveSize(spec, 'native', {})).toEqual({ batch: 100, pgdSteps: 20, reduced: false });
    expect(resolveSize(spec, 'cpu', {}).reduced).toBe(true);
    expect(resolveSize(spec, 'native', { batch: 2, steps: 1 })).toEqual({ batch: 2, pgdSteps: 1, reduced: true });
  });
});

describe('benchOptionsFromFlags', () => {
  const base = { suite: [] as string[], backend: [] as string[] };
  it('expands all and parses counts', () => {
    const o = benchOptionsFromFlags({ ...base, suite: ['all'], iters: '2', batch: '4' });
    expect(o.suites).toEqual([...SUITE_NAMES]);
    expect(o.iters).toBe(2);
    expect(o.batch).toBe(4);
    expect(o.steps).toBeUndefined();
  });
  it('gives a CliError for an unknown suite or a bad count', () => {
    expect(() => benchOptionsFromFlags({ ...base, suite: ['nope'] })).toThrow(CliError);
    expect(() => benchOptionsFromFlags({ ...base, suite: ['nope'] })).toThrow(/unknown bench suite 'nope'/);
    expect(() => benchOptionsFromFlags({ ...base, iters: '0' })).toThrow(/--iters must be an integer >= 1, got '0'/);
    expect(() => benchOptionsFromFlags({ ...base, batch: '2.5' })).toThrow(/--batch/);
  });
});

describe('digitsAsColour', () => {
  it('pads 28x28 digits by 2 pixels and repeats them over 3 channels', () => {
    const set = digitSet(3);
    const c = digitsAsColour(set, 2);
    expect([c.count, c.height, c.width, c.channels]).toEqual([2, 32, 32, 3]);
    expect(Array.from(c.labels)).toEqual([0, 1]);
    // image 1, pixel (r=5, c=7) of the digit lands at (7, 9) in every channel
    const v = set.images[784 + 5 * 28 + 7];
    for (let ch = 0; ch < 3; ch++) expect(c.images[((32 + 7) * 32 + 9) * 3 + ch]).toBe(v);
    // the border is zero
    expect(c.images[((32 + 0) * 32 + 0) * 3]).toBe(0);
    expect(c.images[((32 + 31) * 32 + 31) * 3 + 2]).toBe(0);
    let sum = 0;
    for (let i = 0; i < 784; i++) sum += set.images[784 + i];
    let sumC = 0;
    for (let i = 0; i < 32 * 32 * 3; i++) sumC += c.images[32 * 32 * 3 + i];
    expect(sumC).toBeCloseTo(3 * sum, 3);
  });
  it('rejects images that are not 28x28x1', () => {
    expect(() => digitsAsColour({ ...digitSet(1), channels: 3 }, 1)).toThrow(/expected 28x28x1/);
  });
});

describe('formatReport', () => {
  it('prints one row per result and the notes of reduced runs', () => {
    const report: BenchReport = {
      meta: {},
      skipped: [{ name: 'cat-step-resnet18', backend: 'cpu', reason: 'too slow' }],
      suites: [
        {
          name: 'pgd20-mnist', backend: 'cpu', imagesPerSec: 1.234, imagesPerSecBest: 1.3, batch: 10, pgdSteps: 20, iters: 1, warmup: 1,
          trainSteps: 5, secondsPerIter: [8.1], reduced: true, flopsPerImage: 1e9, achievedGflops: 1.234,
          peakRssMB: 300, tensorsLeakedPerIter: 0, note: 'reduced size: batch 10',
        },
      ],
    };
    const text = formatReport(report);
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^pgd20-mnist\s+cpu\s+10\s+20\s+1\.23\s+8\.10\s+1\.23\s+300$/);
    expect(lines[2]).toBe('note (pgd20-mnist on cpu): reduced size: batch 10');
    expect(lines[3]).toBe('skipped cat-step-resnet18 on cpu: too slow');
  });
});

describe('resolveBackends', () => {
  it('keeps cpu, which is always there, and rejects an unknown backend by name', async () => {
    expect(await resolveBackends(['cpu'])).toEqual(['cpu']);
    await expect(resolveBackends(['tpu'])).rejects.toThrow(/backend 'tpu' \(--backend\) is not available here; available: .*cpu/);
  });
  it('defaults to the available ones of native, cpu, wasm, in that order', async () => {
    const all = await resolveBackends(undefined);
    expect(all).toContain('cpu');
    expect(all.every((b) => ['native', 'cpu', 'wasm'].includes(b))).toBe(true);
    const order = ['native', 'cpu', 'wasm'];
    expect([...all].sort((a, b) => order.indexOf(a) - order.indexOf(b))).toEqual(all);
  });
});
