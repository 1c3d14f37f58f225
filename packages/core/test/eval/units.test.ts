import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  dlrLossPerExample,
  dlrTargetedLossPerExample,
  meanStd,
  paperTable,
  projectLinfHyperplane,
  sanityCheck,
  squarePSchedule,
  tableToJson,
  tableToMarkdown,
  tableToText,
  createEvalAttack,
  SquareAttack,
  AutoAttack,
  EVAL_SUITES,
  EVAL_ATTACK_NAMES,
  EVAL_ONLY_ATTACK_NAMES,
  ATTACK_NAMES,
  PGD,
  parseEvalAttackList,
  type Attack,
  type Classifier,
  type EvalResult,
} from '@cat/core';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const result = (accs: Record<string, number>): EvalResult => ({
  n: 100,
  accuracies: Object.entries(accs).map(([name, accuracy]) => ({
    name,
    accuracy,
    correct: Math.round(accuracy * 100),
    total: 100,
    seconds: 1,
    imagesPerSecond: 100,
  })),
});

describe('DLR losses', () => {
  it('match hand-computed values', () => {
    const z = tf.tensor2d([[4, 1, 3, 0, -1]]);
    // untargeted, y = 0: -(4 - 3) / (4 - 1)
    expect(dlrLossPerExample(z, tf.tensor1d([0], 'int32')).dataSync()[0]).toBeCloseTo(-1 / 3, 6);
    // y = 2 (not the top class): -(3 - 4) / (4 - 1)
    expect(dlrLossPerExample(z, tf.tensor1d([2], 'int32')).dataSync()[0]).toBeCloseTo(1 / 3, 6);
    // targeted, y = 0, t = 1: -(4 - 1) / (4 - (1 + 0) / 2)
    const t = dlrTargetedLossPerExample(z, tf.tensor1d([0], 'int32'), tf.tensor1d([1], 'int32'));
    expect(t.dataSync()[0]).toBeCloseTo(-3 / 3.5, 6);
  });

  it('has the finite-difference gradient', () => {
    const z = tf.tensor2d([[0.5, 2.0, -0.3, 1.1, 0.2]]);
    const y = tf.tensor1d([1], 'int32');
    const tgt = tf.tensor1d([3], 'int32');
    const f = (v: tf.Tensor2D) => tf.sum(dlrTargetedLossPerExample(v, y, tgt));
    const g = tf.grad(f)(z).dataSync();
    const base = z.dataSync();
    for (let j = 0; j < 5; j++) {
      const h = 1e-3;
      const plus = Float32Array.from(base);
      const minus = Float32Array.from(base);
      plus[j] += h;
      minus[j] -= h;
      const fd = (f(tf.tensor2d(plus, [1, 5])).dataSync()[0] - f(tf.tensor2d(minus, [1, 5])).dataSync()[0]) / (2 * h);
      expect(g[j]).toBeCloseTo(fd, 2);
    }
  });

  it('rejects too few classes', () => {
    expect(() => dlrTargetedLossPerExample(tf.zeros([1, 3]) as tf.Tensor2D, tf.tensor1d([0], 'int32'), tf.tensor1d([1], 'int32'))).toThrow(/at least 4 classes/);
  });
});

describe('FAB L-inf hyperplane projection', () => {
  it('reaches the hyperplane with the smallest L-inf step a brute-force search finds', () => {
    const p = Float32Array.from([0.5, 0.9, 0.1, 0.5]);
    const w = Float32Array.from([1, 2, -1, 0]);
    const c = 0.6;
    const d = new Float32Array(4);
    projectLinfHyperplane(p, w, c, d);
    const dot = d.reduce((a, v, i) => a + v * w[i], 0);
    expect(dot).toBeCloseTo(c, 5);
    for (let i = 0; i < 4; i++) {
      expect(p[i] + d[i]).toBeGreaterThanOrEqual(-1e-7);
      expect(p[i] + d[i]).toBeLessThanOrEqual(1 + 1e-7);
    }
    // Hand solution: coordinates 1 and 2 hit the box at 0.1 (contributing 2*0.1 + 1*0.1), then
    // coordinate 0 alone: t + 0.3 = 0.6 -> t = 0.3.
    expect(Math.max(...d.map(Math.abs))).toBeCloseTo(0.3, 5);
    // Brute force over a grid of t: nothing smaller reaches c.
    for (let t = 0; t < 0.299; t += 0.001) {
      let reach = 0;
      for (let i = 0; i < 4; i++) {
        const dir = Math.sign(w[i]);
        reach += Math.abs(w[i]) * Math.min(t, dir > 0 ? 1 - p[i] : p[i]);
      }
      expect(reach).toBeLessThan(c);
    }
  });
});

