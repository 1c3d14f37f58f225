import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs tool without type declarations
import { slope, verdict, GROWTH_LIMIT_MB } from '../../../tools/bench/src/soak-verdict.mjs';

const samples = (steps: number, every: number, rss: (s: number) => number, tensors = () => 100) =>
  Array.from({ length: steps / every + 1 }, (_, i) => ({ step: i * every, rssMB: rss(i * every), numTensors: tensors() }));

describe('soak verdict', () => {
  it('slope is the least-squares slope (hand-computed)', () => {
    // points (0,1), (1,3), (2,2): mean x 1, mean y 2; num = (-1)(-1) + 0 + (1)(0) = 1; den = 2
    expect(slope([0, 1, 2], [1, 3, 2])).toBeCloseTo(0.5, 12);
    expect(slope([5, 5], [1, 2])).toBe(0);
  });

  it('a flat resident set after warm-up is steady, even with a large early rise', () => {
    const v = verdict(samples(500, 10, (s) => (s < 50 ? 200 + 4 * s : 400 + (s % 20 === 0 ? 1 : -1))), 500);
    expect(v.measuredFromStep).toBe(100);
    expect(Math.abs(v.growthOverWindowMB)).toBeLessThan(2);
    expect(v.grows).toBe(false);
  });

  it('a steady climb beyond the limit grows', () => {
    // 0.1 MiB per step over the 400 measured steps: 40 MiB
    const v = verdict(samples(500, 10, (s) => 300 + 0.1 * s), 500);
    expect(v.growthOverWindowMB).toBeCloseTo(40, 6);
    expect(v.growthOverWindowMB).toBeGreaterThan(GROWTH_LIMIT_MB);
    expect(v.grows).toBe(true);
  });

  it('leaked tensors count as growth', () => {
    let n = 100;
    const v = verdict(samples(100, 10, () => 300, () => n++), 100);
    expect(v.tensorDelta).toBeGreaterThan(0);
    expect(v.grows).toBe(true);
  });
});