describe('Square p schedule', () => {
  it('follows the published halvings (p_init 0.8, 10000 iterations), rescaled or not', () => {
    for (const rescale of [true, false]) {
      expect(squarePSchedule(0.8, 0, 10000, rescale)).toBe(0.8);
      expect(squarePSchedule(0.8, 10, 10000, rescale)).toBe(0.8);
      expect(squarePSchedule(0.8, 11, 10000, rescale)).toBe(0.4);
      expect(squarePSchedule(0.8, 100, 10000, rescale)).toBe(0.2);
      expect(squarePSchedule(0.8, 300, 10000, rescale)).toBe(0.1);
      expect(squarePSchedule(0.8, 5000, 10000, rescale)).toBeCloseTo(0.8 / 128, 10);
      expect(squarePSchedule(0.8, 9000, 10000, rescale)).toBeCloseTo(0.8 / 512, 10);
    }
  });

  it('rescales to the budget by default and keeps the raw query counts without rescaling', () => {
    // Rescaled to a 5000 budget: iteration 100 is 200/10000, iteration 2100 is 4200/10000.
    expect(squarePSchedule(0.8, 100, 5000)).toBe(0.2);
    expect(squarePSchedule(0.8, 2100, 5000)).toBeCloseTo(0.8 / 128, 10);
    expect(squarePSchedule(0.8, 4999, 5000)).toBeCloseTo(0.8 / 512, 10);
    // AutoAttack's choice: p halves at 10, 50, 200, 500, 1000, 2000, 4000 whatever the budget.
    expect(squarePSchedule(0.8, 100, 5000, false)).toBe(0.2);
    expect(squarePSchedule(0.8, 30, 5000, false)).toBe(0.4);
    expect(squarePSchedule(0.8, 2100, 5000, false)).toBeCloseTo(0.8 / 64, 10);
    expect(squarePSchedule(0.8, 4999, 5000, false)).toBeCloseTo(0.8 / 128, 10);
    expect(squarePSchedule(0.8, 30, 100, true)).toBeCloseTo(0.8 / 64, 10);
    expect(squarePSchedule(0.8, 30, 100, false)).toBe(0.4);
  });

  /**
   * Window side of every query Square makes on one grey image against a model whose logits never
   * change (so no candidate is ever kept and each differs from the stripes start by one window).
   */
  function windowSides(make: () => Attack, nQueries: number): number[] {
    const seen: Float32Array[] = [];
    const constant: Classifier = (x) => {
      seen.push((x.dataSync() as Float32Array).slice());
      return tf.tile(tf.tensor2d([[1, 0, 0, 0]]), [x.shape[0], 1]) as tf.Tensor2D;
    };
    const x = tf.fill([1, 28, 28, 1], 0.5) as tf.Tensor4D;
    const y = tf.tensor1d([0], 'int32');
    make().run(constant, x, y).dispose();
    tf.dispose([x, y]);
    // The stripes start moves every pixel by eps; later queries move the rows of one window.
    const start = seen.findIndex((img) => img.every((v) => Math.abs(v - 0.5) > 0.05));
    const sides: number[] = [];
    for (const img of seen.slice(start + 1)) {
      const rows = new Set<number>();
      img.forEach((v, i) => {
        if (v !== seen[start][i]) rows.add(Math.floor(i / 28));
      });
      if (rows.size > 0) sides.push(Math.max(...rows) - Math.min(...rows) + 1);
    }
    expect(sides).toHaveLength(nQueries - 1);
    return sides;
  }

  const expectedSides = (nQueries: number, rescale: boolean) =>
    Array.from({ length: nQueries - 1 }, (_, i) =>
      Math.min(Math.max(Math.round(Math.sqrt(squarePSchedule(0.8, i, nQueries, rescale) * 784)), 1), 27),
    );

  it('draws windows of the scheduled size: rescaled standalone by default, raw inside AutoAttack', () => {
    const q = 60;
    const rescaled = windowSides(() => new SquareAttack({ eps: 0.1, nQueries: q, rng: 4 }), q);
    const raw = windowSides(() => new SquareAttack({ eps: 0.1, nQueries: q, rescaleSchedule: false, rng: 4 }), q);
    const inAutoAttack = windowSides(() => new AutoAttack({ eps: 0.1, stages: ['square'], squareQueries: q, rng: 4 }), q);
    expect(rescaled).toEqual(expectedSides(q, true));
    expect(raw).toEqual(expectedSides(q, false));
    expect(inAutoAttack).toEqual(raw);
    expect(rescaled).not.toEqual(raw);
  });
});

describe('paper table', () => {
  it('computes mean ± std over seeds and the Avg column', () => {
    expect(meanStd([1, 2, 3])).toEqual({ mean: 2, std: 1 });
    const t = paperTable([
      {
        label: 'CAT-cent',
        runs: [result({ natural: 0.9, pgd20: 0.5, fgsm: 0.6 }), result({ natural: 0.8, pgd20: 0.7, fgsm: 0.6 })],
      },
      { label: 'AT', runs: [result({ natural: 0.85, pgd20: 0.45 })] },
    ]);
    expect(t.columns).toEqual(['Natural', 'FGSM', 'PGD-20', 'Avg']);
    const row = t.rows[0];
    expect(row.cells[0]!.mean).toBeCloseTo(85, 10);
    expect(row.cells[0]!.std).toBeCloseTo(Math.sqrt(50), 10);
    // Avg per run: (90+50+60)/3 = 66.667, (80+70+60)/3 = 70 -> mean 68.333
    expect(row.cells[3]!.mean).toBeCloseTo(68.3333, 3);
    expect(t.rows[1].cells[1]).toBeNull();
    const text = tableToText(t);
    expect(text).toContain('85.00 ± 7.07');
    expect(text.split('\n')[0]).toMatch(/^Method\s+Natural\s+FGSM\s+PGD-20\s+Avg$/);
    const md = tableToMarkdown(t);
    expect(md.split('\n')[0]).toBe('| Method | Natural | FGSM | PGD-20 | Avg |');
    expect(md).toContain('| AT | 85.00 | - | 45.00 | 65.00 |');
    const json = tableToJson(t);
    expect(json.rows[1].cells['PGD-20']).toEqual({ mean: 45, std: 0, count: 1 });
  });

  it('orders the paper columns and appends unknown attacks', () => {
    const t = paperTable([{ label: 'x', runs: [result({ autoattack: 0.4, natural: 0.9, 'pgd20x5': 0.45, square: 0.5, cw: 0.42 })] }]);
    expect(t.columns).toEqual(['Natural', 'CW-inf', 'Square', 'AutoAttack', 'pgd20x5', 'Avg']);
  });
});

describe('sanityCheck', () => {
  it('is quiet on an honest-looking evaluation', () => {
    expect(sanityCheck(result({ natural: 0.9, fgsm: 0.6, pgd20: 0.55, pgd100: 0.54, square: 0.58, autoattack: 0.5 }))).toEqual([]);
  });
  it('flags accuracy rising with attack strength, above natural, more steps and black-box wins', () => {
    const f = sanityCheck(result({ natural: 0.9, fgsm: 0.5, pgd20: 0.6, pgd100: 0.7, pgd50: 0.65, square: 0.2, cw: 0.95 }));
    const checks = f.map((x) => x.check);
    expect(checks).toContain('monotone');
    expect(checks).toContain('above-natural');
    expect(checks).toContain('black-box');
    expect(f.some((x) => x.check === 'steps' && x.message.startsWith('pgd100'))).toBe(true);
  });
  it('tolerates noise within the tolerance', () => {
    expect(sanityCheck(result({ natural: 0.9, fgsm: 0.5, pgd20: 0.505 }))).toEqual([]);
  });
});

describe('createEvalAttack', () => {
  it('builds every suite attack and the restart variant, and names unknown ones', () => {
    for (const name of [...EVAL_SUITES.paper, ...EVAL_SUITES.autoattack, 'apgd-ce', 'apgd-t', 'fab-t', 'pgd7', 'pgd20x3']) {
      expect(typeof createEvalAttack(name, { eps: 0.1, dataset: 'mnist' }).run).toBe('function');
    }
    const sq = createEvalAttack('square', { eps: 0.1, squareQueries: 77 }) as SquareAttack;
    expect(sq).toBeInstanceOf(SquareAttack);
    expect(sq.nQueries).toBe(77);
    expect(createEvalAttack('autoattack', { eps: 0.1 })).toBeInstanceOf(AutoAttack);
    expect(() => createEvalAttack('bogus', { eps: 0.1 })).toThrow(/unknown evaluation attack 'bogus'/);
    expect(() => createEvalAttack('square', { eps: 2 })).toThrow(/eps must be a number in \[0, 1\]/);
    // A known name with a bad option says what is wrong with it, not that the name is unknown.
    expect(() => createEvalAttack('pgd20:bogus=1', { eps: 0.1 })).toThrow(/unknown option 'bogus'/);
    expect(() => createEvalAttack('pgd20:bogus=1', { eps: 0.1 })).not.toThrow(/unknown evaluation attack/);
  });

  it('builds every registry name and form: the attacks registry, its patterns and overrides, the eval names', () => {
    expect(EVAL_ATTACK_NAMES).toEqual([...ATTACK_NAMES, ...EVAL_ONLY_ATTACK_NAMES]);
    for (const name of [...EVAL_ATTACK_NAMES, ...REGISTRY_FORMS]) {
      expect(typeof createEvalAttack(name, { eps: 0.1 }).run, name).toBe('function');
    }
    const pgd = createEvalAttack('pgd20:restarts=5,alpha=0.005', { eps: 0.1 }) as PGD;
    expect([pgd.restarts, pgd.alpha, pgd.steps]).toEqual([5, 0.005, 20]);
  });
});

/** Instances of every name pattern of the registry, overrides included. */
const REGISTRY_FORMS = ['pgd7', 'pgd3-kl', 'pgd30-cw', 'pgd5-ce', 'cw30', 'friendly-pgd5', 'pgd20:restarts=5', 'pgd20x3', 'fgsm:eps=0.2'];

describe('parseEvalAttackList', () => {
  it('accepts every name the registry accepts, alone and together', () => {
    for (const name of [...EVAL_ATTACK_NAMES, ...REGISTRY_FORMS]) expect(parseEvalAttackList(name)).toEqual([name]);
    expect(parseEvalAttackList([...EVAL_ATTACK_NAMES, ...REGISTRY_FORMS].join(','))).toEqual([...EVAL_ATTACK_NAMES, ...REGISTRY_FORMS]);
    for (const suite of Object.values(EVAL_SUITES)) expect(parseEvalAttackList(suite.join(','))).toEqual([...suite]);
  });

  it('keeps commas inside overrides, lower-cases base names only, and trims', () => {
    expect(parseEvalAttackList(' FGSM, pgd20:restarts=5,alpha=0.005 ,randomStart=true,CW30')).toEqual([
      'fgsm',
      'pgd20:restarts=5,alpha=0.005,randomStart=true',
      'cw30',
    ]);
  });

  it('rejects unknown names, bad overrides, duplicates and empty lists, naming the problem', () => {
    expect(() => parseEvalAttackList('fgsm,deepfool')).toThrow(/unknown attack 'deepfool' \(known: fgsm, .*friendly-pgd<N>, pgd<N>x<restarts>/);
    expect(() => parseEvalAttackList('square:eps=0.1')).toThrow(/unknown attack 'square:eps=0.1'/);
    expect(() => parseEvalAttackList('pgd20:bogus=1')).toThrow(/unknown option 'bogus'/);
    expect(() => parseEvalAttackList('pgd20:restarts=0')).toThrow(/restarts/);
    expect(() => parseEvalAttackList('fgsm,alpha=0.1')).toThrow(/unknown attack 'alpha=0.1'/);
    expect(() => parseEvalAttackList('pgd20,PGD20')).toThrow(/'pgd20' is listed twice/);
    expect(() => parseEvalAttackList(' , ')).toThrow(/expected a comma-separated list/);
  });
});
